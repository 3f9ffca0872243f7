import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { expect, test } from '@playwright/test';
import { repoRoot, requireRendererBuild, sampleLessonAt } from '../testing/support/app-host.ts';
import { tempDir } from '../testing/support/render-cli.ts';
import { ffprobe } from '../testing/support/media-probe.ts';

/**
 * The crash promise of a real-time recording: SIGKILL the whole `rapido render --realtime`
 * process group some seconds in, and the file left behind plays for all but at most 1.5 s of
 * the time it was recording. It runs the real path (renderer MediaRecorder → WebSocket → main's
 * recording sink → disk) in system Chromium, as a user's `render` would.
 */
const lossLimitSec = 1.5;
const tsxBin = join(repoRoot, 'node_modules', '.bin', 'tsx');
const cliPath = join(repoRoot, 'src', 'main', 'hosts', 'cli', 'rapido.ts');

test.beforeAll(() => requireRendererBuild());

for (const killAfterSec of [7, 13]) {
  test(`SIGKILL ${killAfterSec} s into a real-time recording loses at most ${lossLimitSec} s`, async () => {
    test.setTimeout(120_000);
    const { dir } = await sampleLessonAt(640, 360);
    const dataDir = await tempDir('crash-data');
    const outDir = await tempDir('crash-out');
    const outPath = join(outDir, 'killed.mp4');
    // Its own process group, so the kill takes the CLI and every process it started with it.
    const child = spawn(tsxBin, [cliPath, 'render', dir, '--out', outPath, '--realtime'], {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        RAPIDO_DATA_DIR: dataDir,
        RAPIDO_LOG_DIR: join(dataDir, 'logs'),
        LOG_LEVEL: 'info',
      },
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
    // An object: a flag set in a callback, which the checker would narrow away as a plain let.
    const cli = { gone: false };
    const exited = new Promise<void>((resolve) =>
      child.on('close', () => {
        cli.gone = true;
        resolve();
      }),
    );
    const pid = child.pid;
    if (pid === undefined) throw new Error('the CLI did not start');
    try {
      // The sink opens the file on recording:start, just before MediaRecorder starts: the
      // recording's zero, seen within a poll (20 ms).
      const deadline = Date.now() + 90_000;
      while (!existsSync(outPath)) {
        if (Date.now() > deadline || cli.gone)
          throw new Error(`the recording never started:\n${output}`);
        await delay(20);
      }
      const startedMs = Date.now();
      // The wait is the experiment (how long it recorded), not a stand-in for an event.
      await delay(killAfterSec * 1000);
      process.kill(-pid, 'SIGKILL');
      const recordedSec = (Date.now() - startedMs) / 1000;
      await exited;

      const probe = await ffprobe(outPath);
      const playableSec = Number(probe.format.duration);
      const size = (await stat(outPath)).size;
      const description = `${outPath}: recorded ${recordedSec.toFixed(2)} s, file plays ${playableSec.toFixed(2)} s (${size} bytes): lost ${(recordedSec - playableSec).toFixed(2)} s`;
      test.info().annotations.push({ type: 'crash loss', description });
      console.log(description);
      expect(
        probe.streams.some((s) => s.codec_type === 'video'),
        'the file is playable',
      ).toBe(true);
      expect(recordedSec - playableSec, `lost of ${recordedSec.toFixed(2)} s`).toBeLessThanOrEqual(
        lossLimitSec,
      );
      // No part of the recording is hidden elsewhere: the one file is all there is.
      expect((await readdir(outDir)).filter((name) => name !== 'killed.mp4')).toEqual([]);
    } finally {
      // A failure before the kill must not leave the render running.
      if (!cli.gone) process.kill(-pid, 'SIGKILL');
    }
  });
}
