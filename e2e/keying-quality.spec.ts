import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import {
  boxFilteredChromaDistance,
  chromaDistance,
  chromaKeyFromDistance,
  chromaKeyPixel,
  keyUniformsFromSettings,
  settingsForDistances,
  rgbToCbCr,
} from '../src/shared/chroma-key.ts';
import type { ChromaKeySettings, NormalisedRect } from '../src/shared/lesson/lesson-schema.ts';
import {
  callHarness,
  decodePixels,
  encodePixels,
  openHarness,
  type RgbaImage,
} from '../testing/support/harness-client.ts';
import {
  fixturesDir,
  harnessBuildProblem,
  startHarnessServer,
  type HarnessServer,
} from '../testing/support/harness-server.ts';
import {
  binaryThresholdMatte,
  borderPixels,
  compositeOverPlate,
  countSet,
  dilate,
  erode,
  greyToMatte,
  hexToRgb255,
  meanAbsoluteError,
  medianColour,
  percentile,
  rgb255ToHex,
  type Rgb255,
} from '../testing/support/keying-metrics.ts';

const fixturesPresent = existsSync(fixturesDir);
const skipReason = `shared media fixtures not found at ${fixturesDir} (they live outside the repo in ../shared/fixtures/media)`;
const fullFrame = { x: 0, y: 0, width: 1, height: 1 };

let server: HarnessServer | undefined;

test.beforeAll(async () => {
  const problem = harnessBuildProblem();
  if (problem) throw new Error(problem);
  server = await startHarnessServer({
    mounts: fixturesPresent ? { '/fixtures/': fixturesDir } : {},
  });
});

test.afterAll(async () => {
  await server?.close();
});

test.beforeEach(async ({ page }) => {
  if (!server) throw new Error('the harness server did not start');
  await openHarness(page, server.url);
});

async function readImage(page: Page, name: string): Promise<RgbaImage> {
  return decodePixels(await callHarness(page, 'readImage', name));
}

async function readCanvas(page: Page): Promise<RgbaImage> {
  return decodePixels(await callHarness(page, 'readCanvas'));
}

async function attachCanvas(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const png = Buffer.from(await callHarness(page, 'canvasPngBase64'), 'base64');
  // Written to the test's output folder too, so the images stay for a person to look at.
  const path = testInfo.outputPath(name);
  await writeFile(path, png);
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

function report(testInfo: TestInfo, metrics: Record<string, number | string>): void {
  const line = Object.entries(metrics)
    .map(([name, value]) => `${name}=${typeof value === 'number' ? value.toFixed(5) : value}`)
    .join(' ');
  testInfo.annotations.push({ type: 'metrics', description: line });
  console.log(`[${testInfo.title}] ${line}`);
}

/** Renders the named frame full-size through the real shader and returns its alpha. */
async function renderMatte(page: Page, avatar: string): Promise<Float32Array> {
  await callHarness(page, 'setMatteView', true);
  await callHarness(page, 'render', avatar);
  return greyToMatte(await readCanvas(page));
}

test.describe('chroma key on real data (WebGL2 in Chromium)', () => {
  test.skip(!fixturesPresent, skipReason);

  test('lemur over a green plate: soft matte beats the predecessor’s binary threshold', async ({
    page,
  }, testInfo) => {
    const lemur = `/fixtures/matting_gt`;
    const size = await callHarness(
      page,
      'loadImage',
      'fg',
      `${lemur}/pymatting_lemur_foreground.png`,
    );
    await callHarness(page, 'loadImage', 'alpha', `${lemur}/pymatting_lemur_alpha.png`);
    await callHarness(page, 'loadImage', 'trimap', `${lemur}/pymatting_lemur_trimap.png`);
    const truth = greyToMatte(await readImage(page, 'alpha'));
    const trimap = greyToMatte(await readImage(page, 'trimap'));
    // The trimap's grey band is the fur outline, where matting is hard.
    const unknownBand = trimap.map((value) => (value > 0.1 && value < 0.9 ? 1 : 0));
    const unknownMask = new Uint8Array(unknownBand);

    const plateHex = '#00b140';
    const plate = compositeOverPlate(await readImage(page, 'fg'), truth, hexToRgb255(plateHex));
    await callHarness(page, 'createImage', 'plate', encodePixels(plate));

    // The plate is perfectly flat, so similarity only has to clear 8-bit rounding; a real screen
    // needs more. The lemur is black and white: every grey sits 0.356 from #00b140 in CbCr, and a
    // fur pixel mixed with the plate at alpha a sits at 0.356 * a. Smoothness 0.22 spreads the
    // soft edge over most of that range while the fur is fully opaque from 0.30.
    const settings = settingsForDistances(plateHex, {
      similarity: 0.08,
      smoothness: 0.22,
      spill: 0.1,
    });
    await callHarness(page, 'createCompositor', size);
    await callHarness(page, 'setSlide', null);
    await callHarness(page, 'setKey', plateHex, settings);
    await callHarness(page, 'setAvatarPlacement', fullFrame);
    const ours = await renderMatte(page, 'plate');
    await attachCanvas(page, testInfo, 'lemur-matte.png');

    const oursMae = meanAbsoluteError(ours, truth);
    const oursBandMae = meanAbsoluteError(ours, truth, unknownMask);

    // The predecessor keyed with a binary mask on RGB distance (threshold 35 in its config).
    // Give it every chance: also take its best threshold for this very image.
    const key = hexToRgb255(plateHex);
    const predecessorAt35 = meanAbsoluteError(binaryThresholdMatte(plate, key, 35), truth);
    let bestThreshold = 0;
    let bestBinaryMae = Number.POSITIVE_INFINITY;
    for (let threshold = 5; threshold <= 250; threshold += 5) {
      const mae = meanAbsoluteError(binaryThresholdMatte(plate, key, threshold), truth);
      if (mae < bestBinaryMae) {
        bestBinaryMae = mae;
        bestThreshold = threshold;
      }
    }
    const bestBinaryBandMae = meanAbsoluteError(
      binaryThresholdMatte(plate, key, bestThreshold),
      truth,
      unknownMask,
    );
    report(testInfo, {
      oursMae,
      oursBandMae,
      predecessorAt35,
      bestBinaryMae,
      bestThreshold,
      bestBinaryBandMae,
    });

    // Bounds: measured 0.0068 overall and 0.048 in the fur band on SwiftShader; the margin
    // (about 1.4x) absorbs GPU differences but fails if the key regresses towards a hard mask,
    // whose best case here (threshold 90) is 0.0112 / 0.083, and 0.0146 at the predecessor's 35.
    expect(oursMae).toBeLessThan(0.0095);
    expect(oursBandMae).toBeLessThan(0.07);
    expect(oursMae).toBeLessThan(bestBinaryMae);
    expect(oursBandMae).toBeLessThan(bestBinaryBandMae);
    expect(oursMae).toBeLessThan(predecessorAt35);

    // The composite itself, over a contrasting slide, for a person to look at.
    await callHarness(page, 'createSolidImage', 'slide', size, '#2a4fbf');
    await callHarness(page, 'setSlide', 'slide');
    await callHarness(page, 'setMatteView', false);
    await callHarness(page, 'render', 'plate');
    await attachCanvas(page, testInfo, 'lemur-keyed-over-blue.png');
  });

  test('natron dark green screen: key sampled from the border leaves no key residue', async ({
    page,
  }, testInfo) => {
    const size = await callHarness(
      page,
      'loadImage',
      'woman',
      '/fixtures/greenscreen_stills/natron_woman_longhair_960x540.jpg',
    );
    const source = await readImage(page, 'woman');
    const border = borderPixels(source, 4, 24);
    const keyRgb = medianColour(border);
    const keyHex = rgb255ToHex(keyRgb);
    const keyCbCr = rgbToCbCr(keyRgb[0] / 255, keyRgb[1] / 255, keyRgb[2] / 255);
    const keyChroma = Math.hypot(keyCbCr[0] - 0.5, keyCbCr[1] - 0.5);
    const borderDistances = border.map(([r, g, b]) =>
      chromaDistance(r / 255, g / 255, b / 255, keyCbCr),
    );
    const screenNoise = percentile(borderDistances, 0.99);

    // A dark key has little chroma: this one sits only ~0.17 from neutral, so black stripes and
    // dark hair are only ~0.17 away from it (a bright #00ff00 screen would give 0.6). Similarity
    // must clear the screen's JPEG noise and unevenness (p99 of the border's distances, ~0.03)
    // and similarity + smoothness must stay well under that 0.17 so neutrals remain opaque.
    // Spill reaches a little past the neutrals (0.22): greying them changes nothing, while the
    // green cast of half-transparent hair strands goes.
    // These are CbCr distances; settingsForDistances turns them into the user-facing numbers.
    const distances: ChromaKeySettings = { similarity: 0.07, smoothness: 0.06, spill: 0.15 };
    const settings = settingsForDistances(keyHex, distances);
    expect(keyChroma).toBeGreaterThan(0.12);
    expect(keyChroma).toBeLessThan(0.25);
    expect(screenNoise).toBeLessThan(distances.similarity);
    expect(distances.similarity + distances.smoothness).toBeLessThan(keyChroma * 0.8);

    await callHarness(page, 'createCompositor', size);
    await callHarness(page, 'setKey', keyHex, settings);
    await callHarness(page, 'setAvatarPlacement', fullFrame);
    await callHarness(page, 'setSlide', null);
    const matte = await renderMatte(page, 'woman');
    await attachCanvas(page, testInfo, 'natron-matte.png');

    const contrasting = '#d02090';
    await callHarness(page, 'createSolidImage', 'backdrop', size, contrasting);
    await callHarness(page, 'setSlide', 'backdrop');
    await callHarness(page, 'setMatteView', false);
    await callHarness(page, 'render', 'woman');
    const composite = await readCanvas(page);
    await attachCanvas(page, testInfo, 'natron-keyed-over-magenta.png');

    // A generous subject mask that owes nothing to the keyer: every pixel where green does not
    // clearly dominate (hair, skin, the yellow and black top), grown by 15 px to take in the
    // green-tinted fringe. Outside it is background that must be gone.
    const { width, height } = size;
    const notGreen = new Uint8Array(width * height);
    for (let pixel = 0; pixel < notGreen.length; pixel += 1) {
      const r = source.rgba[pixel * 4]!;
      const g = source.rgba[pixel * 4 + 1]!;
      const b = source.rgba[pixel * 4 + 2]!;
      notGreen[pixel] = g - Math.max(r, b) < 25 ? 1 : 0;
    }
    const subject = dilate(notGreen, width, height, 15);
    const core = erode(notGreen, width, height, 6);
    let outside = 0;
    let residue = 0;
    let coreOpaque = 0;
    for (let pixel = 0; pixel < subject.length; pixel += 1) {
      if (core[pixel] && matte[pixel]! >= 0.9) coreOpaque += 1;
      if (subject[pixel]) continue;
      outside += 1;
      const r = composite.rgba[pixel * 4]! / 255;
      const g = composite.rgba[pixel * 4 + 1]! / 255;
      const b = composite.rgba[pixel * 4 + 2]! / 255;
      if (chromaDistance(r, g, b, keyCbCr) < distances.similarity) residue += 1;
    }
    const residueFraction = residue / outside;
    const coreOpaqueFraction = coreOpaque / countSet(core);
    report(testInfo, {
      keyHex,
      keyChroma,
      screenNoiseP99: screenNoise,
      outsideFraction: outside / (width * height),
      residuePercent: residueFraction * 100,
      coreOpaquePercent: coreOpaqueFraction * 100,
    });

    expect(
      outside / (width * height),
      'the mask must leave most of the screen to check',
    ).toBeGreaterThan(0.4);
    expect(residueFraction).toBeLessThan(0.005);
    // The other way to pass a residue test is to key the person out too: the subject's core
    // (mask eroded by 6 px, so no hair strands) must stay opaque.
    expect(coreOpaqueFraction).toBeGreaterThan(0.98);
  });
});

test.describe('compositor in Chromium (no media fixtures needed)', () => {
  test('the shader matches the TypeScript model pixel for pixel', async ({ page }, testInfo) => {
    const keyHex = '#00b140';
    const settings: ChromaKeySettings = { similarity: 0.15, smoothness: 0.12, spill: 0.2 };
    const uniforms = keyUniformsFromSettings(keyHex, settings);

    // Flat 6x6 swatches: every centre's 3x3 neighbourhood is uniform, so the box filter is a
    // no-op there and chromaKeyPixel applies as is. Colours walk from the key to a few targets,
    // crossing the smoothness and spill bands.
    const key = hexToRgb255(keyHex);
    const targets: Rgb255[] = [
      [255, 255, 255],
      [224, 172, 138],
      [200, 30, 40],
      [30, 40, 200],
      [240, 220, 40],
      [10, 10, 10],
      [90, 160, 90],
      [0, 255, 0],
    ];
    const steps = 24;
    const swatch = 6;
    const width = steps * swatch;
    const height = targets.length * swatch;
    const rgba = new Uint8Array(width * height * 4);
    const swatchColours: Rgb255[][] = targets.map((target) =>
      Array.from({ length: steps }, (_, step) => {
        const t = step / (steps - 1);
        return key.map((c, i) => Math.round(c + ((target[i] ?? 0) - c) * t)) as unknown as Rgb255;
      }),
    );
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        const colour = swatchColours[Math.floor(y / swatch)]![Math.floor(x / swatch)]!;
        rgba.set([...colour, 255], (y * width + x) * 4);
      }
    }
    await callHarness(page, 'createImage', 'swatches', encodePixels({ width, height, rgba }));
    await callHarness(page, 'createCompositor', { width, height });
    await callHarness(page, 'setSlide', null);
    await callHarness(page, 'setKey', keyHex, settings);
    await callHarness(page, 'setAvatarPlacement', fullFrame);
    const matte = await renderMatte(page, 'swatches');
    await callHarness(page, 'setMatteView', false);
    await callHarness(page, 'render', 'swatches');
    // Over the black of an empty slide, the canvas holds the premultiplied colour itself.
    const colour = await readCanvas(page);
    // Over a slide, the avatar is laid on it in the key's own pass: colour + (1 - alpha) * slide.
    const slideRgb: Rgb255 = [128, 64, 192];
    await callHarness(page, 'createSolidImage', 'slide', { width, height }, rgb255ToHex(slideRgb));
    await callHarness(page, 'setSlide', 'slide');
    await callHarness(page, 'render', 'swatches');
    const overSlide = await readCanvas(page);

    let worstFlat = 0;
    let worstOverSlide = 0;
    let partial = 0;
    for (let row = 0; row < targets.length; row += 1) {
      for (let step = 0; step < steps; step += 1) {
        const x = step * swatch + swatch / 2;
        const y = row * swatch + swatch / 2;
        const pixel = y * width + x;
        const source = swatchColours[row]![step]!;
        const expected = chromaKeyPixel(
          source[0] / 255,
          source[1] / 255,
          source[2] / 255,
          uniforms,
        );
        if (expected.a > 0.02 && expected.a < 0.98) partial += 1;
        const errors = [
          Math.abs(matte[pixel]! - expected.a),
          Math.abs(colour.rgba[pixel * 4]! / 255 - expected.r),
          Math.abs(colour.rgba[pixel * 4 + 1]! / 255 - expected.g),
          Math.abs(colour.rgba[pixel * 4 + 2]! / 255 - expected.b),
        ];
        worstFlat = Math.max(worstFlat, ...errors);
        const over = [expected.r, expected.g, expected.b].map(
          (channel, index) => channel + (1 - expected.a) * ((slideRgb[index] ?? 0) / 255),
        );
        for (const [index, value] of over.entries()) {
          const error = Math.abs(overSlide.rgba[pixel * 4 + index]! / 255 - value);
          worstOverSlide = Math.max(worstOverSlide, error);
        }
      }
    }

    // Everywhere, including edges between swatches, against the box-filtered reference.
    const swatchImage = await readImage(page, 'swatches');
    const boxErrors: number[] = [];
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        const pixel = y * width + x;
        const r = swatchImage.rgba[pixel * 4]! / 255;
        const g = swatchImage.rgba[pixel * 4 + 1]! / 255;
        const b = swatchImage.rgba[pixel * 4 + 2]! / 255;
        const distance = boxFilteredChromaDistance(
          swatchImage.rgba,
          width,
          height,
          x,
          y,
          uniforms.keyCbCr,
        );
        const expected = chromaKeyFromDistance(r, g, b, distance, uniforms);
        boxErrors.push(Math.abs(matte[pixel]! - expected.a));
      }
    }
    const worstBox = Math.max(...boxErrors);
    report(testInfo, {
      worstFlatTimes255: worstFlat * 255,
      worstOverSlideTimes255: worstOverSlide * 255,
      partialSwatches: partial,
      worstBoxTimes255: worstBox * 255,
    });

    expect(partial, 'the swatches must exercise the soft band').toBeGreaterThan(10);
    // 8-bit output: half a level of rounding plus float noise; 2/255 leaves room for other GPUs.
    expect(worstFlat).toBeLessThanOrEqual(2 / 255);
    expect(worstOverSlide).toBeLessThanOrEqual(2 / 255);
    expect(worstBox).toBeLessThanOrEqual(2 / 255);
  });

  test('an avatar drawn larger than its source is keyed at source size, then scaled', async ({
    page,
  }, testInfo) => {
    // As OBS does: the key runs on the source's texels and the keyed result is scaled
    // (bilinear), rather than keying colours interpolated between texels. At exactly 3x, output
    // pixel 3i + 1 samples source texel i itself and its neighbours sample a third of the way
    // to the next texel, so the expected matte is the reference matte, interpolated.
    const keyHex = '#00b140';
    const settings: ChromaKeySettings = { similarity: 0.15, smoothness: 0.12, spill: 0.2 };
    const uniforms = keyUniformsFromSettings(keyHex, settings);
    const key = hexToRgb255(keyHex);
    const others: Rgb255[] = [
      [255, 255, 255],
      [200, 30, 40],
      [90, 160, 90],
      [30, 40, 200],
    ];
    // 2x2 blocks alternating between the key and colours part-way towards it: edges everywhere,
    // with soft-band values on both sides of them.
    const width = 20;
    const height = 12;
    const rgba = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        const block = Math.floor(x / 2) + Math.floor(y / 2);
        const other = others[Math.floor(x / 5) % others.length]!;
        const t = block % 2 === 0 ? 0.1 : 0.35 + 0.65 * ((Math.floor(y / 2) % 3) / 2);
        const colour = key.map((c, i) => Math.round(c + ((other[i] ?? 0) - c) * t));
        rgba.set([...colour, 255], (y * width + x) * 4);
      }
    }
    await callHarness(page, 'createImage', 'blocks', encodePixels({ width, height, rgba }));
    const scale = 3;
    const output = { width: width * scale, height: height * scale };
    await callHarness(page, 'createCompositor', output);
    await callHarness(page, 'setSlide', null);
    await callHarness(page, 'setKey', keyHex, settings);
    await callHarness(page, 'setAvatarPlacement', fullFrame);
    const matte = await renderMatte(page, 'blocks');

    // The reference matte at source size, stored as 8 bits, as the intermediate holds it.
    const sourceMatte = new Float32Array(width * height);
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        const pixel = y * width + x;
        const distance = boxFilteredChromaDistance(rgba, width, height, x, y, uniforms.keyCbCr);
        const [r, g, b] = [0, 1, 2].map((offset) => rgba[pixel * 4 + offset]! / 255);
        const alpha = chromaKeyFromDistance(r!, g!, b!, distance, uniforms).a;
        sourceMatte[pixel] = Math.round(alpha * 255) / 255;
      }
    }
    function sourceAt(x: number, y: number): number {
      const cx = Math.min(width - 1, Math.max(0, x));
      const cy = Math.min(height - 1, Math.max(0, y));
      return sourceMatte[cy * width + cx]!;
    }
    let worst = 0;
    let partial = 0;
    for (let y = 0; y < output.height; y += 1) {
      for (let x = 0; x < output.width; x += 1) {
        // Output pixel centre in source texel units, relative to texel centres.
        const u = (x + 0.5) / scale - 0.5;
        const v = (y + 0.5) / scale - 0.5;
        const x0 = Math.floor(u);
        const y0 = Math.floor(v);
        const fx = u - x0;
        const fy = v - y0;
        const top = sourceAt(x0, y0) * (1 - fx) + sourceAt(x0 + 1, y0) * fx;
        const bottom = sourceAt(x0, y0 + 1) * (1 - fx) + sourceAt(x0 + 1, y0 + 1) * fx;
        const expected = top * (1 - fy) + bottom * fy;
        if (expected > 0.02 && expected < 0.98) partial += 1;
        worst = Math.max(worst, Math.abs(matte[y * output.width + x]! - expected));
      }
    }
    report(testInfo, { worstTimes255: worst * 255, partialPixels: partial });
    expect(partial, 'the blocks must exercise the soft band').toBeGreaterThan(100);
    // Two levels: the rounding of the intermediate and of the output, plus filtering precision.
    expect(worst).toBeLessThanOrEqual(2 / 255);
  });

  test('a frame redraws only around the avatar, yet always equals a full redraw', async ({
    page,
  }) => {
    // The compositor keeps the canvas between frames and redraws only where the avatar was and
    // is. After every step of a sequence that moves, resizes, hides and replaces it, the canvas
    // must be exactly what a fresh compositor draws for the same state.
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
    const key = hexToRgb255('#00b140');
    /** Key colour on one side, a colour on the other, a soft ramp between. */
    function split(width: number, height: number, colour: Rgb255, keyFirst: boolean): RgbaImage {
      const rgba = new Uint8Array(width * height * 4);
      const horizontal = width >= height;
      const length = horizontal ? width : height;
      for (let y = 0; y < height; y += 1) {
        for (let x = 0; x < width; x += 1) {
          const along = (horizontal ? x : y) / (length - 1);
          const t = Math.min(1, Math.max(0, (keyFirst ? along : 1 - along) * 3 - 1));
          const mixed = key.map((c, i) => Math.round(c + ((colour[i] ?? 0) - c) * t));
          rgba.set([...mixed, 255], (y * width + x) * 4);
        }
      }
      return { width, height, rgba };
    }
    const images: Record<string, RgbaImage> = {
      slide: gradient(160, 90, 96),
      'other-slide': gradient(200, 150, 200),
      'wide-a': split(64, 32, [220, 40, 40], true),
      'wide-b': split(64, 32, [240, 220, 40], false),
      tall: split(32, 64, [40, 60, 220], true),
      // Drawn about 20 times its size: keyed at source size, then scaled.
      tiny: split(16, 8, [250, 250, 250], false),
    };
    for (const [name, image] of Object.entries(images)) {
      await callHarness(page, 'createImage', name, encodePixels(image));
    }

    const scene = {
      output: { width: 160, height: 90 },
      slide: 'slide' as string | null,
      keyColor: '#00b140',
      chromaKey: { similarity: 0.15, smoothness: 0.12, spill: 0.2 },
      placement: { x: 0.5, y: 0.1, width: 0.45, height: 0.8 } as NormalisedRect | null,
      matteView: false,
      avatar: null as string | null,
    };
    await callHarness(page, 'createCompositor', scene.output);
    await callHarness(page, 'setSlide', scene.slide);
    await callHarness(page, 'setKey', scene.keyColor, scene.chromaKey);
    await callHarness(page, 'setAvatarPlacement', scene.placement);

    type Step = { name: string; change?: () => Promise<void>; avatar: string | null };
    const steps: Step[] = [
      { name: 'first frame', avatar: 'wide-a' },
      { name: 'new picture, same size', avatar: 'wide-b' },
      { name: 'another shape in the same box', avatar: 'tall' },
      { name: 'no avatar', avatar: null },
      { name: 'avatar back', avatar: 'wide-a' },
      {
        name: 'moved',
        change: async () => {
          scene.placement = { x: 0.05, y: 0.3, width: 0.4, height: 0.6 };
          await callHarness(page, 'setAvatarPlacement', scene.placement);
        },
        avatar: 'wide-b',
      },
      { name: 'upscaled source', avatar: 'tiny' },
      { name: 'same rectangle, keyed while drawn', avatar: 'wide-a' },
      {
        name: 'matte view',
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
        avatar: 'wide-b',
      },
      {
        name: 'new slide',
        change: async () => {
          scene.slide = 'other-slide';
          await callHarness(page, 'setSlide', scene.slide);
        },
        avatar: 'wide-a',
      },
      {
        name: 'resized',
        change: async () => {
          scene.output = { width: 128, height: 72 };
          await callHarness(page, 'resize', scene.output);
        },
        avatar: 'tall',
      },
      {
        name: 'no slide',
        change: async () => {
          scene.slide = null;
          await callHarness(page, 'setSlide', null);
        },
        avatar: 'wide-a',
      },
      {
        name: 'hidden',
        change: async () => {
          scene.placement = null;
          await callHarness(page, 'setAvatarPlacement', null);
        },
        avatar: 'wide-b',
      },
    ];
    for (const step of steps) {
      await step.change?.();
      scene.avatar = step.avatar;
      await callHarness(page, 'render', step.avatar);
      const incremental = await readCanvas(page);
      const fresh = decodePixels(await callHarness(page, 'renderFresh', scene));
      expect(incremental.width, step.name).toBe(fresh.width);
      let differing = 0;
      for (let index = 0; index < fresh.rgba.length; index += 1) {
        if (incremental.rgba[index] !== fresh.rgba[index]) differing += 1;
      }
      expect(differing, `${step.name}: bytes that differ from a full redraw`).toBe(0);
    }
  });

  test('letterboxes the slide and stands the avatar on the bottom of its box', async ({ page }) => {
    const output = { width: 320, height: 180 };
    // A 4:3 slide, white above and blue below, in 16:9: pillarbox bars of 40 px, black.
    const slideWidth = 400;
    const slideHeight = 300;
    const slidePixels = new Uint8Array(slideWidth * slideHeight * 4);
    for (let pixel = 0; pixel < slideWidth * slideHeight; pixel += 1) {
      const top = pixel < (slideWidth * slideHeight) / 2;
      slidePixels.set(top ? [255, 255, 255, 255] : [0, 0, 255, 255], pixel * 4);
    }
    await callHarness(
      page,
      'createImage',
      'slide',
      encodePixels({ width: slideWidth, height: slideHeight, rgba: slidePixels }),
    );
    // A red 2:1 avatar (no key colour in it, so fully opaque).
    await callHarness(page, 'createSolidImage', 'avatar', { width: 100, height: 50 }, '#ff0000');
    await callHarness(page, 'createCompositor', output);
    await callHarness(page, 'setSlide', 'slide');
    await callHarness(page, 'setKey', '#00b140', { similarity: 0.2, smoothness: 0.08, spill: 0.1 });
    // Box: x 160..320, y 18..162 (px); the 2:1 avatar fits 160x80 and sits on the bottom: y 82..162.
    await callHarness(page, 'setAvatarPlacement', { x: 0.5, y: 0.1, width: 0.5, height: 0.8 });
    const stats = await callHarness(page, 'render', 'avatar');
    expect(stats.framesRendered).toBe(1);
    const canvas = await readCanvas(page);
    function at(x: number, y: number): number[] {
      const index = (y * output.width + x) * 4;
      return Array.from(canvas.rgba.subarray(index, index + 3));
    }
    const white = [255, 255, 255];
    const blue = [0, 0, 255];
    const red = [255, 0, 0];
    expect(at(20, 90)).toEqual([0, 0, 0]); // left bar
    expect(at(300, 10)).toEqual([0, 0, 0]); // right bar, above the avatar
    expect(at(45, 30)).toEqual(white); // slide, upper half: not upside down
    expect(at(45, 150)).toEqual(blue); // slide, lower half
    expect(at(150, 120)).toEqual(blue); // slide, left of the avatar
    expect(at(240, 78)).toEqual(white); // slide, just above the avatar
    expect(at(240, 86)).toEqual(red); // avatar, top rows
    expect(at(240, 160)).toEqual(red); // avatar, bottom of the box
    expect(at(240, 170)).toEqual(blue); // slide, below the box
    expect(at(300, 120)).toEqual(red); // avatar over the right bar

    await callHarness(page, 'setAvatarPlacement', null);
    await callHarness(page, 'render', 'avatar');
    const hidden = await readCanvas(page);
    const index = (120 * output.width + 240) * 4;
    expect(Array.from(hidden.rgba.subarray(index, index + 3))).toEqual(blue);

    // A new output size re-fits the slide: 160x90 puts the 4:3 slide at x 20..140.
    await callHarness(page, 'resize', { width: 160, height: 90 });
    await callHarness(page, 'render', null);
    const resized = await readCanvas(page);
    expect(resized.width).toBe(160);
    function resizedAt(x: number, y: number): number[] {
      const offset = (y * 160 + x) * 4;
      return Array.from(resized.rgba.subarray(offset, offset + 3));
    }
    expect(resizedAt(10, 45)).toEqual([0, 0, 0]);
    expect(resizedAt(30, 20)).toEqual(white);
    expect(resizedAt(30, 80)).toEqual(blue);
    expect(resizedAt(150, 45)).toEqual([0, 0, 0]);
  });

  test('survives a lost context, renders again after restore, and frees every GL object', async ({
    page,
  }) => {
    const output = { width: 64, height: 36 };
    await callHarness(page, 'createSolidImage', 'slide', output, '#336699');
    await callHarness(page, 'createSolidImage', 'avatar', { width: 16, height: 16 }, '#00b140');
    await callHarness(page, 'createCompositor', output);
    await callHarness(page, 'setSlide', 'slide');
    await callHarness(page, 'setKey', '#00b140', { similarity: 0.2, smoothness: 0.08, spill: 0.1 });
    await callHarness(page, 'setAvatarPlacement', fullFrame);
    expect((await callHarness(page, 'render', 'avatar')).framesRendered).toBe(1);

    expect(await callHarness(page, 'loseContext')).toBe('lost');
    // Frames while lost are skipped, not thrown.
    expect((await callHarness(page, 'render', 'avatar')).framesRendered).toBe(1);
    expect(await callHarness(page, 'restoreContext')).toBe('ready');
    expect((await callHarness(page, 'render', 'avatar')).framesRendered).toBe(2);
    // The slide was uploaded again and the key colour is still keyed out.
    const canvas = await readCanvas(page);
    expect(Array.from(canvas.rgba.subarray(0, 3))).toEqual([0x33, 0x66, 0x99]);

    const objects = await callHarness(page, 'disposeCompositor');
    expect(objects.created).toBeGreaterThan(0);
    expect(objects.live).toBe(0);
  });
});
