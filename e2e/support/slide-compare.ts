import type { Page } from '@playwright/test';
import type {
  DomRequest,
  DrawRequest,
  PredecessorDrawingHarness,
} from '../../testing/harness/predecessor-drawing-api.ts';
import { pngToRgb } from './reference-slides.ts';

/**
 * Compares an importer-drawn slide with what Chromium draws for the same document objects as DOM
 * (testing/harness/predecessor-dom.ts), pixel by pixel at the output size.
 */

export interface SlideDifference {
  /** Mean absolute difference per channel, 0..255. */
  meanAbs: number;
  /** Share of pixels whose largest channel difference exceeds `strongDiff`. */
  strongShare: number;
}

/** A difference a viewer sees at once (a quarter of the range); text antialiasing stays below. */
export const strongDiff = 64;

export function compareRgb(a: Uint8Array, b: Uint8Array): SlideDifference {
  let sum = 0;
  let strong = 0;
  const pixels = a.length / 3;
  for (let p = 0; p < pixels; p += 1) {
    const i = p * 3;
    const dr = Math.abs((a[i] ?? 0) - (b[i] ?? 0));
    const dg = Math.abs((a[i + 1] ?? 0) - (b[i + 1] ?? 0));
    const db = Math.abs((a[i + 2] ?? 0) - (b[i + 2] ?? 0));
    sum += dr + dg + db;
    if (Math.max(dr, dg, db) > strongDiff) strong += 1;
  }
  return { meanAbs: sum / Math.max(1, a.length), strongShare: strong / Math.max(1, pixels) };
}

/** The DOM reference of a slide, screenshotted at the output size (RGB). */
export async function domReference(page: Page, request: DomRequest): Promise<Uint8Array> {
  const { width, height } = request.output;
  await page.setViewportSize({ width, height });
  // Evaluated in the page: the function cannot use anything from this module.
  await page.evaluate(async (r) => {
    const scope = globalThis as unknown as { predecessorDrawing?: PredecessorDrawingHarness };
    if (!scope.predecessorDrawing) throw new Error('the drawing harness did not load');
    await scope.predecessorDrawing.showDom(r);
  }, request);
  const png = await page.screenshot({ clip: { x: 0, y: 0, width, height } });
  return pngToRgb(png, width, height);
}

/** The harness's drawing of a slide (drawSlide, as the importer draws), as PNG bytes. */
export async function harnessDrawing(
  page: Page,
  request: DrawRequest,
): Promise<{ png: Buffer; substitutions: string[] }> {
  const drawn = await page.evaluate(async (r) => {
    const scope = globalThis as unknown as { predecessorDrawing?: PredecessorDrawingHarness };
    if (!scope.predecessorDrawing) throw new Error('the drawing harness did not load');
    return scope.predecessorDrawing.drawPng(r);
  }, request);
  return { png: Buffer.from(drawn.pngBase64, 'base64'), substitutions: drawn.substitutions };
}
