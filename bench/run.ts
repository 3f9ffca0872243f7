import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runCompositorBench } from './compositor-bench.ts';
import { runElevenLabsBench } from './elevenlabs-bench.ts';
import { runLiveBench } from './live-bench.ts';
import { runSyncTalkBench } from './synctalk-bench.ts';

/** `npm run bench`: runs every benchmark, prints JSON, writes bench-results/bench.json. */
async function main(): Promise<void> {
  const results = {
    recordedAt: new Date().toISOString(),
    units: {
      medianMs: 'milliseconds per frame',
      p95Ms: 'milliseconds per frame',
      meanMs: 'milliseconds per frame',
      medianFps: 'frames per second',
      cpuToGpuMedianRatio: 'times (dimensionless)',
      syncTalk: 'milliseconds unless named otherwise; ratios are dimensionless',
      elevenLabs: 'milliseconds (…Ms), characters, requests; lookAheadSpeedup is a ratio',
      live: 'milliseconds; CPU in cores busy (1 = one core); liveCpuRatio is a ratio',
    },
    compositor: await runCompositorBench(),
    syncTalk: await runSyncTalkBench(),
    elevenLabs: await runElevenLabsBench(),
    live: await runLiveBench(),
  };
  const json = JSON.stringify(results, null, 2);
  const dir = resolve(import.meta.dirname, '..', 'bench-results');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'bench.json'), `${json}\n`);
  console.log(json);
}

await main();
