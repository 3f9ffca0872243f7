import type { ChromaKeySettings } from './lesson/lesson-schema.ts';
import { err, ok, type Result } from './result.ts';

/**
 * OBS's chroma-key model (obs-filters' chroma_key_filter_v2), written out in plain TypeScript so
 * the maths can be unit-tested numerically. The WebGL fragment shader in
 * src/renderer/engine/compositor mirrors `chromaKeyPixel` line by line and adds OBS's 3x3 box
 * filter of the distance (`boxFilteredChromaDistance` here is the reference for that part).
 *
 * One deliberate difference from OBS: colours are converted with full-range BT.709
 * (Cb, Cr in 0..1, neutral at 0.5) rather than OBS's studio-range matrix, so distances are
 * 255/224 times OBS's for the same colours.
 */

/** A colour with channels in 0..1 (straight, not premultiplied). */
export interface RgbColor {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

/** A keyed pixel: channels in 0..1, colour premultiplied by alpha. */
export interface PremultipliedRgba {
  readonly r: number;
  readonly g: number;
  readonly b: number;
  readonly a: number;
}

/** What the shader needs, converted once per settings change, never per frame. */
export interface ChromaKeyUniforms {
  readonly keyCbCr: readonly [number, number];
  readonly similarity: number;
  readonly smoothness: number;
  readonly spill: number;
}

/** BT.709 luma weights. */
export const lumaRed = 0.2126;
export const lumaGreen = 0.7152;
export const lumaBlue = 0.0722;

/** Full-range BT.709 chroma rows: Cb = (B - Y) / 1.8556, Cr = (R - Y) / 1.5748, plus 0.5. */
const cbScale = 0.5 / (1 - lumaBlue);
const crScale = 0.5 / (1 - lumaRed);
export const cbCoefficients: readonly [number, number, number] = [
  -lumaRed * cbScale,
  -lumaGreen * cbScale,
  (1 - lumaBlue) * cbScale,
];
export const crCoefficients: readonly [number, number, number] = [
  (1 - lumaRed) * crScale,
  -lumaGreen * crScale,
  -lumaBlue * crScale,
];
export const chromaOffset = 0.5;

/** Parses `#rrggbb` (either case) into 0..1 channels. */
export function parseHexColor(hex: string): Result<RgbColor> {
  const match = /^#([0-9a-fA-F]{2})([0-9a-fA-F]{2})([0-9a-fA-F]{2})$/.exec(hex);
  if (!match) {
    return err('invalid-request', `"${hex}" is not a colour like #00b140.`, {
      hint: 'Write the key colour as # followed by six hexadecimal digits.',
    });
  }
  const [, red = '00', green = '00', blue = '00'] = match;
  return ok({
    r: Number.parseInt(red, 16) / 255,
    g: Number.parseInt(green, 16) / 255,
    b: Number.parseInt(blue, 16) / 255,
  });
}

/** Full-range BT.709 chroma of a 0..1 RGB colour, offset so that grey maps to (0.5, 0.5). */
export function rgbToCbCr(r: number, g: number, b: number): [number, number] {
  const cb = cbCoefficients[0] * r + cbCoefficients[1] * g + cbCoefficients[2] * b + chromaOffset;
  const cr = crCoefficients[0] * r + crCoefficients[1] * g + crCoefficients[2] * b + chromaOffset;
  return [cb, cr];
}

/** Chroma magnitude (distance from neutral) of pure green #00ff00, OBS's default key colour. */
export const pureGreenChroma = Math.hypot(cbCoefficients[1], crCoefficients[1]);

/** OBS measures CbCr in studio range; full-range distances are 255/224 of studio-range ones. */
const studioToFullRange = 255 / 224;

/**
 * How user-facing similarity, smoothness and spill map to CbCr distances for a key colour.
 *
 * OBS's numbers are absolute distances tuned for its default key, pure green. A real screen
 * colour such as #00b140 has much less chroma (0.35 vs 0.60), so with OBS's default similarity
 * 0.4 every grey, white and most skin would be keyed out. Rapido scales the settings by the key's
 * own chroma instead: for #00ff00 they mean exactly what they mean in OBS, and the same numbers
 * keep working for darker or paler keys (SyncTalk's #089831, a dark studio green).
 */
export function keyChromaScale(keyCbCr: readonly [number, number]): number {
  const chroma = Math.hypot(keyCbCr[0] - chromaOffset, keyCbCr[1] - chromaOffset);
  // A key with almost no chroma (grey) cannot be keyed by colour; keep the scale from collapsing.
  return (Math.max(chroma, 0.02) / pureGreenChroma) * studioToFullRange;
}

/**
 * Converts the user-facing settings once. The key colour comes from a schema-validated lesson, so
 * an unparsable one here is a bug, not an expected failure: it throws.
 */
export function keyUniformsFromSettings(
  keyColorHex: string,
  settings: ChromaKeySettings,
): ChromaKeyUniforms {
  const parsed = parseHexColor(keyColorHex);
  if (!parsed.ok) throw new RangeError(parsed.error.message);
  const { r, g, b } = parsed.value;
  const keyCbCr = rgbToCbCr(r, g, b);
  const scale = keyChromaScale(keyCbCr);
  return {
    keyCbCr,
    similarity: settings.similarity * scale,
    smoothness: settings.smoothness * scale,
    spill: settings.spill * scale,
  };
}

/** The user-facing settings that give these absolute CbCr distances for a key colour. */
export function settingsForDistances(
  keyColorHex: string,
  distances: ChromaKeySettings,
): ChromaKeySettings {
  const parsed = parseHexColor(keyColorHex);
  if (!parsed.ok) throw new RangeError(parsed.error.message);
  const scale = keyChromaScale(rgbToCbCr(parsed.value.r, parsed.value.g, parsed.value.b));
  return {
    similarity: distances.similarity / scale,
    smoothness: distances.smoothness / scale,
    spill: distances.spill / scale,
  };
}

/** Euclidean CbCr distance of a 0..1 RGB colour to the key. */
export function chromaDistance(
  r: number,
  g: number,
  b: number,
  keyCbCr: readonly [number, number],
): number {
  const [cb, cr] = rgbToCbCr(r, g, b);
  return Math.hypot(cb - keyCbCr[0], cr - keyCbCr[1]);
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/** pow(clamp(t, 0, 1), 1.5), written as the shader writes it (t * sqrt(t)). */
function softStep(value: number): number {
  const t = clamp01(value);
  return t * Math.sqrt(t);
}

/**
 * Keys one pixel given its (already box-filtered, or raw) chroma distance: the shared tail of
 * `chromaKeyPixel` and the shader.
 */
export function chromaKeyFromDistance(
  r: number,
  g: number,
  b: number,
  distance: number,
  uniforms: ChromaKeyUniforms,
): PremultipliedRgba {
  const baseMask = distance - uniforms.similarity;
  const alpha = softStep(baseMask / uniforms.smoothness);
  const spillValue = softStep(baseMask / uniforms.spill);
  // Near the key, colour fades towards its own luma: that removes the green cast (spill).
  const grey = lumaRed * r + lumaGreen * g + lumaBlue * b;
  return {
    r: (grey + (r - grey) * spillValue) * alpha,
    g: (grey + (g - grey) * spillValue) * alpha,
    b: (grey + (b - grey) * spillValue) * alpha,
    a: alpha,
  };
}

/** Keys one 0..1 RGB pixel without the box filter. Output is premultiplied. */
export function chromaKeyPixel(
  r: number,
  g: number,
  b: number,
  uniforms: ChromaKeyUniforms,
): PremultipliedRgba {
  return chromaKeyFromDistance(r, g, b, chromaDistance(r, g, b, uniforms.keyCbCr), uniforms);
}

/**
 * The shader's box-filtered distance at texel (x, y) of an 8-bit RGBA image (rows top-down),
 * as OBS computes it: four bilinear taps, each halfway between two neighbouring texels, weighted
 * 2, plus the centre, over 9. Together they cover the 3x3 neighbourhood with weight 1 each, but
 * the distance of each tap is taken on the average *colour* of its two texels. Edges clamp, as
 * the texture does.
 */
export function boxFilteredChromaDistance(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  x: number,
  y: number,
  keyCbCr: readonly [number, number],
): number {
  function channel(column: number, row: number, offset: number): number {
    const cx = Math.min(width - 1, Math.max(0, column));
    const cy = Math.min(height - 1, Math.max(0, row));
    return (rgba[(cy * width + cx) * 4 + offset] ?? 0) / 255;
  }
  function pairDistance(x0: number, y0: number, x1: number, y1: number): number {
    return chromaDistance(
      (channel(x0, y0, 0) + channel(x1, y1, 0)) / 2,
      (channel(x0, y0, 1) + channel(x1, y1, 1)) / 2,
      (channel(x0, y0, 2) + channel(x1, y1, 2)) / 2,
      keyCbCr,
    );
  }
  const centre = chromaDistance(channel(x, y, 0), channel(x, y, 1), channel(x, y, 2), keyCbCr);
  const taps =
    pairDistance(x - 1, y - 1, x - 1, y) +
    pairDistance(x + 1, y, x + 1, y + 1) +
    pairDistance(x, y - 1, x + 1, y - 1) +
    pairDistance(x - 1, y + 1, x, y + 1);
  return (taps * 2 + centre) / 9;
}
