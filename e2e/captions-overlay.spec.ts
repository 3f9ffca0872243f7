import { writeFile } from 'node:fs/promises';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import type { NormalisedRect } from '../src/shared/lesson/lesson-schema.ts';
import type { HarnessRect, HarnessScene } from '../testing/harness/harness-api.ts';
import {
  callHarness,
  decodePixels,
  encodePixels,
  openHarness,
  type RgbaImage,
} from '../testing/support/harness-client.ts';
import {
  harnessBuildProblem,
  startHarnessServer,
  type HarnessServer,
} from '../testing/support/harness-server.ts';

/**
 * Burned-in captions on the real program canvas (WebGL2 in Chromium, SwiftShader here), read back
 * pixel by pixel: what the caption looks like, that it stays on top of the avatar, that the
 * compositor's partial redraws stay exact around it, and that changing it leaks nothing.
 */

const output = { width: 640, height: 360 };
const keyColor = '#00b140';
const chromaKey = { similarity: 0.2, smoothness: 0.08, spill: 0.1 };
const twoLines = 'Photosynthesis turns light into food\ninside every green leaf.';

let server: HarnessServer | undefined;

test.beforeAll(async () => {
  const problem = harnessBuildProblem();
  if (problem) throw new Error(problem);
  server = await startHarnessServer();
});

test.afterAll(async () => {
  await server?.close();
});

test.beforeEach(async ({ page }) => {
  if (!server) throw new Error('the harness server did not start');
  await openHarness(page, server.url);
});

async function readCanvas(page: Page): Promise<RgbaImage> {
  return decodePixels(await callHarness(page, 'readCanvas'));
}

async function attachCanvas(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const png = Buffer.from(await callHarness(page, 'canvasPngBase64'), 'base64');
  const path = testInfo.outputPath(name);
  await writeFile(path, png);
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

function report(testInfo: TestInfo, metrics: Record<string, number | string>): void {
  const line = Object.entries(metrics)
    .map(([name, value]) => `${name}=${typeof value === 'number' ? value.toFixed(3) : value}`)
    .join(' ');
  testInfo.annotations.push({ type: 'metrics', description: line });
  console.log(`[${testInfo.title}] ${line}`);
}

function rgbAt(image: RgbaImage, x: number, y: number): [number, number, number] {
  const index = (y * image.width + x) * 4;
  return [image.rgba[index] ?? 0, image.rgba[index + 1] ?? 0, image.rgba[index + 2] ?? 0];
}

/** Rec. 709 luma, 0..255. */
function lumaAt(image: RgbaImage, x: number, y: number): number {
  const [r, g, b] = rgbAt(image, x, y);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contains(rect: HarnessRect, x: number, y: number): boolean {
  return x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Byte differences between two readbacks of the same size. */
function differingBytes(a: RgbaImage, b: RgbaImage): number {
  let differing = 0;
  for (let index = 0; index < a.rgba.length; index += 1) {
    if (a.rgba[index] !== b.rgba[index]) differing += 1;
  }
  return differing;
}

function gradient(width: number, height: number, blue: number): RgbaImage {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const r = Math.round((x * 255) / (width - 1));
      const g = Math.round((y * 255) / (height - 1));
      rgba.set([r, g, blue, 255], (y * width + x) * 4);
    }
  }
  return { width, height, rgba };
}

async function openComposition(page: Page, slideCss: string): Promise<void> {
  await callHarness(page, 'createSolidImage', 'slide', output, slideCss);
  await callHarness(page, 'createCompositor', output);
  await callHarness(page, 'setSlide', 'slide');
  await callHarness(page, 'setKey', keyColor, chromaKey);
}

test.describe('burned-in captions on the program canvas', () => {
  test('a dark box with bright text over the slide, gone without a trace when cleared', async ({
    page,
  }, testInfo) => {
    await openComposition(page, '#808080');
    await callHarness(page, 'render', null);
    const slideOnly = await readCanvas(page);
    expect(rgbAt(slideOnly, 320, 180)).toEqual([128, 128, 128]);

    await callHarness(page, 'setCaption', twoLines);
    const stats = await callHarness(page, 'render', null);
    const captioned = await readCanvas(page);
    await attachCanvas(page, testInfo, 'caption-over-grey.png');
    const rect = await callHarness(page, 'captionRect');
    if (!rect) throw new Error('no caption rectangle after setCaption');

    // Geometry: centred, bottom edge 5% (18 px) above the bottom, two lines of 15 px text
    // (4.2% of 360), no wider than 90% of the output plus its padding.
    expect(Math.abs(rect.x + rect.width / 2 - output.width / 2)).toBeLessThanOrEqual(1);
    expect(rect.y + rect.height).toBe(output.height - 18);
    expect(rect.height).toBeGreaterThanOrEqual(2 * 15);
    expect(rect.height).toBeLessThan(4 * 15);
    expect(rect.width).toBeLessThanOrEqual(output.width * 0.9 + 2 * 8);
    expect(rect.width).toBeGreaterThan(output.width * 0.3);

    let bright = 0;
    let darker = 0;
    let lumaSum = 0;
    let changedOutside = 0;
    for (let y = 0; y < output.height; y += 1) {
      for (let x = 0; x < output.width; x += 1) {
        const luma = lumaAt(captioned, x, y);
        if (contains(rect, x, y)) {
          lumaSum += luma;
          if (luma > 200) bright += 1;
          if (luma < 128 * 0.5) darker += 1;
        } else if (rgbAt(captioned, x, y).join() !== rgbAt(slideOnly, x, y).join()) {
          changedOutside += 1;
        }
      }
    }
    const boxPixels = rect.width * rect.height;
    const meanLuma = lumaSum / boxPixels;
    // The box itself, in the left padding at mid height: grey 128 under 70% black is about 38.
    const boxLuma = lumaAt(captioned, rect.x + 3, rect.y + Math.floor(rect.height / 2));
    report(testInfo, {
      rect: `${rect.x},${rect.y} ${rect.width}x${rect.height}`,
      brightPixels: bright,
      brightFraction: bright / boxPixels,
      meanLuma,
      boxLuma,
      rasteriseMs: stats.lastCaptionRasteriseMs,
    });
    expect(changedOutside, 'pixels outside the caption that differ from the slide').toBe(0);
    expect(meanLuma).toBeLessThan(128 * 0.6);
    expect(darker / boxPixels).toBeGreaterThan(0.6);
    expect(boxLuma).toBeGreaterThan(128 * 0.3 - 6);
    expect(boxLuma).toBeLessThan(128 * 0.3 + 6);
    expect(bright, 'white text pixels inside the box').toBeGreaterThan(200);
    expect(stats.captionRasterisations).toBe(1);

    await callHarness(page, 'setCaption', null);
    await callHarness(page, 'render', null);
    const cleared = await readCanvas(page);
    expect(await callHarness(page, 'captionRect')).toBeNull();
    let worst = 0;
    for (let index = 0; index < cleared.rgba.length; index += 1) {
      worst = Math.max(worst, Math.abs((cleared.rgba[index] ?? 0) - (slideOnly.rgba[index] ?? 0)));
    }
    expect(worst, 'largest difference from the slide after clearing').toBeLessThanOrEqual(2);
  });

  test('stays on top of an avatar under it, and every frame equals a full redraw', async ({
    page,
  }, testInfo) => {
    // The compositor redraws only what changed; after each step the canvas must be exactly what
    // a fresh compositor draws for the same state, caption included.
    await callHarness(page, 'createImage', 'slide', encodePixels(gradient(320, 180, 96)));
    await callHarness(page, 'createImage', 'other-slide', encodePixels(gradient(200, 150, 200)));
    // Opaque avatars (no key colour): tall and wide, both standing in the caption's band.
    await callHarness(page, 'createSolidImage', 'tall', { width: 60, height: 200 }, '#d03030');
    await callHarness(page, 'createSolidImage', 'wide', { width: 200, height: 60 }, '#3050d0');
    const overCaption: NormalisedRect = { x: 0.35, y: 0.35, width: 0.3, height: 0.6 };
    const scene: {
      -readonly [K in keyof HarnessScene]: HarnessScene[K];
    } = {
      output,
      slide: 'slide',
      keyColor,
      chromaKey,
      placement: overCaption,
      matteView: false,
      avatar: null,
      caption: null,
    };
    await callHarness(page, 'createCompositor', scene.output);
    await callHarness(page, 'setSlide', scene.slide);
    await callHarness(page, 'setKey', keyColor, chromaKey);
    await callHarness(page, 'setAvatarPlacement', scene.placement);

    async function caption(text: string | null): Promise<void> {
      scene.caption = text;
      await callHarness(page, 'setCaption', text);
    }
    type Step = { name: string; change?: () => Promise<void>; avatar: string | null };
    const steps: Step[] = [
      { name: 'caption appears over the avatar', change: () => caption(twoLines), avatar: 'tall' },
      { name: 'new avatar frame under an unchanged caption', avatar: 'wide' },
      { name: 'same frame again', avatar: 'wide' },
      {
        name: 'longer caption, wider box',
        change: () => caption('A much longer first line of caption text here\nand a second'),
        avatar: 'tall',
      },
      { name: 'one short line', change: () => caption('Short.'), avatar: 'wide' },
      { name: 'caption removed over the avatar', change: () => caption(null), avatar: 'tall' },
      { name: 'caption back, avatar gone', change: () => caption(twoLines), avatar: null },
      { name: 'avatar back under it', avatar: 'tall' },
      {
        name: 'avatar moved away from the caption',
        change: async () => {
          scene.placement = { x: 0.02, y: 0.02, width: 0.25, height: 0.45 };
          await callHarness(page, 'setAvatarPlacement', scene.placement);
        },
        avatar: 'tall',
      },
      { name: 'avatar changes shape far from the caption', avatar: 'wide' },
      {
        name: 'caption changes far from the avatar',
        change: () => caption('Next cue.'),
        avatar: 'tall',
      },
      {
        name: 'same caption set again',
        change: () => caption('Next cue.'),
        avatar: 'wide',
      },
      {
        name: 'matte view hides the caption',
        change: async () => {
          scene.matteView = true;
          await callHarness(page, 'setMatteView', true);
        },
        avatar: 'tall',
      },
      {
        name: 'composite again',
        change: async () => {
          scene.matteView = false;
          await callHarness(page, 'setMatteView', false);
        },
        avatar: 'tall',
      },
      {
        name: 'new slide',
        change: async () => {
          scene.slide = 'other-slide';
          await callHarness(page, 'setSlide', scene.slide);
        },
        avatar: 'wide',
      },
      {
        name: 'resized with a caption',
        change: async () => {
          scene.output = { width: 480, height: 270 };
          scene.placement = overCaption;
          await callHarness(page, 'resize', scene.output);
          await callHarness(page, 'setAvatarPlacement', scene.placement);
        },
        avatar: 'tall',
      },
      { name: 'after the resize', change: () => caption(twoLines), avatar: 'wide' },
    ];
    for (const step of steps) {
      await step.change?.();
      scene.avatar = step.avatar;
      await callHarness(page, 'render', step.avatar);
      const incremental = await readCanvas(page);
      const fresh = decodePixels(await callHarness(page, 'renderFresh', scene));
      expect(incremental.width, step.name).toBe(fresh.width);
      expect(differingBytes(incremental, fresh), `${step.name}: bytes unlike a full redraw`).toBe(
        0,
      );

      if (step.name === 'new avatar frame under an unchanged caption') {
        await attachCanvas(page, testInfo, 'caption-over-avatar.png');
        // Where the caption box covers the avatar, the avatar shows darkened, never as drawn,
        // and the text crosses it in white.
        const rect = await callHarness(page, 'captionRect');
        if (!rect) throw new Error('no caption rectangle');
        const inset = 6; // clear of the rounded corners
        let pureAvatar = 0;
        let darkenedAvatar = 0;
        let brightOverAvatar = 0;
        for (let y = rect.y + inset; y < rect.y + rect.height - inset; y += 1) {
          for (let x = rect.x + inset; x < rect.x + rect.width - inset; x += 1) {
            const [r, g, b] = rgbAt(incremental, x, y);
            if (r === 0x30 && g === 0x50 && b === 0xd0) pureAvatar += 1;
            if (b > 2 * r + 20 && b < 0xd0 * 0.45) darkenedAvatar += 1;
            if (lumaAt(incremental, x, y) > 200 && b > 0) brightOverAvatar += 1;
          }
        }
        report(testInfo, { pureAvatar, darkenedAvatar, brightOverAvatar });
        expect(darkenedAvatar, 'avatar pixels under the box').toBeGreaterThan(500);
        expect(pureAvatar, 'avatar pixels drawn over the caption').toBe(0);
        expect(brightOverAvatar, 'text pixels over the avatar').toBeGreaterThan(20);
      }
    }
  });

  test('changing the text every frame for 50 frames creates no GL objects', async ({
    page,
  }, testInfo) => {
    await openComposition(page, '#556677');
    await callHarness(page, 'createSolidImage', 'avatar', { width: 80, height: 120 }, '#c08040');
    await callHarness(page, 'setAvatarPlacement', { x: 0.3, y: 0.4, width: 0.4, height: 0.55 });
    await callHarness(page, 'setCaption', 'warming up');
    const first = await callHarness(page, 'render', 'avatar');
    const before = await callHarness(page, 'glObjectCounts');

    const rasteriseMs: number[] = [];
    const renderMs: number[] = [];
    let rasterisations = first.captionRasterisations;
    for (let index = 0; index < 50; index += 1) {
      // Different lengths, so the texture's storage is reallocated as well as rewritten.
      const text = `Cue ${index}: ${'word '.repeat(1 + (index % 7))}\nsecond line ${index}`;
      await callHarness(page, 'setCaption', text);
      const stats = await callHarness(page, 'render', 'avatar');
      expect(stats.captionRasterisations).toBe(rasterisations + 1);
      rasterisations = stats.captionRasterisations;
      rasteriseMs.push(stats.lastCaptionRasteriseMs);
      renderMs.push(stats.lastRenderMs);
    }
    const after = await callHarness(page, 'glObjectCounts');
    expect(after.created, 'GL objects created while the caption changed').toBe(before.created);
    expect(after.live).toBe(before.live);

    // The same text every frame, as a render loop sets it: no work at all.
    for (let index = 0; index < 20; index += 1) {
      await callHarness(page, 'setCaption', 'Cue 49: word \nsecond line 49');
      await callHarness(page, 'setCaption', 'Cue 49: word\nsecond line 49');
      const stats = await callHarness(page, 'render', 'avatar');
      expect(stats.captionRasterisations).toBe(rasterisations);
    }

    report(testInfo, {
      rasteriseMedianMs: median(rasteriseMs),
      rasteriseMaxMs: Math.max(...rasteriseMs),
      renderSubmitMedianMs: median(renderMs),
      glObjectsLive: after.live,
    });
    const disposed = await callHarness(page, 'disposeCompositor');
    expect(disposed.live).toBe(0);
  });

  test('comes back after a lost context, set while lost or before', async ({ page }) => {
    await openComposition(page, '#808080');
    await callHarness(page, 'setCaption', twoLines);
    await callHarness(page, 'render', null);
    expect(await callHarness(page, 'loseContext')).toBe('lost');
    // Set while lost: laid out now, uploaded when the context is back.
    await callHarness(page, 'setCaption', 'Set while the context was lost.');
    expect(await callHarness(page, 'restoreContext')).toBe('ready');
    await callHarness(page, 'render', null);
    const restored = await readCanvas(page);
    const fresh = decodePixels(
      await callHarness(page, 'renderFresh', {
        output,
        slide: 'slide',
        keyColor,
        chromaKey,
        placement: null,
        matteView: false,
        avatar: null,
        caption: 'Set while the context was lost.',
      }),
    );
    expect(differingBytes(restored, fresh), 'bytes unlike a fresh compositor').toBe(0);
    const rect = await callHarness(page, 'captionRect');
    if (!rect) throw new Error('no caption rectangle');
    let bright = 0;
    for (let y = rect.y; y < rect.y + rect.height; y += 1) {
      for (let x = rect.x; x < rect.x + rect.width; x += 1) {
        if (lumaAt(restored, x, y) > 200) bright += 1;
      }
    }
    expect(bright, 'text pixels after the restore').toBeGreaterThan(100);
  });

  test('frame cost without, with a still and with a changing caption (measured)', async ({
    page,
  }, testInfo) => {
    // The lessons' default output: frame-stepped export renders at this size.
    const hd = { width: 1280, height: 720 };
    await callHarness(page, 'createSolidImage', 'slide', hd, '#808080');
    await callHarness(page, 'createSolidImage', 'frame-a', { width: 320, height: 480 }, '#c08040');
    await callHarness(page, 'createSolidImage', 'frame-b', { width: 320, height: 480 }, '#b07030');
    const base = {
      output: hd,
      slide: 'slide',
      avatarFrames: ['frame-a', 'frame-b'],
      // Standing in the caption's band: the worst case, the caption is redrawn every frame.
      placement: { x: 0.3, y: 0.3, width: 0.4, height: 0.65 },
      keyColor,
      chromaKey,
      rgbThreshold: 35,
      warmupFrames: 5,
      measuredFrames: 40,
    };
    const warmNone = await callHarness(page, 'benchCompositor', base);
    const still = await callHarness(page, 'benchCompositor', { ...base, captions: [twoLines] });
    const changing = await callHarness(page, 'benchCompositor', {
      ...base,
      captions: Array.from({ length: 45 }, (_, index) => `Caption number ${index}\n${twoLines}`),
    });
    // Measured before and after the others: the first run also pays for warming up.
    const none = await callHarness(page, 'benchCompositor', base);
    const noneMs = Math.min(median(warmNone.frameMs), median(none.frameMs));
    const stillMs = median(still.frameMs);
    const changingMs = median(changing.frameMs);
    report(testInfo, {
      output: `${hd.width}x${hd.height}`,
      noCaptionMedianMs: noneMs,
      stillCaptionMedianMs: stillMs,
      changingCaptionMedianMs: changingMs,
    });
    for (const samples of [none.frameMs, still.frameMs, changing.frameMs]) {
      expect(samples).toHaveLength(base.measuredFrames);
    }
    // Loose on purpose (software GL on 2 shared cores): a still caption must not cost anything
    // like a frame; redrawing its box over the avatar is a few thousand pixels.
    expect(stillMs).toBeLessThan(noneMs * 1.5 + 4);
  });
});
