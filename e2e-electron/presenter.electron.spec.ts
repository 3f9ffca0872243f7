import { expectLessonReady } from '../e2e/support/lesson-state.ts';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Lesson } from '../src/shared/lesson/lesson-schema.ts';
import { sampleLessonAt } from '../testing/support/app-host.ts';
import { countedStream, ffprobe, streamDurationSec } from '../testing/support/media-probe.ts';
import {
  electronSkipReason,
  findElectronBinary,
  launchDesktopApp,
  type RunningApp,
} from './support/electron-app.ts';

/**
 * The real desktop app (Electron main process, sandboxed preload, Electron IPC) driven as a
 * person would: the same flow as e2e/presenter.spec.ts runs through the headless host, plus a
 * short recording. Runs wherever an Electron binary and a display exist; skips, saying why,
 * everywhere else.
 */
const width = 640;
const height = 360;
const skipReason = electronSkipReason();

test.describe('desktop app (Electron)', () => {
  test.skip(skipReason !== null, skipReason ?? '');
  test.describe.configure({ mode: 'serial' });

  let running: RunningApp | undefined;
  let lesson: Lesson;

  test.beforeAll(async () => {
    const lookup = findElectronBinary();
    if (!lookup.found) throw new Error(lookup.reason);
    // A title of its own proves the lesson came from the command line, not the built-in sample.
    const copy = await sampleLessonAt(width, height, (l) => ({
      ...l,
      title: `Electron e2e: ${l.title}`,
    }));
    lesson = copy.lesson;
    running = await launchDesktopApp(lookup.executablePath, copy.dir);
  });

  test.afterAll(async () => {
    await running?.app.close();
  });

  function app(): RunningApp {
    if (running === undefined) throw new Error('the desktop app did not start');
    return running;
  }

  test.afterEach(async () => {
    const testInfo = test.info();
    if (testInfo.status !== testInfo.expectedStatus) {
      await running?.window
        .screenshot({ path: testInfo.outputPath('failure.png') })
        .catch(() => undefined);
    }
  });

  test('opens the lesson from the command line; play, pause, resume, jump and stop work', async () => {
    const page = app().window;
    // The lesson given as `electron . <lessonDir>`, waited for on the app's own state.
    await expectLessonReady(page, lesson.title);
    await expect(page.getByTestId('slide-position')).toHaveText('Slide 1 / 4');

    await page.getByRole('button', { name: '▶ Play' }).click();
    await expect(page.getByTestId('play-state')).toHaveText('playing');
    await expect(page.getByTestId('clock')).toHaveText(/^00:0[1-9]/, { timeout: 15_000 });

    await page.getByRole('button', { name: '❚❚ Pause' }).click();
    await expect(page.getByTestId('play-state')).toHaveText('paused');
    await page.getByRole('button', { name: '▶ Resume' }).click();
    await expect(page.getByTestId('play-state')).toHaveText('playing');

    await page.getByRole('button', { name: /^3\s/ }).click();
    await expect(page.getByTestId('slide-position')).toHaveText('Slide 3 / 4');
    await expect(page.getByTestId('play-state')).toHaveText('playing');
    await expect(page.getByTestId('narration')).toHaveValue(lesson.slides[2]?.narration ?? '');

    await page.getByRole('button', { name: 'Next slide' }).click();
    await expect(page.getByTestId('slide-position')).toHaveText('Slide 4 / 4');

    await page.getByRole('button', { name: '■ Stop' }).click();
    await expect(page.getByTestId('play-state')).toHaveText('idle');
  });

  test('records a few seconds to an H.264 + Opus MP4 through Electron IPC', async () => {
    test.setTimeout(120_000);
    const { window: page, recordingDir, logDir } = app();
    await mkdir(recordingDir, { recursive: true });
    // The folder is main's (RAPIDO_RECORDING_DIR here); the page shows it and cannot change it.
    await expect(page.getByRole('textbox', { name: 'Recording folder' })).toHaveValue(recordingDir);
    await page.getByRole('button', { name: '● Record' }).click();
    await expect(page.getByTestId('recording-status')).toBeVisible();
    // Record from idle starts the presentation over, so the clock counts from zero.
    await expect(page.getByTestId('slide-position')).toHaveText('Slide 1 / 4');
    await expect(page.getByTestId('clock')).toHaveText(/^00:0[3-9]/, { timeout: 20_000 });
    await page.getByRole('button', { name: '● Stop recording' }).click();
    await expect(page.getByTestId('recording-saved')).toBeVisible({ timeout: 30_000 });

    const files = (await readdir(recordingDir)).filter((f) => f.endsWith('.mp4'));
    expect(files, 'one MP4 in the recording folder').toHaveLength(1);
    const file = join(recordingDir, files[0] ?? '');
    await expect(page.getByTestId('recording-saved')).toContainText(file);

    const probe = await ffprobe(file);
    expect(probe.streams.find((s) => s.codec_type === 'video')).toMatchObject({
      codec_name: 'h264',
      width,
      height,
    });
    expect(probe.streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('opus');
    const videoSec = await streamDurationSec(file, 'v:0');
    const audioSec = await streamDurationSec(file, 'a:0');
    test.info().annotations.push({
      type: 'durations',
      description: `video ${videoSec.toFixed(3)}s audio ${audioSec.toFixed(3)}s`,
    });
    expect(videoSec).toBeGreaterThan(2.5);
    expect(Math.abs(videoSec - audioSec)).toBeLessThan(0.2);

    // The renderer's log lines crossed Electron IPC into the main process's JSON-lines log.
    const logFiles = await readdir(logDir);
    const mainLog = logFiles.find((f) => /^rapido_\d{4}-\d{2}-\d{2}\.jsonl$/.test(f));
    expect(mainLog, `log files: ${logFiles.join(', ')}`).toBeDefined();
    const recordingEnds = async () =>
      (await readFile(join(logDir, mainLog ?? ''), 'utf8'))
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((e) => e.event_type === 'recording_end')
        .map((e) => `${String(e.event_source)} ${String(e.lesson_id)}`)
        .sort();
    // The renderer's line is fire-and-forget, so it may land just after the UI says "Saved".
    await expect
      .poll(recordingEnds, { timeout: 10_000 })
      .toEqual([`backend ${lesson.id}`, `frontend ${lesson.id}`]);
  });

  test('exports the lesson frame by frame through Electron IPC: exact frames, chapters, captions', async () => {
    test.setTimeout(240_000);
    const { window: page, recordingDir } = app();
    // The export goes to main's recordings folder, beside the earlier recording.
    await mkdir(recordingDir, { recursive: true });
    const before = new Set(await readdir(recordingDir));
    await page.getByRole('button', { name: 'Export video' }).click();
    await expect(page.getByRole('progressbar', { name: 'Export progress' })).toBeVisible();
    await expect(page.getByTestId('export-saved')).toBeVisible({ timeout: 200_000 });
    const names = (await readdir(recordingDir)).filter((name) => !before.has(name)).sort();
    const video = names.find((name) => name.endsWith('.mp4'));
    expect(video, names.join(', ')).toBeDefined();
    const base = (video ?? '').slice(0, -'.mp4'.length);
    expect(names).toEqual([`${base}.chapters.vtt`, `${base}.mp4`, `${base}.vtt`].sort());
    const stream = await countedStream(join(recordingDir, video ?? ''), 'v:0');
    expect(stream.frames).toBe(Math.round(stream.durationSec * lesson.output.fps));
    expect(stream.chapters).toHaveLength(lesson.slides.length);
  });
});
