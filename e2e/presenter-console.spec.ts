import { scaled } from './support/timeouts.ts';
import { expect, test, type Page } from '@playwright/test';
import type { Lesson } from '../src/shared/lesson/lesson-schema.ts';
import type { HeadlessHost } from '../src/main/hosts/headless/headless-host.ts';
import { sampleLessonAt, startTestHost } from '../testing/support/app-host.ts';
import { expectLessonReady } from './support/lesson-state.ts';

/**
 * Present mode end to end in real Chromium through the headless host: the presenter console,
 * its keyboard shortcuts, blank, the program output window and the shortcut help, driven as a
 * presenter would (keys first) and judged on what the audience gets (program pixels, the
 * program window's video frames).
 */
const width = 640;
const height = 360;

let host: HeadlessHost;
let lesson: Lesson;

test.use({ viewport: { width: 1280, height: 800 } });

test.beforeAll(async () => {
  let lessonDir: string;
  ({ dir: lessonDir, lesson } = await sampleLessonAt(width, height));
  ({ host } = await startTestHost(lessonDir));
});

test.afterAll(async () => {
  await host.close();
});

/**
 * In-page probes, as plain JavaScript: the end-to-end project is typed for Node (no DOM), so
 * what runs in the page is installed once as a script and called by name.
 * - pixels(source): a canvas or video scaled to 64x36, RGBA ([] when it has no picture yet);
 * - watch(): records, from now on, whether the console showed "Pausing…" and every marked word's
 *   end, so short-lived states are not missed between polls.
 */
const probeScript = `
globalThis.consoleProbe = {
  pixels(source) {
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 36;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!source || !context || (source instanceof HTMLVideoElement && source.videoWidth === 0)) return [];
    context.drawImage(source, 0, 0, 64, 36);
    return Array.from(context.getImageData(0, 0, 64, 36).data);
  },
  programPixels() {
    return this.pixels(document.querySelector('[data-testid=presenter-console] canvas.program-canvas'));
  },
  videoPixels() {
    return this.pixels(document.querySelector('video'));
  },
  video() {
    const video = document.querySelector('video');
    return { width: video ? video.videoWidth : 0, timeSec: video ? video.currentTime : 0 };
  },
  blur() {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  },
  spokenCharStart() {
    const mark = document.querySelector('[data-testid=console-narration] mark');
    return mark ? mark.getAttribute('data-char-start') : null;
  },
  layout() {
    const root = document.documentElement;
    return {
      scrollsDown: root.scrollHeight > window.innerHeight + 1,
      scrollsSideways: root.scrollWidth > window.innerWidth + 1,
    };
  },
  imageWidth(selector) {
    const image = document.querySelector(selector);
    return image instanceof HTMLImageElement ? image.naturalWidth : 0;
  },
  watch() {
    const record = { pausingSeen: false, marks: [] };
    this.record = record;
    const root = document.querySelector('[data-testid=presenter-console]');
    const note = () => {
      if (root.querySelector('[data-testid=console-pausing]')) record.pausingSeen = true;
      const mark = root.querySelector('[data-testid=console-narration] mark');
      const end = mark ? Number(mark.getAttribute('data-char-end')) : null;
      if (end !== null && record.marks[record.marks.length - 1] !== end) record.marks.push(end);
    };
    new MutationObserver(note).observe(root, {
      subtree: true, childList: true, characterData: true, attributes: true,
    });
    note();
  },
  record: null,
};
`;

/** Calls one probe in the page (its result travels as JSON). */
function probe<T>(page: Page, call: string): Promise<T> {
  return page.evaluate<T>(`globalThis.consoleProbe.${call}`);
}

const programPixels = (page: Page) => probe<number[]>(page, 'programPixels()');
const popupVideoPixels = (popup: Page) => probe<number[]>(popup, 'videoPixels()');

/** Mean absolute difference of the RGB channels (0–255); 255 when either is missing. */
function meanAbsDiff(a: number[], b: number[]): number {
  if (a.length === 0 || a.length !== b.length) return 255;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c += 1) {
      sum += Math.abs((a[i + c] ?? 0) - (b[i + c] ?? 0));
      count += 1;
    }
  }
  return sum / count;
}

/** The brightest RGB value (black is 0); -1 when there is no picture. */
function brightest(pixels: number[]): number {
  if (pixels.length === 0) return -1;
  let max = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    max = Math.max(max, pixels[i] ?? 0, pixels[i + 1] ?? 0, pixels[i + 2] ?? 0);
  }
  return max;
}

function meanLevel(pixels: number[]): number {
  if (pixels.length === 0) return -1;
  let sum = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    sum += ((pixels[i] ?? 0) + (pixels[i + 1] ?? 0) + (pixels[i + 2] ?? 0)) / 3;
  }
  return sum / (pixels.length / 4);
}

/** A key as the presenter presses it: with the focus on the page, not on a button or field. */
async function press(page: Page, key: string): Promise<void> {
  await probe(page, 'blur()');
  await page.keyboard.press(key);
}

function programMs(page: Page): Promise<number> {
  return page
    .getByTestId('console-elapsed')
    .getAttribute('data-program-ms')
    .then((value) => Number(value));
}

function spokenCharStart(page: Page): Promise<string | null> {
  return probe<string | null>(page, 'spokenCharStart()');
}

test(
  'the presenter console drives the show from the keyboard and feeds the program window',
  { tag: '@busy' },
  async ({ page }, testInfo) => {
    test.setTimeout(scaled(180_000));
    const count = lesson.slides.length;
    const narration = (index: number) => lesson.slides[index]?.narration ?? '';

    await page.addInitScript(probeScript);
    await page.goto(host.server.appUrl);
    await expectLessonReady(page, lesson.title);
    await page.getByRole('button', { name: 'Present', exact: true }).click();
    const consoleView = page.getByTestId('presenter-console');
    await expect(consoleView).toBeVisible();
    await expect(page.getByTestId('console-slide-position')).toHaveText(`Slide 1 / ${count}`);
    await expect(page.getByTestId('console-notes')).toHaveText(lesson.slides[0]?.notes ?? '');
    // The next slide's picture, read from the lesson folder.
    const nextImage = page.getByTestId('console-next').locator('img');
    await expect(nextImage).toBeVisible();
    await expect
      .poll(() => probe<number>(page, "imageWidth('[data-testid=console-next] img')"))
      .toBeGreaterThan(0);
    // 1280x800 fits without the page scrolling or anything spilling sideways.
    expect(await probe(page, 'layout()')).toEqual({ scrollsDown: false, scrollsSideways: false });
    for (const name of ['Voice', 'Avatar', 'LiveKit', 'Recording', 'Blank']) {
      await expect(page.getByTestId('console-status')).toContainText(`${name}:`);
    }
    await expect(page.getByTestId('status-blank')).toContainText('off');
    await expect(page.getByTestId('status-avatar')).toContainText('local');

    // The program shows slide 1 before anything plays.
    await expect.poll(async () => meanLevel(await programPixels(page))).toBeGreaterThan(20);
    const slide1 = await programPixels(page);

    // Space plays; the word being spoken is marked and moves on.
    await press(page, 'Space');
    await expect(page.getByTestId('console-play-state')).toHaveText('playing', { timeout: 15_000 });
    await expect.poll(() => spokenCharStart(page), { timeout: 15_000 }).not.toBeNull();
    const firstWord = await spokenCharStart(page);
    await expect
      .poll(async () => {
        const now = await spokenCharStart(page);
        return now !== null && now !== firstWord;
      })
      .toBe(true);
    const idleMotion = meanAbsDiff(slide1, await programPixels(page));

    // → goes to slide 2: the console says so and the program shows another picture.
    await press(page, 'ArrowRight');
    await expect(page.getByTestId('console-slide-position')).toHaveText(`Slide 2 / ${count}`);
    await expect(page.getByTestId('console-narration')).toHaveText(narration(1));
    await expect
      .poll(async () => meanAbsDiff(slide1, await programPixels(page)), {
        message: 'slide 2 differs clearly from slide 1 on the program',
      })
      .toBeGreaterThan(Math.max(8, idleMotion * 3));
    await expect.poll(() => spokenCharStart(page), { timeout: 15_000 }).not.toBeNull();

    // Space pauses at the end of the sentence: the console says it is pausing, then paused, and
    // the last word marked ends a sentence. Short-lived states are caught by an observer.
    await probe(page, 'watch()');
    await press(page, 'Space');
    await expect(page.getByTestId('console-play-state')).toHaveText('paused', { timeout: 20_000 });
    const record = await probe<{ pausingSeen: boolean; marks: number[] }>(page, 'record');
    expect(record.pausingSeen, 'the console showed "Pausing after this sentence…"').toBe(true);
    const lastEnd = record.marks[record.marks.length - 1];
    expect(lastEnd, 'words were marked before the pause').toBeDefined();
    const after = narration(1).slice(lastEnd);
    expect(after, `paused at a sentence end (text after the last word: "${after}")`).toMatch(
      /^["')\]]*([.!?…]|$)/,
    );
    // Paused means paused: the program clock stands still over a second of watching.
    const pausedAtMs = await programMs(page);
    await page.waitForTimeout(1_000); // a measurement window, not a wait for state
    expect(await programMs(page)).toBe(pausedAtMs);
    await expect(page.getByTestId('console-play-state')).toHaveText('paused');

    // Space resumes.
    await press(page, 'Space');
    await expect(page.getByTestId('console-play-state')).toHaveText('playing');
    await expect.poll(() => programMs(page)).toBeGreaterThan(pausedAtMs + 300);

    // A number then Enter jumps.
    await press(page, '3');
    await expect(page.getByTestId('console-typed-slide')).toContainText('Go to slide 3');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('console-slide-position')).toHaveText(`Slide 3 / ${count}`);
    await expect(page.getByTestId('console-narration')).toHaveText(narration(2));
    await expect(page.getByTestId('console-typed-slide')).toHaveCount(0);

    // B blanks the program to black; B again brings it back.
    await press(page, 'b');
    await expect(page.getByTestId('status-blank')).toContainText('on');
    await expect.poll(async () => brightest(await programPixels(page))).toBeLessThan(6);
    await press(page, 'b');
    await expect(page.getByTestId('status-blank')).toContainText('off');
    await expect.poll(async () => meanLevel(await programPixels(page))).toBeGreaterThan(20);

    await page.screenshot({ path: testInfo.outputPath('presenter-console.png') });

    // The program window: a popup whose video plays the program and follows it.
    const popupOpened = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Open program window' }).click();
    const popup = await popupOpened;
    await expect(popup).toHaveTitle('Rapido — Program');
    await popup.evaluate(probeScript);
    await expect(page.getByTestId('program-window-state')).toContainText('Program window: open on');
    await expect(page.getByTestId('status-program-window')).toContainText('open on');
    const video = () => probe<{ width: number; timeSec: number }>(popup, 'video()');
    await expect.poll(async () => (await video()).width).toBe(width);
    const videoTime = async () => (await video()).timeSec;
    const startedAt = await videoTime();
    await expect.poll(videoTime).toBeGreaterThan(startedAt + 0.3);
    await expect.poll(async () => meanLevel(await popupVideoPixels(popup))).toBeGreaterThan(20);
    // It is the program: the same picture as the console's canvas.
    await expect
      .poll(async () => meanAbsDiff(await popupVideoPixels(popup), await programPixels(page)))
      .toBeLessThan(12);
    await press(page, '.');
    await expect.poll(async () => brightest(await popupVideoPixels(popup))).toBeLessThan(10);
    await press(page, '.');
    await expect.poll(async () => meanLevel(await popupVideoPixels(popup))).toBeGreaterThan(20);

    // ? opens the help, listing every shortcut; Esc closes it and leaves the show alone.
    const stateBeforeHelp = await page.getByTestId('console-play-state').textContent();
    await press(page, '?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(help).toBeVisible();
    await expect(help).toContainText('Blank');
    await expect(help).toContainText('Ctrl/⌘+Z');
    await page.screenshot({ path: testInfo.outputPath('shortcut-help.png') });
    await page.keyboard.press('Escape');
    await expect(help).toBeHidden();
    if (stateBeforeHelp === 'playing') {
      await expect(page.getByTestId('console-play-state')).toHaveText(/playing|ended/);
    }

    // Closing the program window is noticed.
    await popup.close();
    await expect(page.getByTestId('program-window-state')).toHaveText('Program window: closed');

    // Esc stops; Edit brings the editor back with the one program canvas.
    await press(page, 'Escape');
    await expect(page.getByTestId('console-play-state')).toHaveText(/idle|ended/);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await expect(consoleView).toHaveCount(0);
    await expect(page.locator('canvas.program-canvas')).toHaveCount(1);
  },
);
