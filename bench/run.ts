import { errorMessage } from '../src/shared/result.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { runCompositorBench } from './compositor-bench.ts';
import { runElevenLabsBench } from './elevenlabs-bench.ts';
import { runExportBench } from './export-bench.ts';
import { runExportParallelBench } from './export-parallel-bench.ts';
import { figure, type Figure } from './figures.ts';
import { runFirstSoundBench } from './first-sound-bench.ts';
import { runLiveBench } from './live-bench.ts';
import { machineInfo } from './machine.ts';
import { runMemoryExportBench, runMemoryLiveBench } from './memory-bench.ts';
import { benchUsage, parseBenchOptions, type BenchOptions, type SectionName } from './options.ts';
import { summaryMarkdown } from './summary.ts';
import { runSyncTalkBench } from './synctalk-bench.ts';

/**
 * `npm run bench`: every section, each figure over several runs with its unit, comparisons
 * measured side by side in the same run. JSON goes to stdout (and only JSON, so it can be piped)
 * and to bench-results/bench.json, with the markdown table in bench-results/bench.md; progress
 * goes to stderr. A quick or partial run writes bench-dev.json/.md instead, so it never replaces
 * the full scoreboard.
 */
const runners: Record<SectionName, (options: BenchOptions) => Promise<unknown>> = {
  compositor: runCompositorBench,
  export: runExportBench,
  firstSound: runFirstSoundBench,
  syncTalk: runSyncTalkBench,
  elevenLabs: runElevenLabsBench,
  live: runLiveBench,
  memoryExport: runMemoryExportBench,
  memoryLive: runMemoryLiveBench,
  exportParallel: runExportParallelBench,
};

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${errorMessage(error)}\n`);
    process.exit(2);
  }
  const startedMs = performance.now();
  const machine = await machineInfo();
  const sections: Partial<Record<SectionName, unknown>> = {};
  const sectionWallTime: Partial<Record<SectionName, Figure>> = {};
  for (const name of options.sections) {
    const runs = name.startsWith('memory') ? options.memoryRuns : options.runs;
    process.stderr.write(`bench: ${name} (${runs} run${runs === 1 ? '' : 's'})…\n`);
    const sectionStartedMs = performance.now();
    try {
      sections[name] = await runners[name]({ ...options, runs });
    } catch (error) {
      // One broken section must not cost the others' figures; the reason is reported instead.
      sections[name] = { skipped: `failed: ${errorMessage(error)}` };
    }
    sectionWallTime[name] = figure('s', [(performance.now() - sectionStartedMs) / 1000]);
    process.stderr.write(`bench: ${name} done in ${sectionWallTime[name].median} s\n`);
  }
  const complete = !options.quick && options.sections.length === Object.keys(runners).length;
  const report = {
    schema: 'rapido-bench/2',
    recordedAt: new Date().toISOString(),
    options: { runs: options.runs, quick: options.quick, sections: options.sections },
    machine,
    totalWallTime: figure('s', [(performance.now() - startedMs) / 1000]),
    sectionWallTime,
    ...sections,
  };
  const json = JSON.stringify(report, null, 2);
  const jsonPath = resolve(
    import.meta.dirname,
    '..',
    'bench-results',
    complete ? 'bench.json' : 'bench-dev.json',
  );
  const markdownPath = jsonPath.replace(/\.json$/, '.md');
  await mkdir(dirname(jsonPath), { recursive: true });
  await writeFile(jsonPath, `${json}\n`);
  await writeFile(markdownPath, `${summaryMarkdown(report)}\n`);
  process.stderr.write(`bench: wrote ${jsonPath} and ${markdownPath}\n`);
  process.stdout.write(`${json}\n`);
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`${benchUsage}\n`);
} else {
  await main();
}
