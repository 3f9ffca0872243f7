import { scaled } from './support/timeouts.ts';
import { expectLessonReady } from './support/lesson-state.ts';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { Lesson, NormalisedRect } from '../src/shared/lesson/lesson-schema.ts';
import { placeAvatar } from '../src/renderer/engine/compositor/fit-rect.ts';
import {
  cornerPlacement,
  moveRect,
  nudgeRect,
  pipPlacement,
  resizeRect,
} from '../src/shared/lesson/placement-snapping.ts';
import { detectKeyColor, type RgbaImageLike } from '../src/shared/keying/detect-key-color.ts';
import type { HeadlessHost } from '../src/main/hosts/headless/headless-host.ts';
import { readLessonAt, sampleLessonAt, startTestHost } from '../testing/support/app-host.ts';
import { fixturesDir } from '../testing/support/harness-server.ts';

/**
 * Placing and keying the avatar in the editor, through the headless host in real Chromium, as a
 * teacher does it: drag and resize the avatar's box on the preview, use the presets and the
 * keyboard, pick the key colour with the eyedropper, detect it, move the sliders and look at the
 * matte; each time the program canvas changes and lesson.json on disk follows (autosave).
 */
const width = 640;
const height = 360;
const output = { width, height };
/** The built-in avatar draws a square frame. */
const avatarFrame = { width: 512, height: 512 };
/** Positions are compared with what the geometry predicts from the pointer's whole pixels. */
const placementTolerance = 0.004;

test.use({ viewport: { width: 1280, height: 800 } });

let host: HeadlessHost;
let lessonDir: string;
let lesson: Lesson;

test.beforeAll(async () => {
  ({ dir: lessonDir, lesson } = await sampleLessonAt(width, height));
  ({ host } = await startTestHost(lessonDir));
});

test.afterAll(async () => {
  await host.close();
});

async function onDisk(): Promise<Lesson> {
  return readLessonAt(lessonDir);
}

function near(actual: NormalisedRect | undefined, expected: NormalisedRect): boolean {
  if (!actual) return false;
  return (
    Math.abs(actual.x - expected.x) <= placementTolerance &&
    Math.abs(actual.y - expected.y) <= placementTolerance &&
    Math.abs(actual.width - expected.width) <= placementTolerance &&
    Math.abs(actual.height - expected.height) <= placementTolerance
  );
}

/** Waits until lesson.json on disk holds `expected` as the lesson's placement (autosave). */
async function expectSavedPlacement(expected: NormalisedRect): Promise<void> {
  await expect
    .poll(async () => near((await onDisk()).avatar.placement, expected), {
      timeout: 15_000,
      message: `lesson.json placement near ${JSON.stringify(expected)}`,
    })
    .toBe(true);
}

/**
 * In-page reading of canvases, as plain JavaScript: the end-to-end project is typed for Node (no
 * DOM). read(selector, x, y, w, h) copies a normalised region of a canvas at its own resolution.
 */
const probeScript = `
globalThis.avatarProbe = {
  read(selector, x, y, w, h) {
    const source = document.querySelector(selector);
    if (!(source instanceof HTMLCanvasElement) || source.width === 0) return null;
    const sx = Math.round(x * source.width);
    const sy = Math.round(y * source.height);
    const sw = Math.max(1, Math.round(w * source.width));
    const sh = Math.max(1, Math.round(h * source.height));
    const canvas = document.createElement('canvas');
    canvas.width = sw;
    canvas.height = sh;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(source, sx, sy, sw, sh, 0, 0, sw, sh);
    return { width: sw, height: sh, data: Array.from(context.getImageData(0, 0, sw, sh).data) };
  },
};
`;

interface Pixels {
  width: number;
  height: number;
  data: number[];
}

const programSelector = '[data-testid=program] canvas.program-canvas';
const frameSelector = 'canvas[aria-label="Avatar frame"]';

async function readRegion(page: Page, selector: string, rect: NormalisedRect): Promise<Pixels> {
  const pixels = await page.evaluate(
    ({ selector: s, rect: r }) =>
      (
        globalThis as unknown as {
          avatarProbe: {
            read: (s: string, x: number, y: number, w: number, h: number) => Pixels | null;
          };
        }
      ).avatarProbe.read(s, r.x, r.y, r.width, r.height),
    { selector, rect },
  );
  if (!pixels) throw new Error(`no canvas ${selector}`);
  return pixels;
}

function meanAbsDiff(a: Pixels, b: Pixels): number {
  expect(a.data.length).toBe(b.data.length);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    for (let c = 0; c < 3; c += 1) sum += Math.abs((a.data[i + c] ?? 0) - (b.data[i + c] ?? 0));
    count += 3;
  }
  return sum / count;
}

function meanLuma(pixels: Pixels): number {
  let sum = 0;
  for (let i = 0; i < pixels.data.length; i += 4) {
    sum +=
      0.2126 * (pixels.data[i] ?? 0) +
      0.7152 * (pixels.data[i + 1] ?? 0) +
      0.0722 * (pixels.data[i + 2] ?? 0);
  }
  return sum / (pixels.data.length / 4);
}

/** Share of pixels within `tolerance` (RGB distance) of `color`. */
function shareNear(pixels: Pixels, color: readonly [number, number, number], tolerance: number) {
  let hits = 0;
  for (let i = 0; i < pixels.data.length; i += 4) {
    const d = Math.hypot(
      (pixels.data[i] ?? 0) - color[0],
      (pixels.data[i + 1] ?? 0) - color[1],
      (pixels.data[i + 2] ?? 0) - color[2],
    );
    if (d <= tolerance) hits += 1;
  }
  return hits / (pixels.data.length / 4);
}

/** Share of pixels with luma at least `threshold` (the matte's white). */
function shareBright(pixels: Pixels, threshold: number): number {
  let hits = 0;
  for (let i = 0; i < pixels.data.length; i += 4) {
    const luma =
      0.2126 * (pixels.data[i] ?? 0) +
      0.7152 * (pixels.data[i + 1] ?? 0) +
      0.0722 * (pixels.data[i + 2] ?? 0);
    if (luma >= threshold) hits += 1;
  }
  return hits / (pixels.data.length / 4);
}

function hexChannels(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

function isGreenish(hex: string): boolean {
  const [r, g, b] = hexChannels(hex);
  return g > r + 60 && g > b + 40;
}

/** The middle of where the avatar's frame lands for a placement (normalised output units). */
function avatarCore(placement: NormalisedRect): NormalisedRect {
  const px = placeAvatar(avatarFrame, placement, output);
  return {
    x: (px.x + px.width * 0.3) / width,
    y: (px.y + px.height * 0.3) / height,
    width: (px.width * 0.4) / width,
    height: (px.height * 0.4) / height,
  };
}

/** The whole area the avatar's frame covers for a placement. */
function avatarArea(placement: NormalisedRect): NormalisedRect {
  const px = placeAvatar(avatarFrame, placement, output);
  return { x: px.x / width, y: px.y / height, width: px.width / width, height: px.height / height };
}

async function openEditor(page: Page): Promise<void> {
  // Each test starts from the sample lesson as copied, whatever the one before left on disk.
  await writeFile(join(lessonDir, 'lesson.json'), JSON.stringify(lesson, null, 2));
  await page.goto(host.server.appUrl);
  await expectLessonReady(page, lesson.title);
  await page.evaluate(probeScript);
  await expect(page.getByTestId('placement-box')).toBeVisible();
}

async function stageBox(
  page: Page,
): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await page.locator('.placement-stage').boundingBox();
  if (!box) throw new Error('the placement stage is not laid out');
  return box;
}

test('drag, resize, presets and keys place the avatar on the program and in lesson.json', async ({
  page,
}, testInfo) => {
  test.setTimeout(scaled(120_000));
  await openEditor(page);
  const start = (await onDisk()).avatar.placement;
  const stage = await stageBox(page);
  const box = page.getByTestId('placement-box');

  // Move: grab the middle of the box and drag it up and to the left, away from every snap line.
  const dxPx = Math.round(-0.4 * stage.width);
  const dyPx = Math.round(-0.3 * stage.height);
  const moved = moveRect(start, dxPx / stage.width, dyPx / stage.height).rect;
  const oldCore = avatarCore(start);
  const newCore = avatarCore(moved);
  const beforeAtNew = await readRegion(page, programSelector, newCore);
  const beforeAtOld = await readRegion(page, programSelector, oldCore);

  const grab = await box.boundingBox();
  if (!grab) throw new Error('the placement box is not laid out');
  const fromX = grab.x + grab.width / 2;
  const fromY = grab.y + grab.height / 2;
  await page.mouse.move(fromX, fromY);
  await page.mouse.down();
  await page.mouse.move(fromX + dxPx / 2, fromY + dyPx / 2, { steps: 5 });
  await page.mouse.move(fromX + dxPx, fromY + dyPx, { steps: 5 });
  await expect(box).toHaveClass(/dragging/);
  await page.screenshot({ path: testInfo.outputPath('editor-avatar-dragging.png') });
  await page.mouse.up();
  await expectSavedPlacement(moved);

  // The program follows: the avatar is where the slide was, and the slide where the avatar was.
  await expect
    .poll(async () => meanAbsDiff(beforeAtNew, await readRegion(page, programSelector, newCore)))
    .toBeGreaterThan(25);
  await expect
    .poll(async () => meanAbsDiff(beforeAtOld, await readRegion(page, programSelector, oldCore)))
    .toBeGreaterThan(25);

  // One drag is one undo step: Ctrl+Z puts the avatar back where it started, Ctrl+Shift+Z redoes.
  await page.keyboard.press('Control+z');
  await expectSavedPlacement(start);
  await page.keyboard.press('Control+Shift+z');
  await expectSavedPlacement(moved);

  // Resize from the bottom-right corner (no snap line near the new edges).
  const handle = page.getByTestId('placement-handle-se');
  const corner = await handle.boundingBox();
  if (!corner) throw new Error('the corner handle is not laid out');
  const rxPx = Math.round(0.1 * stage.width);
  const ryPx = Math.round(0.05 * stage.height);
  const resized = resizeRect(moved, 'se', rxPx / stage.width, ryPx / stage.height, false).rect;
  await page.mouse.move(corner.x + corner.width / 2, corner.y + corner.height / 2);
  await page.mouse.down();
  await page.mouse.move(corner.x + corner.width / 2 + rxPx, corner.y + corner.height / 2 + ryPx, {
    steps: 8,
  });
  await page.mouse.up();
  await expectSavedPlacement(resized);
  expect(resized.width).toBeGreaterThan(moved.width + 0.05);

  // Snapping: dragging the left edge close to the safe margin shows a guide and lands on it.
  const current = await box.boundingBox();
  if (!current) throw new Error('the placement box is not laid out');
  const toMarginPx = Math.round((0.03 + 0.006 - resized.x) * stage.width);
  await page.mouse.move(current.x + current.width / 2, current.y + current.height / 2);
  await page.mouse.down();
  await page.mouse.move(
    current.x + current.width / 2 + toMarginPx,
    current.y + current.height / 2,
    {
      steps: 6,
    },
  );
  await expect(page.getByTestId('placement-guide').first()).toBeVisible();
  await page.mouse.up();
  await expect(page.getByTestId('placement-guide')).toHaveCount(0);
  await expect
    .poll(async () => (await onDisk()).avatar.placement.x, { timeout: 15_000 })
    .toBeCloseTo(0.03, 4);
  const snapped = (await onDisk()).avatar.placement;

  // Keyboard: arrows move by 1 % (Shift: 10 %), Ctrl+arrows resize; the slide does not change.
  const position = await page.getByTestId('slide-position').textContent();
  await box.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Control+ArrowLeft');
  let keyed = nudgeRect(snapped, 'ArrowRight', 0.01, 'move');
  keyed = nudgeRect(keyed, 'ArrowDown', 0.1, 'move');
  keyed = nudgeRect(keyed, 'ArrowLeft', 0.01, 'resize');
  await expectSavedPlacement(keyed);
  await expect(page.getByTestId('slide-position')).toHaveText(position ?? '');

  // Presets: a corner keeps the size; picture in picture is 20 % of the height, square frame.
  const controls = page.getByRole('region', { name: 'Avatar placement' });
  await controls.getByRole('button', { name: /Bottom right/ }).click();
  const cornered = cornerPlacement(keyed, 'bottom-right');
  await expectSavedPlacement(cornered);
  await controls.getByRole('button', { name: /Small/ }).click();
  const pip = pipPlacement(cornered, 'small', 1, width / height);
  await expectSavedPlacement(pip);
  const pipArea = avatarArea(pip);
  expect(pipArea.height * height).toBeCloseTo(0.2 * height, 0);
  const pipCore = avatarCore(pip);
  await expect
    .poll(async () => shareNear(await readRegion(page, programSelector, pipCore), [0, 177, 64], 60))
    .toBeLessThan(0.01);
  const withAvatar = await readRegion(page, programSelector, pipCore);

  // This slide only: an override on slide 1, the lesson's placement untouched; then reset.
  await controls.getByRole('radio', { name: /This slide only/ }).check();
  await controls.getByRole('button', { name: /Top left/ }).click();
  const slideOnly = cornerPlacement(pip, 'top-left');
  await expect
    .poll(async () => near((await onDisk()).slides[0]?.avatar?.placement, slideOnly), {
      timeout: 15_000,
    })
    .toBe(true);
  expect(near((await onDisk()).avatar.placement, pip)).toBe(true);
  await expect(box).toHaveAttribute('data-scope', 'slide');
  await page.screenshot({ path: testInfo.outputPath('editor-avatar-overlay.png') });
  await controls.getByRole('button', { name: 'Reset to lesson placement' }).click();
  await expect
    .poll(async () => (await onDisk()).slides[0]?.avatar?.placement ?? null, { timeout: 15_000 })
    .toBeNull();
  await expect(box).toHaveAttribute('data-scope', 'lesson');

  // Hidden on this slide: no box to drag, and lesson.json says so.
  await controls.getByRole('checkbox', { name: 'Hide avatar on this slide' }).check();
  await expect(box).toBeHidden();
  // The avatar was on the program there; hidden, the slide shows through.
  await expect
    .poll(async () => meanAbsDiff(withAvatar, await readRegion(page, programSelector, pipCore)))
    .toBeGreaterThan(20);
  await expect
    .poll(async () => (await onDisk()).slides[0]?.avatar?.hidden ?? false, { timeout: 15_000 })
    .toBe(true);
  await controls.getByRole('checkbox', { name: 'Hide avatar on this slide' }).uncheck();
  await expect(box).toBeVisible();
  await expect
    .poll(async () => (await onDisk()).slides[0]?.avatar ?? null, { timeout: 15_000 })
    .toBeNull();

  // While the presentation plays the overlay is gone, and clicks reach what is beneath.
  await page.getByRole('button', { name: '▶ Play' }).click();
  await expect(page.getByTestId('play-state')).toHaveText('playing');
  await expect(box).toBeHidden();
  await page.getByRole('button', { name: '■ Stop' }).click();
  await expect(page.getByTestId('play-state')).toHaveText(/idle|ended/);
  await expect(box).toBeVisible();
});

test(
  'eyedropper, border detection, sliders and matte view key the avatar',
  { tag: '@busy' },
  async ({ page }, testInfo) => {
    test.setTimeout(scaled(120_000));
    await openEditor(page);
    const panel = page.getByRole('region', { name: 'Keying' });
    const frame = panel.locator(frameSelector);
    await expect(frame).toBeVisible();
    const hex = panel.getByRole('textbox', { name: 'Key colour', exact: true });
    const placement = (await onDisk()).avatar.placement;
    const area = avatarArea(placement);

    // The raw frame is drawn (the built-in avatar on its green screen).
    await expect
      .poll(async () =>
        shareNear(
          await readRegion(page, frameSelector, { x: 0, y: 0, width: 0.1, height: 0.1 }),
          [0, 177, 64],
          30,
        ),
      )
      .toBeGreaterThan(0.9);

    // The eyedropper reads what is under the pointer: first the jacket (purple), then the screen.
    const jacket = { x: 0.2, y: 0.92 };
    const jacketPixels = await readRegion(page, frameSelector, {
      ...jacket,
      width: 0.01,
      height: 0.01,
    });
    const [jr, jg, jb] = [
      jacketPixels.data[0] ?? 0,
      jacketPixels.data[1] ?? 0,
      jacketPixels.data[2] ?? 0,
    ];
    expect(jr > jg + 30 && jb > jg + 30, `jacket pixel rgb(${jr},${jg},${jb}) is purple`).toBe(
      true,
    );
    const frameBox = await frame.boundingBox();
    if (!frameBox) throw new Error('the avatar frame is not laid out');
    await panel.getByRole('button', { name: 'Pick key colour' }).click();
    await expect(panel.getByRole('button', { name: 'Pick key colour' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    await frame.click({
      position: { x: frameBox.width * jacket.x, y: frameBox.height * jacket.y },
    });
    await expect(panel.getByRole('button', { name: 'Pick key colour' })).toHaveAttribute(
      'aria-pressed',
      'false',
    );
    await expect
      .poll(async () => {
        const [r, g, b] = hexChannels(await hex.inputValue());
        return r > g + 30 && b > g + 30;
      })
      .toBe(true);
    await expect
      .poll(
        async () => {
          const [r, g, b] = hexChannels((await onDisk()).avatar.keyColor);
          return r > g + 30 && b > g + 30;
        },
        { timeout: 15_000 },
      )
      .toBe(true);

    // Typed into the hex field: the built-in avatar's screen and the key follow.
    await hex.fill('#00b140');
    await expect
      .poll(async () => (await onDisk()).avatar.keyColor, { timeout: 15_000 })
      .toBe('#00b140');

    // Detect from border: the screen colour, most of the border (the body crosses the bottom).
    await panel.getByRole('button', { name: 'Detect from border' }).click();
    await expect(panel.getByTestId('keying-status')).toContainText(
      /Detected #[0-9a-f]{6} \(\d+ % of the border\)/,
    );
    const detected = await hex.inputValue();
    expectColourNear(detected, [0, 177, 64], 3);

    // Then pick the screen itself, top left of the frame: greenish, saved, and keyed out.
    await panel.getByRole('button', { name: 'Pick key colour' }).click();
    await frame.click({ position: { x: frameBox.width * 0.06, y: frameBox.height * 0.06 } });
    await expect.poll(async () => isGreenish(await hex.inputValue())).toBe(true);
    await expect
      .poll(async () => (await onDisk()).avatar.keyColor, { timeout: 15_000 })
      .toBe(await hex.inputValue());
    const key = hexChannels(await hex.inputValue());
    await expect
      .poll(async () => shareNear(await readRegion(page, programSelector, area), key, 60))
      .toBeLessThan(0.005);
    await expect
      .poll(async () => shareNear(await readRegion(page, programSelector, area), [0, 177, 64], 60))
      .toBeLessThan(0.005);

    // Similarity at its maximum keys out nearly everything; the label and lesson.json follow.
    const core = avatarCore(placement);
    const keyedCore = await readRegion(page, programSelector, core);
    const similarity = panel.getByRole('slider', { name: 'Similarity' });
    await similarity.fill('1');
    await expect(panel.getByTestId('keying-similarity')).toHaveText('1.000');
    await expect
      .poll(async () => meanAbsDiff(keyedCore, await readRegion(page, programSelector, core)))
      .toBeGreaterThan(20);
    await expect
      .poll(async () => (await onDisk()).avatar.chromaKey.similarity, { timeout: 15_000 })
      .toBe(1);
    // The keyboard moves a slider by its 0.005 step; the track's first stop is the least, 0.001.
    const smoothness = panel.getByRole('slider', { name: 'Smoothness' });
    await smoothness.press('ArrowRight');
    await expect(panel.getByTestId('keying-smoothness')).toHaveText('0.085');
    await smoothness.press('Home');
    await expect(panel.getByTestId('keying-smoothness')).toHaveText('0.001');
    await expect
      .poll(async () => (await onDisk()).avatar.chromaKey.smoothness, { timeout: 15_000 })
      .toBe(0.001);
    await panel.getByRole('button', { name: 'Reset to defaults' }).click();
    await expect(panel.getByTestId('keying-similarity')).toHaveText('0.400');
    await expect
      .poll(async () => (await onDisk()).avatar.chromaKey, { timeout: 15_000 })
      .toEqual({ similarity: 0.4, smoothness: 0.08, spill: 0.1 });

    // Matte view: the avatar as white alpha, the slide black; off again, the slide is back.
    const slideArea = { x: 0.02, y: 0.05, width: 0.3, height: 0.3 };
    const slideLuma = meanLuma(await readRegion(page, programSelector, slideArea));
    await panel.getByRole('checkbox', { name: 'Matte view' }).check();
    await expect
      .poll(async () => meanLuma(await readRegion(page, programSelector, slideArea)))
      .toBeLessThan(3);
    await expect
      .poll(async () => shareBright(await readRegion(page, programSelector, core), 200))
      .toBeGreaterThan(0.6);
    // The matte is grey: alpha in every channel alike, no colour left.
    const matte = await readRegion(page, programSelector, core);
    let spread = 0;
    for (let i = 0; i < matte.data.length; i += 4) {
      const channels = [matte.data[i] ?? 0, matte.data[i + 1] ?? 0, matte.data[i + 2] ?? 0];
      spread = Math.max(spread, Math.max(...channels) - Math.min(...channels));
    }
    expect(spread).toBeLessThanOrEqual(2);
    await expect(panel).toBeVisible();
    await panel.screenshot({ path: testInfo.outputPath('keying-panel.png') });
    await page.screenshot({ path: testInfo.outputPath('editor-keying-matte.png') });
    await panel.getByRole('checkbox', { name: 'Matte view' }).uncheck();
    await expect
      .poll(async () =>
        Math.abs(meanLuma(await readRegion(page, programSelector, slideArea)) - slideLuma),
      )
      .toBeLessThan(2);
  },
);

/**
 * detectKeyColor on the real green-screen stills and video frames from the shared fixtures,
 * decoded with ffmpeg here in Node (the unit tests also typecheck for the browser, without it).
 */
const ffmpegMissing = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status !== 0;
const mediaMissing = !existsSync(fixturesDir);

function decodeFrame(
  file: string,
  frameWidth: number,
  frameHeight: number,
  seekSec = 0,
): RgbaImageLike {
  const decoded = spawnSync(
    'ffmpeg',
    [
      '-v',
      'error',
      // A seek on a still image makes ffmpeg output nothing.
      ...(seekSec > 0 ? ['-ss', String(seekSec)] : []),
      '-i',
      join(fixturesDir, file),
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      '-',
    ],
    { maxBuffer: frameWidth * frameHeight * 4 + 1024 },
  );
  if (decoded.status !== 0)
    throw new Error(`ffmpeg could not decode ${file}: ${String(decoded.stderr)}`);
  const data = new Uint8Array(decoded.stdout);
  expect(data.length, `${file} decodes to ${frameWidth}x${frameHeight}`).toBe(
    frameWidth * frameHeight * 4,
  );
  return { data, width: frameWidth, height: frameHeight };
}

function expectColourNear(
  hex: string,
  expected: readonly [number, number, number],
  tolerance: number,
) {
  const actual = hexChannels(hex);
  for (let channel = 0; channel < 3; channel += 1) {
    expect(
      Math.abs(actual[channel]! - expected[channel]!),
      `${hex} vs rgb(${expected.join(',')})`,
    ).toBeLessThanOrEqual(tolerance);
  }
}

test.describe('key colour detection on real green-screen frames', () => {
  test.skip(ffmpegMissing, 'ffmpeg is not on PATH (it decodes the fixture frames)');
  test.skip(mediaMissing, `the shared media fixtures are absent (${fixturesDir})`);

  test('natron still: dark green behind long hair and a striped top', () => {
    const result = detectKeyColor(
      decodeFrame('greenscreen_stills/natron_woman_longhair_960x540.jpg', 960, 540),
    );
    if (!result.ok) throw new Error(result.error.message);
    // SOURCES.md: about rgb(7..12, 82..85, 6..8); the median of the whole border is a little brighter.
    expectColourNear(result.value.keyColor, [10, 85, 7], 6);
    expect(result.value.coverage).toBeGreaterThan(0.7);
  });

  test('auto-editor clip at 10 s: flat rgb(33,254,4) behind a standing silhouette', () => {
    const result = detectKeyColor(
      decodeFrame('greenscreen_video/autoeditor_man_silhouette_1280x720.mp4', 1280, 720, 10),
    );
    if (!result.ok) throw new Error(result.error.message);
    expectColourNear(result.value.keyColor, [33, 254, 4], 4);
    // The silhouette stands on the bottom edge: some of the border is not screen.
    expect(result.value.coverage).toBeGreaterThan(0.9);
    expect(result.value.coverage).toBeLessThan(1);
  });

  test('A-Frame portrait clip: saturated green about rgb(19,255,8)', () => {
    const result = detectKeyColor(
      decodeFrame('greenscreen_video/aframe_person_motion_portrait_360x640.mp4', 360, 640, 2),
    );
    if (!result.ok) throw new Error(result.error.message);
    expectColourNear(result.value.keyColor, [19, 255, 8], 6);
  });

  test('refuses photos without a screen (desert plate, lemur)', () => {
    for (const [file, frameWidth, frameHeight] of [
      ['greenscreen_stills/natron_replacement_background_desert_960x540.jpg', 960, 540],
      ['matting_gt/pymatting_lemur.png', 680, 440],
    ] as const) {
      const result = detectKeyColor(decodeFrame(file, frameWidth, frameHeight));
      expect(result.ok, file).toBe(false);
    }
  });
});
