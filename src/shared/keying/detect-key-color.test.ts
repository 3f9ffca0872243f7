import { describe, expect, it } from 'vitest';
import { detectKeyColor, rgbToHex, type RgbaImageLike } from './detect-key-color.ts';

type Rgb = readonly [number, number, number];

/** A deterministic generator, so a noisy test image is the same on every run. */
function noise(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

function solid(width: number, height: number, color: (x: number, y: number) => Rgb): RgbaImageLike {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const [r, g, b] = color(x, y);
      const offset = (y * width + x) * 4;
      data[offset] = r;
      data[offset + 1] = g;
      data[offset + 2] = b;
      data[offset + 3] = 255;
    }
  }
  return { data, width, height };
}

/** A presenter-like grey/skin shape standing on the bottom edge of a screen colour, with noise. */
function presenterOn(screen: Rgb, seed = 1): RgbaImageLike {
  const random = noise(seed);
  return solid(320, 240, (x, y) => {
    const inBody = x > 110 && x < 210 && y > 120;
    const inHead = (x - 160) ** 2 + (y - 80) ** 2 < 40 ** 2;
    // Hair crossing the top edge: an outlier on the border.
    const inHair = x > 140 && x < 180 && y < 50;
    if (inBody) return [70, 70, 80];
    if (inHead) return [220, 170, 140];
    if (inHair) return [40, 25, 15];
    const jitter = random() * 10;
    return [screen[0] + jitter, screen[1] + jitter, screen[2] + jitter];
  });
}

function channelsOf(hex: string): Rgb {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

function expectColourNear(hex: string, expected: Rgb, tolerance: number): void {
  const actual = channelsOf(hex);
  for (let channel = 0; channel < 3; channel += 1) {
    expect(
      Math.abs((actual[channel] ?? 0) - (expected[channel] ?? 0)),
      `${hex} vs rgb(${expected.join(',')})`,
    ).toBeLessThanOrEqual(tolerance);
  }
}

describe('detectKeyColor on synthetic frames', () => {
  it('finds the screen green behind a presenter, ignoring body and hair on the border', () => {
    const result = detectKeyColor(presenterOn([0, 177, 64]));
    if (!result.ok) throw new Error(result.error.message);
    expectColourNear(result.value.keyColor, [0, 177, 64], 3);
    // Body across a third of the bottom band and hair across the top: most of the border is screen.
    expect(result.value.coverage).toBeGreaterThan(0.8);
    expect(result.value.coverage).toBeLessThan(0.99);
  });

  it('finds a blue screen as well', () => {
    const result = detectKeyColor(presenterOn([20, 60, 200], 7));
    if (!result.ok) throw new Error(result.error.message);
    expectColourNear(result.value.keyColor, [20, 60, 200], 3);
  });

  it('takes the middle of an unevenly lit screen (70..100 % brightness)', () => {
    const image = solid(200, 200, (x) => {
      const light = 0.7 + (0.3 * x) / 199;
      return [0, 177 * light, 64 * light];
    });
    const result = detectKeyColor(image);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.coverage).toBe(1);
    expectColourNear(result.value.keyColor, [0, 177 * 0.85, 64 * 0.85], 4);
  });

  it('refuses a border split between two colours, saying how much the commonest covers', () => {
    const image = solid(200, 100, (x) => (x < 100 ? [200, 30, 30] : [30, 30, 200]));
    const result = detectKeyColor(image);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toMatch(/not one colour .* 50 %/);
    expect(result.error.hint).toMatch(/eyedropper/);
  });

  it('refuses a grey, white or black border (nothing to key by colour)', () => {
    for (const grey of [0, 128, 255]) {
      const result = detectKeyColor(solid(64, 64, () => [grey, grey, grey]));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.message).toMatch(/grey, white or black/);
    }
  });

  it('refuses an empty or truncated image', () => {
    expect(detectKeyColor({ data: new Uint8ClampedArray(0), width: 0, height: 0 }).ok).toBe(false);
    expect(detectKeyColor({ data: new Uint8ClampedArray(8), width: 4, height: 4 }).ok).toBe(false);
  });

  it('works on a frame smaller than the border band', () => {
    const result = detectKeyColor(solid(3, 2, () => [10, 200, 30]));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.keyColor).toBe('#0ac81e');
  });

  it('writes hex colours with rounding and clamping', () => {
    expect(rgbToHex(0, 177.4, 64.6)).toBe('#00b141');
    expect(rgbToHex(-3, 300, 15)).toBe('#00ff0f');
  });
});

// The real green-screen stills and video frames are tested in e2e/editor-avatar.spec.ts, where
// Node (ffmpeg to decode them) is available; this file also typechecks for the browser.
