import type { Page } from 'playwright-core';
import type { HarnessPixels, RapidoHarness } from '../harness/harness-api.ts';

/** Names of the harness's methods (everything but `ready`). */
export type HarnessMethod = {
  [K in keyof RapidoHarness]: RapidoHarness[K] extends (...args: never[]) => unknown ? K : never;
}[keyof RapidoHarness];

type HarnessArgs<K extends HarnessMethod> = RapidoHarness[K] extends (...args: infer A) => unknown
  ? A
  : never;
type HarnessResult<K extends HarnessMethod> = RapidoHarness[K] extends (...args: never[]) => infer R
  ? Awaited<R>
  : never;

/** Opens the built harness page and waits until it has installed window.rapidoHarness. */
export async function openHarness(page: Page, serverUrl: string): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${serverUrl}/harness.html`);
  try {
    await page.waitForFunction(() => 'rapidoHarness' in globalThis, undefined, {
      timeout: 10_000,
    });
  } catch (error) {
    throw new Error(`the harness page did not start: ${errors.join('; ') || String(error)}`, {
      cause: error,
    });
  }
}

/** Calls one harness method in the page; arguments and results travel as JSON. */
export async function callHarness<K extends HarnessMethod>(
  page: Page,
  method: K,
  ...args: HarnessArgs<K>
): Promise<HarnessResult<K>> {
  const result: unknown = await page.evaluate(
    async ({ name, values }) => {
      const harness = (globalThis as unknown as { rapidoHarness: Record<string, unknown> })
        .rapidoHarness;
      const member = harness[name];
      if (typeof member !== 'function') throw new Error(`rapidoHarness.${name} is not a method`);
      const callable = member as (...callArgs: unknown[]) => unknown;
      return await callable(...values);
    },
    { name: method, values: args },
  );
  return result as HarnessResult<K>;
}

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** 8-bit RGBA, rows top-down. */
  readonly rgba: Uint8Array;
}

export function decodePixels(pixels: HarnessPixels): RgbaImage {
  return {
    width: pixels.width,
    height: pixels.height,
    rgba: new Uint8Array(Buffer.from(pixels.rgbaBase64, 'base64')),
  };
}

export function encodePixels(image: RgbaImage): HarnessPixels {
  return {
    width: image.width,
    height: image.height,
    rgbaBase64: Buffer.from(image.rgba).toString('base64'),
  };
}
