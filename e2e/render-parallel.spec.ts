import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { slideTitle } from '../src/shared/lesson/lesson-schema.ts';
import { requireRendererBuild, sampleLessonAt } from '../testing/support/app-host.ts';
import { describeRun, readMainLog, runCli, tempDir } from '../testing/support/render-cli.ts';
import { audioTrackFingerprint, countedStream, ffprobe } from '../testing/support/media-probe.ts';
import { scaled } from './support/timeouts.ts';

/**
 * `rapido render --parallel N` against the ordinary export of the same lesson, both through the
 * CLI as a user runs it: the joined file must hold exactly the whole render's frames (count and
 * times), the very same encoded audio (encoded once over the whole lesson, so no join can be
 * heard), the same chapters and the same captions, and nothing of the parts may be left behind.
 */
const width = 640;
const height = 360;

test.beforeAll(() => {
  requireRendererBuild();
});

async function videoPacketTimes(file: string): Promise<string[]> {
  const probe = await ffprobe(file);
  expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['h264', 'opus']);
  const { stdout } = await promisify(execFile)(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'packet=pts,duration',
      '-of',
      'csv=p=0',
      file,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout.trim().split('\n');
}

test(
  '--parallel 2 joins into exactly the frames, audio, chapters and captions of the whole export',
  { tag: '@busy' },
  async () => {
    test.setTimeout(scaled(300_000));
    const testInfo = test.info();
    const { dir, lesson } = await sampleLessonAt(width, height);
    const dataDir = await tempDir('data');
    const outDir = await tempDir('out');
    const wholePath = join(outDir, 'whole.mp4');
    const splitPath = join(outDir, 'split.mp4');
    // The same data folder: the second render reads the speech the first one made.
    const whole = await runCli(['render', dir, '--out', wholePath], {}, { dataDir });
    expect(whole.code, describeRun(whole)).toBe(0);
    const split = await runCli(
      ['render', dir, '--out', splitPath, '--parallel', '2'],
      {},
      { dataDir },
    );
    testInfo.annotations.push(
      { type: 'whole export wall time', description: `${whole.wallMs} ms` },
      { type: '--parallel 2 wall time', description: `${split.wallMs} ms` },
    );
    await testInfo.attach('cli output', { body: describeRun(split), contentType: 'text/plain' });
    expect(split.code, describeRun(split)).toBe(0);
    expect(split.stderr, 'no errors or stack traces on success').not.toMatch(/rapido: |^\s+at /m);
    const lines = split.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `Rendering "${lesson.title}" (4 slides, ${width}x${height} @ ${lesson.output.fps} fps) to ${splitPath} in 2 parallel parts`,
    );
    expect(lines.at(-2)).toMatch(/^\[100%\] done: slides 1-2, 3-4 joined in \d+\.\d s$/);
    expect(lines.at(-1)).toBe(`Wrote ${splitPath}`);

    // Frames: the same count, the same times, every one (none dropped or doubled at the join).
    const wholeVideo = await countedStream(wholePath, 'v:0');
    const splitVideo = await countedStream(splitPath, 'v:0');
    expect(splitVideo.frames).toBe(wholeVideo.frames);
    expect(splitVideo.frames).toBe(Math.round(splitVideo.durationSec * lesson.output.fps));
    expect(await videoPacketTimes(splitPath)).toEqual(await videoPacketTimes(wholePath));
    // Audio: the very same packets, so the very same samples.
    const wholeAudio = await audioTrackFingerprint(wholePath);
    expect(await audioTrackFingerprint(splitPath)).toEqual(wholeAudio);
    expect(wholeAudio.decodedSamples).toBeGreaterThan(48_000 * 30);
    // Chapters (one per slide, at the same times) and the side files, whole.
    expect(splitVideo.chapters).toEqual(wholeVideo.chapters);
    expect(splitVideo.chapters.map((chapter) => chapter.title)).toEqual(
      lesson.slides.map((slide, index) => slideTitle(slide, index)),
    );
    for (const suffix of ['.vtt', '.chapters.vtt']) {
      expect(await readFile(splitPath.replace(/\.mp4$/, suffix), 'utf8')).toBe(
        await readFile(wholePath.replace(/\.mp4$/, suffix), 'utf8'),
      );
    }
    // Nothing of the parts is left: no part folder, no part file.
    expect((await readdir(dirname(splitPath))).sort()).toEqual([
      'split.chapters.vtt',
      'split.mp4',
      'split.vtt',
      'whole.chapters.vtt',
      'whole.mp4',
      'whole.vtt',
    ]);
    // The log says where the join came from; each part's export ended in the renderer.
    const entries = await readMainLog(split.logDir);
    const joined = entries.filter((entry) => entry.event_type === 'export_parts_joined');
    expect(joined).toHaveLength(1);
    expect(Number(joined[0]?.performance_data?.videoPackets)).toBe(splitVideo.frames);
    expect(entries.filter((e) => e.level === 'ERROR').map((e) => e.message)).toEqual([]);
    expect(existsSync(splitPath)).toBe(true);
  },
);

test('--parallel is refused with real time, and outside 1 to 8, before anything starts', async () => {
  const { dir } = await sampleLessonAt(width, height);
  const outPath = join(await tempDir('out'), 'talk.mp4');
  const realtime = await runCli(['render', dir, '--out', outPath, '--parallel', '2', '--realtime']);
  expect(realtime.code, describeRun(realtime)).toBe(2);
  expect(realtime.stderr).toContain(
    '--parallel cannot be used with --realtime: real time cannot be split (only the export can)',
  );
  expect(realtime.stderr).toContain('Usage: rapido');
  const tooMany = await runCli(['render', dir, '--out', outPath, '--parallel', '9']);
  expect(tooMany.code, describeRun(tooMany)).toBe(2);
  expect(tooMany.stderr).toContain('--parallel: a whole number of parts from 1 to 8');
  expect(existsSync(outPath)).toBe(false);
});
