import { copyFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Lesson } from '../src/shared/lesson/lesson-schema.ts';
import type { HeadlessHost } from '../src/main/hosts/headless/headless-host.ts';
import { readLessonAt, sampleLessonAt, startTestHost } from '../testing/support/app-host.ts';
import { readMainLog } from '../testing/support/render-cli.ts';
import { expectLessonReady } from './support/lesson-state.ts';

/**
 * A slide spoken by its recording, in real Chromium through the headless host: the editor shows
 * it as recorded narration, Play keeps the slide on air for the recording's length (1.90 s, where
 * the voice would take about 15 s for the same script), and "Use the voice instead" removes the
 * recording from the saved lesson. The clip is the real LJ Speech fixture (SOURCES.md §5c).
 */
const clip = resolve(
  import.meta.dirname,
  '../../shared/fixtures/media/speech/ljspeech_LJ001-0002_short_22k_mono.wav',
);
const clipMs = 1900;

let host: HeadlessHost;
let lessonDir: string;
let lesson: Lesson;
let logDir: string;

test.skip(!existsSync(clip), `speech fixture not found: ${clip} (../shared/fixtures/media/speech)`);

test.beforeAll(async () => {
  ({ dir: lessonDir, lesson } = await sampleLessonAt(640, 360, (sample) => ({
    ...sample,
    slides: sample.slides.map((slide, index) =>
      index === 0
        ? {
            ...slide,
            holdMs: 0,
            recordedNarration: {
              audio: 'narration/slide-01.wav',
              words: [{ text: 'Welcome', startMs: 200, endMs: 900 }],
            },
          }
        : slide,
    ),
  })));
  await mkdir(join(lessonDir, 'narration'));
  await copyFile(clip, join(lessonDir, 'narration', 'slide-01.wav'));
  ({ host, logDir } = await startTestHost(lessonDir));
});

test.afterAll(async () => {
  await host.close();
});

test(
  'a recorded slide is shown as such, plays for the recording, and can go back to the voice',
  { tag: '@busy' },
  async ({ page }) => {
    await page.goto(host.server.appUrl);
    await expectLessonReady(page, lesson.title);
    const slides = lesson.slides.length;
    await expect(page.getByTestId('slide-position')).toHaveText(`Slide 1 / ${slides}`);
    await expect(page.getByTestId('recorded-narration')).toHaveText('Recorded narration');
    await expect(page.getByText('narration/slide-01.wav · 1 timed words')).toBeVisible();

    await page.getByRole('button', { name: '▶ Play', exact: true }).click();
    await expect(page.getByTestId('slide-position')).toHaveText(`Slide 2 / ${slides}`, {
      timeout: 20_000,
    });
    await page.getByRole('button', { name: '■ Stop' }).first().click();

    // The page's log lines reach main's file shortly after the UI shows the change.
    await expect
      .poll(async () => (await readMainLog(logDir)).some((l) => l.message === 'slide 2 on air'))
      .toBe(true);
    const log = await readMainLog(logDir);
    // Main spoke the recording: its length, not a synthesis of the script.
    const recorded = log.filter(
      (line) =>
        line.event_type === 'speech_synthesized' && line.performance_data?.recorded === true,
    );
    expect(recorded.length).toBeGreaterThan(0);
    expect(Math.abs(Number(recorded[0]?.performance_data?.durationMs) - clipMs)).toBeLessThan(20);
    // Slide 2 came on air about a recording's length after the first sample (hold 0): the voice
    // would have taken about 15 s. Wall-clock log times, so the bounds allow a late slide (a
    // busy machine's look-ahead logs slide_stall) and the audio output's start-up latency.
    const at = (type: string, message?: string) =>
      log.find(
        (line) => line.event_type === type && (message === undefined || line.message === message),
      );
    const started = at('play_to_first_sample');
    const second = at('slide_change', 'slide 2 on air');
    if (!started || !second) throw new Error('the start and the slide change were not logged');
    const heldMs = Date.parse(second.timestamp) - Date.parse(started.timestamp);
    expect(heldMs).toBeGreaterThanOrEqual(clipMs - 300);
    expect(heldMs).toBeLessThan(clipMs + 3000);

    await page.locator('nav[aria-label="Slides"] .slide-item').first().click();
    await expect(page.getByTestId('slide-position')).toHaveText(`Slide 1 / ${slides}`);
    await page.getByRole('button', { name: 'Use the voice instead' }).click();
    await expect(page.getByTestId('recorded-narration')).toHaveCount(0);
    await expect(page.getByTestId('save-state')).toHaveText('All changes saved');
    const saved = await readLessonAt(lessonDir);
    expect(saved.slides[0]?.recordedNarration).toBeUndefined();
    expect(saved.slides[0]?.narration).toBe(lesson.slides[0]?.narration);
  },
);
