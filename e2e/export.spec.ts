import { scaled } from './support/timeouts.ts';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { parseWebVtt } from '../src/shared/captions/caption-cues.ts';
import { slideTitle, type Lesson } from '../src/shared/lesson/lesson-schema.ts';
import type { HeadlessHost } from '../src/main/hosts/headless/headless-host.ts';
import { readLessonAt, sampleLessonAt, startTestHost } from '../testing/support/app-host.ts';
import { changedFrames, placeSpeech } from '../testing/support/av-sync.ts';
import { countedStream, decodeAudioMono16k, ffprobe } from '../testing/support/media-probe.ts';
import { readMainLog, tempDir, type LogLine } from '../testing/support/render-cli.ts';
import { expectLessonReady } from './support/lesson-state.ts';
import { playedSpeech } from './support/speech-cache.ts';

/**
 * The frame-stepped export, driven from the app as a person would (Export video, watch the
 * progress bar, Cancel), judged on what it leaves on disk: exact frame count, chapters where the
 * slides change, captions on the program clock, and the A/V offset measured from the file.
 */
test.describe.configure({ mode: 'serial' });

interface Running {
  host: HeadlessHost;
  dataDir: string;
  logDir: string;
}

async function openApp(page: Page, dir: string, folder: string): Promise<Running> {
  const running = await startTestHost(dir, { RAPIDO_RECORDING_DIR: folder });
  await page.goto(running.host.server.appUrl);
  await expectLessonReady(page, (await readLessonAt(dir)).title);
  await expect(page.getByTestId('slide-position')).toHaveText(/^Slide 1 \//);
  // The folder is main's (here from the environment); the page only shows it.
  await expect(page.getByRole('textbox', { name: 'Recording folder' })).toHaveValue(folder);
  return running;
}

function events(lines: LogLine[], eventType: string): LogLine[] {
  return lines.filter((line) => line.event_type === eventType);
}

function words(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

test(
  'exports the sample lesson: exact frames, chapters on the slide changes, captions, A/V within a frame',
  { tag: '@busy' },
  async ({ page }) => {
    test.setTimeout(scaled(180_000));
    const width = 640;
    const height = 360;
    const { dir, lesson } = await sampleLessonAt(width, height);
    const fps = lesson.output.fps;
    const folder = await tempDir('export');
    const running = await openApp(page, dir, folder);
    try {
      await page.getByRole('button', { name: 'Export video' }).click();
      // The progress bar shows while it works, with the slide, percentage and speed.
      await expect(page.getByRole('progressbar', { name: 'Export progress' })).toBeVisible();
      await expect(page.getByTestId('export-progress')).toContainText(/Exporting slide \d/);
      await expect(page.getByTestId('export-saved')).toBeVisible({ timeout: 150_000 });
      await page.screenshot({ path: test.info().outputPath('exported.png') });
      // The transport is usable again, on slide 1.
      await expect(page.getByRole('button', { name: '▶ Play' })).toBeEnabled();

      const names = (await readdir(folder)).sort();
      const video = names.find((name) => name.endsWith('.mp4'));
      expect(video, names.join(', ')).toBeDefined();
      const base = video!.slice(0, -'.mp4'.length);
      // The file, its captions and its chapter list; no part file left behind.
      expect(names).toEqual([`${base}.chapters.vtt`, `${base}.mp4`, `${base}.vtt`].sort());
      const file = join(folder, video!);
      await expect(page.getByTestId('export-saved')).toContainText(file);

      const probe = await ffprobe(file);
      expect(probe.streams.find((s) => s.codec_type === 'video')).toMatchObject({
        codec_name: 'h264',
        width,
        height,
        r_frame_rate: `${fps}/1`,
      });
      const videoStream = await countedStream(file, 'v:0');
      const audioStream = await countedStream(file, 'a:0');
      // Frame-exact: every frame interval of the program is one decoded frame.
      expect(videoStream.frames).toBe(Math.round(videoStream.durationSec * fps));
      expect(videoStream.startSec).toBe(0);
      expect(audioStream.sampleRateHz).toBe(48_000);
      expect(Math.abs(audioStream.durationSec - videoStream.durationSec)).toBeLessThan(1 / fps);

      // The program the app made: the log says how long, and the file agrees to the frame.
      const lines = await readMainLog(running.logDir);
      const end = events(lines, 'export_end').at(-1)?.performance_data;
      expect(end, 'an export_end line').toBeDefined();
      const programMs = Number(end?.programMs);
      expect(videoStream.frames).toBe(Number(end?.frames));
      expect(Math.abs(videoStream.frames - (programMs * fps) / 1000)).toBeLessThan(1);

      // Each slide's speech, found sample-exactly in the file's audio.
      const speech = await playedSpeech(running.dataDir, lesson);
      const audio = await decodeAudioMono16k(file);
      const audioStartsSec: number[] = [];
      let expectedSec = 0;
      for (const [index, pcm] of speech.entries()) {
        const placed = placeSpeech(audio, pcm, expectedSec, 0.5);
        expect(placed.correlation, `slide ${index + 1} speech intact`).toBeGreaterThan(0.95);
        expect(placed.worstWindowCorrelation, `slide ${index + 1} no gap`).toBeGreaterThan(0.8);
        // Sample-accurate: where the speech and hold before it end, to within a millisecond.
        expect(Math.abs(placed.startSec - expectedSec), `slide ${index + 1} start`).toBeLessThan(
          0.001 + (index === 0 ? 0 : 0.0005),
        );
        audioStartsSec.push(placed.startSec);
        expectedSec =
          placed.startSec + pcm.length / 16_000 + (lesson.slides[index]?.holdMs ?? 0) / 1000;
      }

      // Slide changes, seen in the picture (a region clear of the avatar and captions).
      const changes = await changedFrames(file, {
        x: 0,
        y: 0,
        width: Math.floor(width * 0.6),
        height: Math.floor(height * 0.6),
      });
      expect(changes).toHaveLength(lesson.slides.length - 1);
      const offsetsMs = changes.map(
        (frame, i) => (frame / fps - (audioStartsSec[i + 1] ?? 0)) * 1000,
      );
      test.info().annotations.push({
        type: 'A/V offset at slide changes (video minus audio)',
        description: offsetsMs.map((ms) => `${ms.toFixed(1)} ms`).join(', '),
      });
      for (const offsetMs of offsetsMs) {
        // The picture changes on the first frame at or after the speech starts: within one frame.
        expect(offsetMs).toBeGreaterThanOrEqual(-0.5);
        expect(offsetMs).toBeLessThan(1000 / fps);
      }

      // One chapter per slide, titled as the slides are, starting where the picture changes.
      expect(videoStream.chapters.map((chapter) => chapter.title)).toEqual(
        lesson.slides.map((slide, index) => slideTitle(slide, index)),
      );
      expect(videoStream.chapters.map((chapter) => Math.round(chapter.startSec * fps))).toEqual([
        0,
        ...changes,
      ]);
      const chaptersVtt = parseWebVtt(await readFile(join(folder, `${base}.chapters.vtt`), 'utf8'));
      expect(chaptersVtt.map((cue) => cue.text)).toEqual(
        videoStream.chapters.map((chapter) => chapter.title),
      );

      // Captions: valid WebVTT, in order, the whole narration, each slide's starting with its speech.
      const vttText = await readFile(join(folder, `${base}.vtt`), 'utf8');
      expect(vttText.startsWith('WEBVTT')).toBe(true);
      const cues = parseWebVtt(vttText);
      expect(cues.length).toBeGreaterThan(lesson.slides.length);
      for (const [index, cue] of cues.entries()) {
        expect(cue.endMs, `cue ${index + 1}`).toBeGreaterThan(cue.startMs);
        expect(cue.startMs, `cue ${index + 1}`).toBeGreaterThanOrEqual(cues[index - 1]?.endMs ?? 0);
      }
      expect(cues.at(-1)!.endMs).toBeLessThanOrEqual(videoStream.durationSec * 1000 + 1);
      expect(words(cues.map((cue) => cue.text).join(' '))).toBe(
        words(lesson.slides.map((slide) => slide.narration).join(' ')),
      );
      for (const [index, startSec] of audioStartsSec.entries()) {
        const firstWord = words(lesson.slides[index]?.narration ?? '').split(' ')[0] ?? '';
        const cue = cues.find(
          (c) => c.startMs >= startSec * 1000 - 1 && words(c.text).startsWith(firstWord),
        );
        expect(cue, `slide ${index + 1}'s first caption`).toBeDefined();
        expect(cue!.startMs - startSec * 1000, `slide ${index + 1}'s first caption`).toBeLessThan(
          1000,
        );
      }
    } finally {
      await running.host.close();
    }
  },
);

test('Cancel mid-export keeps nothing and releases the encoders; the app plays and exports again', async ({
  page,
}) => {
  test.setTimeout(scaled(240_000));
  // 720p and two slides: long enough to cancel in the middle, short enough to export again.
  const { dir } = await sampleLessonAt(1280, 720, (lesson: Lesson) => ({
    ...lesson,
    slides: lesson.slides.slice(0, 2),
  }));
  const folder = await tempDir('export-cancel');
  const running = await openApp(page, dir, folder);
  try {
    await page.getByRole('button', { name: 'Export video' }).click();
    const progress = page.getByTestId('export-progress');
    await expect(progress).toContainText(/Exporting slide 1 · ([1-9]\d)%/, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Cancel export' }).click();
    await expect(page.getByTestId('notice-info')).toContainText('nothing was kept');
    await expect(progress).toBeHidden();
    expect(await readdir(folder), 'nothing left in the folder').toEqual([]);

    const lines = await readMainLog(running.logDir);
    expect(events(lines, 'export_file_open')).toHaveLength(1);
    expect(events(lines, 'export_file_discarded')).toHaveLength(1);
    expect(events(lines, 'export_cancelled')).toHaveLength(1);
    expect(events(lines, 'export_encoders').at(-1)?.performance_data?.encodersClosed).toBe(true);

    // The renderer keeps working: it plays...
    await page.getByRole('button', { name: '▶ Play' }).click();
    await expect(page.getByTestId('clock')).toHaveText(/^00:0[2-9]/, { timeout: 20_000 });
    await page.getByRole('button', { name: '■ Stop' }).click();
    // ...and exports again, to the end.
    await page.getByRole('button', { name: 'Export video' }).click();
    await expect(page.getByTestId('export-saved')).toBeVisible({ timeout: 200_000 });
    const names = await readdir(folder);
    const video = names.find((name) => name.endsWith('.mp4'));
    expect(video, names.join(', ')).toBeDefined();
    expect(names.some((name) => name.endsWith('.part'))).toBe(false);
    const videoStream = await countedStream(join(folder, video!), 'v:0');
    expect(videoStream.frames).toBe(Math.round(videoStream.durationSec * 25));
  } finally {
    await running.host.close();
  }
});

test(
  'a slide image missing on disk stops the export before anything is encoded, naming the file',
  { tag: '@busy' },
  async ({ page }) => {
    const { dir, lesson } = await sampleLessonAt(640, 360);
    const folder = await tempDir('export-missing');
    const running = await openApp(page, dir, folder);
    try {
      // The lesson opened fine; then the third slide's image went away (moved, renamed, deleted).
      const image = lesson.slides[2]!.image;
      await rm(join(dir, image));
      expect(existsSync(join(dir, image))).toBe(false);
      await page.getByRole('button', { name: 'Export video' }).click();
      const notice = page.getByTestId('notice-error');
      await expect(notice).toContainText(image);
      await expect(notice).toContainText('Slide 3');
      await expect(notice).toContainText('Nothing was written');
      expect(await readdir(folder)).toEqual([]);
      const lines = await readMainLog(running.logDir);
      // Stopped at the check: no file was opened and no encoder started.
      expect(events(lines, 'export_file_open')).toHaveLength(0);
      expect(events(lines, 'export_start')).toHaveLength(0);
      await expect(page.getByRole('button', { name: 'Export video' })).toBeEnabled();
    } finally {
      await running.host.close();
    }
  },
);
