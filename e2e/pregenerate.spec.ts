import { expectLessonReady } from './support/lesson-state.ts';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import type { Lesson } from '../src/shared/lesson/lesson-schema.ts';
import type { HeadlessHost } from '../src/main/hosts/headless/headless-host.ts';
import {
  startReferenceServer,
  type ReferenceServer,
} from '../testing/synctalk-reference/reference-server.ts';
import { sampleLessonAt, startTestHost } from '../testing/support/app-host.ts';
import { readLogLines, readMainLog, type LogLine } from '../testing/support/render-cli.ts';

/**
 * "Prepare whole lesson" through the headless host in real Chromium: every slide's speech (and
 * SyncTalk avatar) made ahead into main's caches, with progress, time left, Cancel and a
 * summary; a second run finds everything in the cache, and playback later asks main for exactly
 * what was prepared (its speech comes from the cache).
 */
const width = 640;
const height = 360;

test.describe.configure({ mode: 'serial' });

let host: HeadlessHost | null = null;
let server: ReferenceServer | null = null;

test.afterEach(async () => {
  await host?.close();
  host = null;
  await server?.close();
  server = null;
});

async function openApp(page: Page, lessonDir: string, lesson: Lesson): Promise<string> {
  const started = await startTestHost(lessonDir);
  host = started.host;
  await page.goto(started.host.server.appUrl);
  await expectLessonReady(page, lesson.title);
  return started.logDir;
}

const panel = (page: Page) => page.getByTestId('pregenerate-panel');
const prepareButton = (page: Page) =>
  panel(page).getByRole('button', { name: 'Prepare whole lesson' });

/** The figures each run logged (pregenerate_end), oldest first. */
async function runEnds(logDir: string): Promise<Record<string, unknown>[]> {
  return (await readMainLog(logDir))
    .filter((line) => line.event_type === 'pregenerate_end')
    .map((line) => line.performance_data ?? {});
}

/** Presses Prepare, waits for the run to end, and returns what it logged. */
async function prepare(page: Page, logDir: string): Promise<Record<string, unknown>> {
  const before = (await runEnds(logDir)).length;
  await expect(prepareButton(page)).toBeEnabled();
  await prepareButton(page).click();
  await expect(panel(page)).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect.poll(async () => (await runEnds(logDir)).length).toBe(before + 1);
  const end = (await runEnds(logDir)).at(-1);
  if (!end) throw new Error('no pregenerate_end line');
  return end;
}

async function shoot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await panel(page).screenshot({ path: testInfo.outputPath(`${name}-panel.png`) });
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`) });
}

/** The performance log's lines (segments made are logged there), oldest first. */
async function readPerfLog(logDir: string): Promise<LogLine[]> {
  const files = (await readdir(logDir)).filter((name) => name.startsWith('rapido_performance_'));
  return (await Promise.all(files.sort().map((name) => readLogLines(join(logDir, name))))).flat();
}

async function segmentsGenerated(logDir: string): Promise<number> {
  return (await readPerfLog(logDir)).filter(
    (line) => line.event_type === 'avatar_segment_generated',
  ).length;
}

function speechLines(lines: LogLine[]): LogLine[] {
  return lines.filter((line) => line.event_type === 'speech_synthesized');
}

test(
  'prepares every slide with the offline voice; again, all from the cache; playback then hits it',
  { tag: '@busy' },
  async ({ page }, testInfo) => {
    const { dir, lesson } = await sampleLessonAt(width, height);
    const count = lesson.slides.length;
    const logDir = await openApp(page, dir, lesson);

    const first = await prepare(page, logDir);
    expect(first).toMatchObject({
      state: 'done',
      slidesTotal: count,
      slidesReady: count,
      failures: 0,
    });
    await expect(panel(page).getByLabel('Preparation progress').first()).toHaveAttribute(
      'value',
      '100',
    );
    await expect(page.getByTestId('pregenerate-summary')).toContainText(
      new RegExp(`^${count} slides ready \\(\\d+ from cache\\) in [\\d.]+ s`),
    );
    // The lesson's opening prepares the first slides for Play; the rest were made by this run.
    expect(Number(first.slidesFromCache)).toBeLessThan(count);
    await shoot(page, testInfo, 'pregenerate-done');

    const second = await prepare(page, logDir);
    expect(second).toMatchObject({
      state: 'done',
      slidesReady: count,
      slidesFromCache: count,
      speechCached: count,
    });
    expect(Number(second.slidesFromCache)).toBeGreaterThan(Number(first.slidesFromCache));
    await expect(page.getByTestId('pregenerate-summary')).toContainText(
      `${count} slides ready (${count} from cache)`,
    );

    // The last slide was never prepared by the engine: selecting it asks main for its speech,
    // with the engine's own request, and the cache answers.
    const linesBefore = (await readMainLog(logDir)).length;
    await page
      .locator('nav[aria-label="Slides"] .slide-item')
      .nth(count - 1)
      .click();
    await expect(page.getByTestId('slide-position')).toHaveText(`Slide ${count} / ${count}`);
    await expect
      .poll(async () => speechLines((await readMainLog(logDir)).slice(linesBefore)).length)
      .toBeGreaterThan(0);
    const asked = speechLines((await readMainLog(logDir)).slice(linesBefore));
    expect(asked.map((line) => line.performance_data?.cached)).not.toContain(false);
  },
);

test('cancel mid-way stops at once with fewer slides done', async ({ page }, testInfo) => {
  // Twelve long slides (each distinct, so none is the cache entry of another).
  const { dir, lesson } = await sampleLessonAt(width, height, (base) => {
    const long = base.slides.map((slide) => slide.narration).join(' ');
    const first = base.slides[0];
    if (!first) throw new Error('the sample lesson has no slides');
    return {
      ...base,
      slides: Array.from({ length: 12 }, (_, i) => ({
        ...first,
        id: `long-${i + 1}`,
        title: `Long slide ${i + 1}`,
        narration: `This is part ${i + 1} of twelve. ${long} ${long}`,
      })),
    };
  });
  const logDir = await openApp(page, dir, lesson);

  await prepareButton(page).click();
  await expect(panel(page)).toHaveAttribute('data-state', 'running');
  // Wait for real progress: the first slides come from the engine's own look-ahead (the lesson's
  // opening prepares them for Play); a time left appears once a slide has been made here.
  await expect(page.getByTestId('pregenerate-status')).toHaveText(
    /^Slide ([4-9]|1[0-2]) of 12 · speech · \d\d:\d\d left$/,
    { timeout: 60_000 },
  );
  await expect(prepareButton(page)).toBeDisabled();
  await shoot(page, testInfo, 'pregenerate-running');

  const cancelledAtMs = Date.now();
  await panel(page).getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(panel(page)).toHaveAttribute('data-state', 'cancelled', { timeout: 5_000 });
  expect(Date.now() - cancelledAtMs, 'cancel answers within a second').toBeLessThan(1_000);
  await expect(page.getByTestId('pregenerate-summary')).toContainText(
    /^Cancelled after \d+ of 12 slides/,
  );

  await expect.poll(async () => (await runEnds(logDir)).length).toBe(1);
  const [end] = await runEnds(logDir);
  expect(end?.state).toBe('cancelled');
  expect(Number(end?.slidesDone)).toBeGreaterThanOrEqual(3);
  expect(Number(end?.slidesDone)).toBeLessThan(12);
  await expect(prepareButton(page)).toBeEnabled();
  await shoot(page, testInfo, 'pregenerate-cancelled');
});

test('a SyncTalk lesson: avatar segments are made, and a second run takes them from the cache', async ({
  page,
}, testInfo) => {
  const avatarSize = 256;
  server = await startReferenceServer({
    port: 0,
    avatars: [
      { name: 'enrique_torres', width: avatarSize, height: avatarSize, keyColor: '#089831' },
    ],
    preloaded: ['enrique_torres'],
    preloadDelayMs: 0,
    // Every real-server quirk but the marker fault: this test counts utterances, and the replay
    // after a killed stream sends one again (the replay has its own tests in synctalk-client/).
    faults: { markerCrash: false },
  });
  const serverUrl = server.url;
  // Three short slides: the reference server makes frames at real time.
  const { dir, lesson } = await sampleLessonAt(width, height, (base) => ({
    ...base,
    slides: base.slides.slice(0, 3).map((slide) => ({
      ...slide,
      narration: slide.narration.split('. ')[0] ?? slide.narration,
    })),
    avatar: {
      provider: 'synctalk',
      serverUrl,
      avatarName: 'enrique_torres',
      frameSize: { width: avatarSize, height: avatarSize },
      keyColor: '#089831',
      chromaKey: base.avatar.chromaKey,
      placement: base.avatar.placement,
    },
  }));
  const count = lesson.slides.length;
  const logDir = await openApp(page, dir, lesson);

  await prepareButton(page).click();
  await expect(page.getByTestId('pregenerate-status')).toContainText('· avatar ·');
  await shoot(page, testInfo, 'pregenerate-avatar-running');
  await expect(panel(page)).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect.poll(async () => (await runEnds(logDir)).length).toBe(1);
  const [first] = await runEnds(logDir);
  expect(first).toMatchObject({
    state: 'done',
    slidesReady: count,
    avatarMade: count,
    failures: 0,
  });
  await expect.poll(() => segmentsGenerated(logDir)).toBe(count);
  const utterances = server.stats().utterances;
  expect(utterances).toBe(count);
  await expect(page.getByTestId('pregenerate-summary')).toContainText(
    `${count} slides ready (0 from cache)`,
  );

  const second = await prepare(page, logDir);
  expect(second).toMatchObject({
    state: 'done',
    slidesReady: count,
    slidesFromCache: count,
    avatarCached: count,
    avatarMade: 0,
  });
  // Nothing new was asked of the server, nothing made again.
  expect(server.stats().utterances).toBe(utterances);
  expect(await segmentsGenerated(logDir)).toBe(count);
  await expect(page.getByTestId('pregenerate-summary')).toContainText(
    `${count} slides ready (${count} from cache)`,
  );
  await shoot(page, testInfo, 'pregenerate-avatar-done');
});
