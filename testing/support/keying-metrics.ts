import type { RgbaImage } from './harness-client.ts';

/** Pixel maths for the keying-quality tests: mattes are Float32Arrays of alpha in 0..1. */

export type Rgb255 = readonly [number, number, number];

export function hexToRgb255(hex: string): Rgb255 {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

export function rgb255ToHex([r, g, b]: Rgb255): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** The red channel of a grey image (or of a matte rendered as grey), as 0..1 alpha. */
export function greyToMatte(image: RgbaImage): Float32Array {
  const matte = new Float32Array(image.width * image.height);
  for (let index = 0; index < matte.length; index += 1) matte[index] = image.rgba[index * 4]! / 255;
  return matte;
}

/** out = F * a + plate * (1 - a), rounded to 8 bits: a synthetic green-screen frame of known alpha. */
export function compositeOverPlate(
  foreground: RgbaImage,
  alpha: Float32Array,
  plate: Rgb255,
): RgbaImage {
  const rgba = new Uint8Array(foreground.rgba.length);
  for (let pixel = 0; pixel < alpha.length; pixel += 1) {
    const a = alpha[pixel]!;
    for (let channel = 0; channel < 3; channel += 1) {
      const index = pixel * 4 + channel;
      rgba[index] = Math.round(foreground.rgba[index]! * a + plate[channel]! * (1 - a));
    }
    rgba[pixel * 4 + 3] = 255;
  }
  return { width: foreground.width, height: foreground.height, rgba };
}

/** The predecessor's keyer: alpha 0 where the RGB distance to the key is under a threshold, else 1. */
export function binaryThresholdMatte(
  image: RgbaImage,
  key: Rgb255,
  threshold: number,
): Float32Array {
  const matte = new Float32Array(image.width * image.height);
  const thresholdSquared = threshold * threshold;
  for (let pixel = 0; pixel < matte.length; pixel += 1) {
    const dr = image.rgba[pixel * 4]! - key[0];
    const dg = image.rgba[pixel * 4 + 1]! - key[1];
    const db = image.rgba[pixel * 4 + 2]! - key[2];
    matte[pixel] = dr * dr + dg * dg + db * db < thresholdSquared ? 0 : 1;
  }
  return matte;
}

/** Mean |a - b| over the pixels where `mask` is set (all pixels without a mask). */
export function meanAbsoluteError(a: Float32Array, b: Float32Array, mask?: Uint8Array): number {
  let sum = 0;
  let count = 0;
  for (let pixel = 0; pixel < a.length; pixel += 1) {
    if (mask && !mask[pixel]) continue;
    sum += Math.abs(a[pixel]! - b[pixel]!);
    count += 1;
  }
  return count === 0 ? 0 : sum / count;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
}

/**
 * The pixels of a band along the top, left and right edges (from `inset` to `inset + depth` px
 * in), where a framed presenter leaves the screen visible. The very edge is skipped: cameras and
 * encoders often leave a dark line there.
 */
export function borderPixels(image: RgbaImage, inset: number, depth: number): Rgb255[] {
  const pixels: Rgb255[] = [];
  const { width, height, rgba } = image;
  function take(x: number, y: number): void {
    const index = (y * width + x) * 4;
    pixels.push([rgba[index]!, rgba[index + 1]!, rgba[index + 2]!]);
  }
  for (let y = inset; y < inset + depth; y += 1)
    for (let x = inset; x < width - inset; x += 1) take(x, y);
  for (let y = inset + depth; y < height - inset; y += 1) {
    for (let x = inset; x < inset + depth; x += 1) take(x, y);
    for (let x = width - inset - depth; x < width - inset; x += 1) take(x, y);
  }
  return pixels;
}

/** Per-channel median: a key colour that ignores the odd stray pixel. */
export function medianColour(pixels: readonly Rgb255[]): Rgb255 {
  return [
    median(pixels.map((p) => p[0])),
    median(pixels.map((p) => p[1])),
    median(pixels.map((p) => p[2])),
  ];
}

/** Square-neighbourhood dilation of a 0/1 mask (separable, so fine for radii of tens of pixels). */
export function dilate(
  mask: Uint8Array,
  width: number,
  height: number,
  radius: number,
): Uint8Array {
  const horizontal = new Uint8Array(mask.length);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      for (let dx = -radius; dx <= radius; dx += 1) {
        const sx = x + dx;
        if (sx >= 0 && sx < width && mask[y * width + sx]) {
          horizontal[y * width + x] = 1;
          break;
        }
      }
    }
  }
  const result = new Uint8Array(mask.length);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      for (let dy = -radius; dy <= radius; dy += 1) {
        const sy = y + dy;
        if (sy >= 0 && sy < height && horizontal[sy * width + x]) {
          result[y * width + x] = 1;
          break;
        }
      }
    }
  }
  return result;
}

export function erode(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const inverted = mask.map((value) => (value ? 0 : 1));
  return dilate(inverted, width, height, radius).map((value) => (value ? 0 : 1));
}

export function countSet(mask: Uint8Array): number {
  let count = 0;
  for (const value of mask) count += value ? 1 : 0;
  return count;
}
