import { scaled } from './support/timeouts.ts';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { expect, test } from '@playwright/test';
import { slideTitle, type Lesson } from '../src/shared/lesson/lesson-schema.ts';
import { requireRendererBuild, sampleLessonAt } from '../testing/support/app-host.ts';
import {
  describeRun,
  readLogLines,
  readMainLog,
  runCli,
  tempDir,
  type CliRun,
} from '../testing/support/render-cli.ts';
import { z } from 'zod';
import { countedStream, ffprobe, streamDurationSec } from '../testing/support/media-probe.ts';

/**
 * `npm run render` as a user or CI job runs it: a child process, judged by its exit code, its
 * terminal output, the MP4 it writes and the JSON-lines logs it leaves. No browser fixture: the
 * CLI starts its own Chromium.
 */
const width = 640;
const height = 360;
const progressLine = /^\[\s*(\d{1,3})%\] (\w+)/;
const stackFrame = /^\s+at /m;

/** Events that belong to the lesson's pipeline: each must say which lesson it is about. */
function isPipelineEvent(eventType: string | null): boolean {
  return (
    eventType !== null &&
    /^(lesson_open|speech_synthesized|playback_\w+|slide_change|recording_\w+|composer_fps)$/.test(
      eventType,
    )
  );
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The 1-based line of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`"${needle}" is not in the lesson file`);
  return index + 1;
}

test.beforeAll(() => {
  requireRendererBuild();
});

test(
  'exports a lesson frame by frame: progress with speed and time left, chapters, captions, logs',
  { tag: '@busy' },
  async () => {
    const testInfo = test.info();
    const { dir, lesson } = await sampleLessonAt(width, height, (l) => ({
      ...l,
      slides: l.slides.slice(0, 3),
    }));
    const outPath = join(await tempDir('out'), 'talk.mp4');
    const run = await runCli(['render', dir, '--out', outPath]);
    testInfo.annotations.push({ type: 'export wall time', description: `${run.wallMs} ms` });
    await testInfo.attach('cli output', { body: describeRun(run), contentType: 'text/plain' });
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stderr, 'no errors or stack traces on success').not.toMatch(/rapido: |^\s+at /m);

    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe(`Wrote ${outPath}`);
    const exporting = lines.filter((line) => /^\[\s*\d{1,3}%\] exporting slide \d/.test(line));
    expect(exporting.length, run.stdout).toBeGreaterThanOrEqual(3);
    // Once the rate is known, each line says how fast and how long is left.
    expect(exporting.some((line) => / \d+\.\dx real time, \d\d:\d\d left$/.test(line))).toBe(true);
    expect(lines.at(-2)).toMatch(/^\[100%\] done /);

    // Frame-exact H.264 with the narration, one chapter per slide, captions beside it.
    const videoStream = await countedStream(outPath, 'v:0');
    expect(videoStream.frames).toBe(Math.round(videoStream.durationSec * lesson.output.fps));
    expect(videoStream.chapters.map((chapter) => chapter.title)).toEqual(
      lesson.slides.map((slide, index) => slideTitle(slide, index)),
    );
    const probe = await ffprobe(outPath);
    expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['h264', 'opus']);
    expect(existsSync(outPath.replace(/\.mp4$/, '.vtt'))).toBe(true);
    expect(existsSync(outPath.replace(/\.mp4$/, '.chapters.vtt'))).toBe(true);
    expect((await readdir(dirname(outPath))).filter((name) => name.endsWith('.part'))).toEqual([]);

    // The logs: the renderer's start and end of the export, the file in main, all for this lesson.
    const entries = await readMainLog(run.logDir);
    const ofType = (type: string) => entries.filter((e) => e.event_type === type);
    expect(ofType('export_start')[0]?.event_source).toBe('frontend');
    const end = ofType('export_end')[0];
    expect(end?.lesson_id).toBe(lesson.id);
    expect(Number(end?.performance_data?.frames)).toBe(videoStream.frames);
    expect(Number(end?.performance_data?.realtimeFactor)).toBeGreaterThan(0);
    expect(ofType('export_file_closed')[0]?.event_source).toBe('backend');
    expect(entries.filter((e) => e.level === 'ERROR').map((e) => e.message)).toEqual([]);
  },
);

test('--realtime records a lesson to an H.264 + Opus MP4, with progress and JSON-lines logs', async () => {
  const testInfo = test.info();
  // Real time: about 30 s of program for the first two slides, plus start-up.
  test.setTimeout(scaled(240_000));
  const { dir, lesson } = await sampleLessonAt(width, height, (l) => ({
    ...l,
    slides: l.slides.slice(0, 2),
  }));
  const outPath = join(await tempDir('out'), 'talk.mp4');
  const startDay = utcDay(new Date());
  const run = await runCli(['render', dir, '--out', outPath, '--realtime']);
  const endDay = utcDay(new Date());
  testInfo.annotations.push({ type: 'render wall time', description: `${run.wallMs} ms` });
  await testInfo.attach('cli output', { body: describeRun(run), contentType: 'text/plain' });

  expect(run.code, describeRun(run)).toBe(0);
  expect(run.stderr, 'no errors or stack traces on success').not.toMatch(/rapido: |^\s+at /m);

  // Terminal output: a heading, progress lines that only go up, then where the file went.
  const lines = run.stdout.trimEnd().split('\n');
  expect(lines[0]).toBe(
    `Rendering "${lesson.title}" (2 slides, ${width}x${height} @ ${lesson.output.fps} fps) to ${outPath}`,
  );
  expect(lines.at(-1)).toBe(`Wrote ${outPath}`);
  const progress = lines.flatMap((line) => {
    const match = progressLine.exec(line);
    return match ? [{ percent: Number(match[1]), phase: match[2] }] : [];
  });
  expect(progress.length, run.stdout).toBeGreaterThanOrEqual(5);
  expect(
    lines.slice(1, -1).every((line) => progressLine.test(line)),
    run.stdout,
  ).toBe(true);
  for (let i = 1; i < progress.length; i += 1) {
    expect(progress[i]!.percent, `progress line ${i + 1}`).toBeGreaterThanOrEqual(
      progress[i - 1]!.percent,
    );
  }
  expect(new Set(progress.map((p) => p.percent)).size).toBeGreaterThanOrEqual(5);
  expect(progress.some((p) => p.phase === 'playing')).toBe(true);
  expect(progress.at(-1)).toEqual({ percent: 100, phase: 'done' });

  // The file: what a player would read.
  expect(existsSync(outPath)).toBe(true);
  const probe = await ffprobe(outPath);
  const video = probe.streams.find((s) => s.codec_type === 'video');
  const audio = probe.streams.find((s) => s.codec_type === 'audio');
  expect(video).toMatchObject({ codec_name: 'h264', width, height });
  expect(audio?.codec_name).toBe('opus');
  const videoSec = await streamDurationSec(outPath, 'v:0');
  const audioSec = await streamDurationSec(outPath, 'a:0');
  expect(Math.abs(videoSec - audioSec), `video ${videoSec}s, audio ${audioSec}s`).toBeLessThan(0.2);

  // The main log: one file for the day, every line JSON, pipeline lines tagged with the lesson.
  const logFiles = await readdir(run.logDir);
  const mainLog = logFiles.find((f) => /^rapido_\d{4}-\d{2}-\d{2}\.jsonl$/.test(f));
  const perfLog = logFiles.find((f) => /^rapido_performance_\d{4}-\d{2}-\d{2}\.jsonl$/.test(f));
  expect(mainLog, `log files: ${logFiles.join(', ')}`).toBeDefined();
  expect(perfLog, `log files: ${logFiles.join(', ')}`).toBeDefined();
  expect([`rapido_${startDay}.jsonl`, `rapido_${endDay}.jsonl`]).toContain(mainLog);
  const entries = await readLogLines(join(run.logDir, mainLog!));
  const pipeline = entries.filter((e) => isPipelineEvent(e.event_type));
  expect(pipeline.length).toBeGreaterThan(0);
  for (const entry of pipeline) {
    expect(entry.lesson_id, `${entry.event_type} line: ${entry.message}`).toBe(lesson.id);
  }
  const has = (eventType: string, source: 'backend' | 'frontend') =>
    pipeline.some((e) => e.event_type === eventType && e.event_source === source);
  expect(has('speech_synthesized', 'backend')).toBe(true);
  expect(has('playback_playing', 'frontend')).toBe(true);
  expect(has('recording_end', 'backend')).toBe(true);
  expect(has('recording_end', 'frontend')).toBe(true);
  expect(entries.filter((e) => e.level === 'ERROR').map((e) => e.message)).toEqual([]);

  // The program is as long as the speech plus the holds the lesson asks for.
  const speech = entries.filter((e) => e.event_type === 'speech_synthesized');
  const programSec = lesson.slides.reduce((sum, slide: Lesson['slides'][number]) => {
    const spoken = speech.find((e) => e.performance_data?.characters === slide.narration.length);
    const durationMs = spoken?.performance_data?.durationMs;
    if (typeof durationMs !== 'number') throw new Error(`no speech logged for ${slide.id}`);
    return sum + (durationMs + slide.holdMs) / 1000;
  }, 0);
  testInfo.annotations.push({
    type: 'durations',
    description: `video ${videoSec.toFixed(3)}s audio ${audioSec.toFixed(3)}s program ${programSec.toFixed(3)}s`,
  });
  expect(Math.abs(videoSec - programSec)).toBeLessThan(0.3);

  // The performance log: the composer's frame rate, once a second while playing.
  const perf = await readLogLines(join(run.logDir, perfLog!));
  const fps = perf.filter((e) => e.event_type === 'composer_fps');
  expect(fps.length).toBeGreaterThanOrEqual(Math.floor(programSec / 2));
  for (const entry of fps) {
    expect(entry.lesson_id).toBe(lesson.id);
    expect(entry.event_source).toBe('frontend');
    expect(entry.performance_data?.fps).toBeGreaterThan(0);
  }
  const rates = fps.map((e) => Number(e.performance_data?.fps));
  testInfo.annotations.push({
    type: 'composer fps',
    description: `min ${Math.min(...rates)} max ${Math.max(...rates)} over ${rates.length} s`,
  });
});

test.describe('refuses bad input with exit code 2 and a readable message', () => {
  function expectRefusal(run: CliRun, outPath: string | null): void {
    expect(run.code, describeRun(run)).toBe(2);
    expect(run.stderr).toMatch(/^rapido: /);
    expect(run.stderr, 'no stack trace').not.toMatch(stackFrame);
    expect(run.stdout).not.toContain('Rendering');
    if (outPath !== null) expect(existsSync(outPath)).toBe(false);
  }

  test('a slide image that does not exist: names the field and its line', async () => {
    const { dir } = await sampleLessonAt(width, height, (l) => ({
      ...l,
      slides: l.slides.map((s, i) => (i === 2 ? { ...s, image: 'slides/missing.png' } : s)),
    }));
    const line = lineOf(await readFile(join(dir, 'lesson.json'), 'utf8'), 'slides/missing.png');
    const outPath = join(await tempDir('out'), 'talk.mp4');
    const run = await runCli(['render', dir, '--out', outPath]);
    expectRefusal(run, outPath);
    expect(run.stderr).toContain(`slides[2].image (line ${line})`);
    expect(run.stderr).toContain('slides/missing.png');
  });

  test('a field of the wrong type: names the field and its line', async () => {
    const { dir } = await sampleLessonAt(width, height);
    const file = join(dir, 'lesson.json');
    const raw = z.record(z.string(), z.unknown()).parse(JSON.parse(await readFile(file, 'utf8')));
    const output = z.record(z.string(), z.unknown()).parse(raw.output);
    const text = JSON.stringify({ ...raw, output: { ...output, fps: 'fast' } }, null, 2);
    await writeFile(file, text);
    const outPath = join(await tempDir('out'), 'talk.mp4');
    const run = await runCli(['render', dir, '--out', outPath]);
    expectRefusal(run, outPath);
    expect(run.stderr).toContain(`output.fps (line ${lineOf(text, '"fast"')})`);
  });

  test('Chromium missing: says so and how to fix it', async () => {
    const { dir } = await sampleLessonAt(width, height);
    const outPath = join(await tempDir('out'), 'talk.mp4');
    const run = await runCli(['render', dir, '--out', outPath], {
      CHROMIUM_PATH: '/nonexistent/chromium',
    });
    expect(run.code, describeRun(run)).toBe(2);
    expect(run.stderr).toContain('Chromium was not found at /nonexistent/chromium');
    expect(run.stderr).toContain('apt-get install chromium');
    expect(run.stderr).toContain('CHROMIUM_PATH');
    expect(run.stderr).not.toMatch(stackFrame);
    expect(existsSync(outPath)).toBe(false);
  });

  test('--out in a folder that does not exist', async () => {
    const { dir } = await sampleLessonAt(width, height);
    const outPath = join(await tempDir('out'), 'no-such-folder', 'talk.mp4');
    const run = await runCli(['render', dir, '--out', outPath]);
    expectRefusal(run, outPath);
    expect(run.stderr).toContain(outPath);
    expect(existsSync(join(outPath, '..'))).toBe(false);
  });

  test('missing arguments: prints the usage', async () => {
    const noArgs = await runCli(['render']);
    expectRefusal(noArgs, null);
    expect(noArgs.stderr).toContain('missing <lessonDir>');
    expect(noArgs.stderr).toContain('Usage:');

    const { dir } = await sampleLessonAt(width, height);
    const noOut = await runCli(['render', dir]);
    expectRefusal(noOut, null);
    expect(noOut.stderr).toContain('missing --out');
    expect(noOut.stderr).toContain('Usage:');

    const noCommand = await runCli([]);
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr).toContain('Usage:');
  });

  test('unknown options and an --out that is not .mp4: usage, no stack trace', async () => {
    const { dir } = await sampleLessonAt(width, height);
    const outDir = await tempDir('out');
    const unknown = await runCli(['render', dir, '--out', join(outDir, 'a.mp4'), '--fast']);
    expectRefusal(unknown, join(outDir, 'a.mp4'));
    expect(unknown.stderr).toContain("'--fast'");
    expect(unknown.stderr).toContain('Usage:');

    const valueMissing = await runCli(['render', dir, '--out']);
    expectRefusal(valueMissing, null);
    expect(valueMissing.stderr).toContain('Usage:');

    const notMp4 = await runCli(['render', dir, '--out', join(outDir, 'talk.webm')]);
    expectRefusal(notMp4, join(outDir, 'talk.webm'));
    expect(notMp4.stderr).toContain('--out must end in .mp4');
  });
});

/** A PNG signature followed by garbage passes the store's type check but no decoder accepts it. */
async function lessonWithBrokenSlide2(): Promise<string> {
  const { dir } = await sampleLessonAt(width, height, (l) => ({
    ...l,
    slides: l.slides
      .slice(0, 3)
      .map((s, i) => (i === 1 ? { ...s, image: 'slides/broken.png' } : s)),
  }));
  await writeFile(
    join(dir, 'slides', 'broken.png'),
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(200, 7),
    ]),
  );
  return dir;
}

test('a slide that cannot be decoded: the export stops before encoding, exit 1, names it, writes nothing', async () => {
  const dir = await lessonWithBrokenSlide2();
  const outDir = await tempDir('out');
  const outPath = join(outDir, 'talk.mp4');
  const run = await runCli(['render', dir, '--out', outPath]);
  expect(run.code, describeRun(run)).toBe(1);
  expect(run.stderr).toContain('Slide 2: slides/broken.png could not be decoded');
  expect(run.stderr).toContain('Nothing was written');
  expect(run.stderr, 'no stack trace').not.toMatch(stackFrame);
  expect(await readdir(outDir)).toEqual([]);
});

test('a slide that cannot be decoded mid-recording (--realtime): stops at once, exit 1, names the slide', async () => {
  test.setTimeout(scaled(120_000));
  // The failure only shows when the renderer prepares slide 2, while slide 1 is on air.
  const dir = await lessonWithBrokenSlide2();
  const outPath = join(await tempDir('out'), 'talk.mp4');
  const run = await runCli(['render', dir, '--out', outPath, '--realtime']);
  expect(run.code, describeRun(run)).toBe(1);
  expect(run.stderr).toContain('Slide 2: slides/broken.png could not be decoded');
  expect(run.stderr, 'no stack trace').not.toMatch(stackFrame);
  expect(run.stdout).not.toContain('Wrote ');
});
