import { rgbToCbCr } from '../chroma-key.ts';
import { err, ok, type Result } from '../result.ts';

/**
 * Finds the key colour of a green (or blue) screen frame from its border: a presenter stands in
 * the middle, so the outer band of the frame is mostly screen. The dominant colour cluster is
 * found in CbCr (the plane the keyer measures distances in), pixels far from it (hair,
 * shoulders, a prop crossing the edge) are discarded, and the key is the per-channel median of
 * the rest. Uneven light scales a screen's chroma, so the cluster's radius grows with its chroma.
 */

/** An RGBA image as ImageData holds one (rows top-down, 4 bytes a pixel). */
export interface RgbaImageLike {
  readonly data: ArrayLike<number>;
  readonly width: number;
  readonly height: number;
}

export interface KeyColorDetection {
  /** `#rrggbb`, ready for lesson.avatar.keyColor. */
  readonly keyColor: string;
  /** Share of the border pixels (0..1) that belong to the key colour's cluster. */
  readonly coverage: number;
}

export interface DetectKeyColorOptions {
  /** Border band thickness as a share of the shorter side (at least 1 px). */
  readonly bandFraction: number;
  /** CbCr distance within which a border pixel counts as the screen's colour (at least). */
  readonly clusterRadius: number;
  /** ...or this share of the cluster's own chroma, when larger (a ±25 % lighting range). */
  readonly clusterRadiusPerChroma: number;
  /** The least coverage that still counts as "the border is one colour". */
  readonly minCoverage: number;
  /** The least chroma (distance from grey in CbCr) a key colour must have. */
  readonly minChroma: number;
  /** Border pixels are subsampled to at most this many (the answer does not need more). */
  readonly maxSamples: number;
}

export const defaultDetectKeyColorOptions: DetectKeyColorOptions = {
  bandFraction: 0.02,
  clusterRadius: 0.05,
  clusterRadiusPerChroma: 0.25,
  minCoverage: 0.6,
  minChroma: 0.06,
  maxSamples: 40_000,
};

/** Histogram bins per CbCr axis for the first guess of the dominant cluster. */
const histogramBins = 64;
const refineIterations = 3;

function borderPixelIndices(width: number, height: number, band: number): number[] {
  const indices: number[] = [];
  for (let y = 0; y < height; y += 1) {
    const inRowBand = y < band || y >= height - band;
    for (let x = 0; x < width; x += 1) {
      if (inRowBand || x < band || x >= width - band) indices.push(y * width + x);
    }
  }
  return indices;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = values.slice().sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function toHex(channel: number): string {
  return Math.round(Math.min(255, Math.max(0, channel)))
    .toString(16)
    .padStart(2, '0');
}

export function rgbToHex(r: number, g: number, b: number): string {
  return `#${toHex(r)}${toHex(g)}${toHex(b)}`;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)} %`;
}

/**
 * The key colour of a frame from its border, or why there is none: the border is not dominated
 * by one colour (a frame without a screen, or a subject filling the edges), or its colour is
 * grey, white or black (nothing a chroma key can separate).
 */
export function detectKeyColor(
  image: RgbaImageLike,
  options: Partial<DetectKeyColorOptions> = {},
): Result<KeyColorDetection> {
  const settings = { ...defaultDetectKeyColorOptions, ...options };
  const { width, height, data } = image;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    return err('invalid-request', 'The avatar frame is empty.');
  }
  if (data.length < width * height * 4) {
    return err('invalid-request', 'The avatar frame has fewer pixels than its size says.');
  }
  const band = Math.max(1, Math.round(Math.min(width, height) * settings.bandFraction));
  const border = borderPixelIndices(width, height, band);
  const stride = Math.max(1, Math.ceil(border.length / settings.maxSamples));
  const count = Math.ceil(border.length / stride);
  const cb = new Float32Array(count);
  const cr = new Float32Array(count);
  const pixels = new Int32Array(count);
  for (let sample = 0; sample < count; sample += 1) {
    const pixel = border[sample * stride] ?? 0;
    const offset = pixel * 4;
    const [pixelCb, pixelCr] = rgbToCbCr(
      (data[offset] ?? 0) / 255,
      (data[offset + 1] ?? 0) / 255,
      (data[offset + 2] ?? 0) / 255,
    );
    cb[sample] = pixelCb;
    cr[sample] = pixelCr;
    pixels[sample] = pixel;
  }

  // First guess: the densest 3x3 neighbourhood of a coarse CbCr histogram.
  const histogram = new Uint32Array(histogramBins * histogramBins);
  const binOf = (value: number) =>
    Math.min(histogramBins - 1, Math.max(0, Math.floor(value * histogramBins)));
  for (let sample = 0; sample < count; sample += 1) {
    const bin = binOf(cb[sample] ?? 0) * histogramBins + binOf(cr[sample] ?? 0);
    histogram[bin] = (histogram[bin] ?? 0) + 1;
  }
  let peakCb = 0;
  let peakCr = 0;
  let peakCount = -1;
  for (let i = 0; i < histogramBins; i += 1) {
    for (let j = 0; j < histogramBins; j += 1) {
      let sum = 0;
      for (let di = -1; di <= 1; di += 1) {
        for (let dj = -1; dj <= 1; dj += 1) {
          const bi = i + di;
          const bj = j + dj;
          if (bi < 0 || bj < 0 || bi >= histogramBins || bj >= histogramBins) continue;
          sum += histogram[bi * histogramBins + bj] ?? 0;
        }
      }
      if (sum > peakCount) {
        peakCount = sum;
        peakCb = (i + 0.5) / histogramBins;
        peakCr = (j + 0.5) / histogramBins;
      }
    }
  }

  // Refine: the median CbCr of the pixels near the guess, a few times (robust to outliers).
  let centreCb = peakCb;
  let centreCr = peakCr;
  let inliers: number[] = [];
  const radius = Math.max(
    settings.clusterRadius,
    settings.clusterRadiusPerChroma * Math.hypot(peakCb - 0.5, peakCr - 0.5),
  );
  for (let iteration = 0; iteration <= refineIterations; iteration += 1) {
    inliers = [];
    for (let sample = 0; sample < count; sample += 1) {
      const distance = Math.hypot((cb[sample] ?? 0) - centreCb, (cr[sample] ?? 0) - centreCr);
      if (distance <= radius) inliers.push(sample);
    }
    if (inliers.length === 0 || iteration === refineIterations) break;
    centreCb = median(inliers.map((sample) => cb[sample] ?? 0));
    centreCr = median(inliers.map((sample) => cr[sample] ?? 0));
  }

  const coverage = inliers.length / count;
  if (coverage < settings.minCoverage) {
    return err(
      'not-available',
      `The frame's border is not one colour (the most common colour covers ${percent(coverage)} of it).`,
      { hint: 'Pick the key colour with the eyedropper on the screen behind the avatar.' },
    );
  }
  const chroma = Math.hypot(centreCb - 0.5, centreCr - 0.5);
  if (chroma < settings.minChroma) {
    return err('not-available', 'The frame’s border is grey, white or black, not a key colour.', {
      hint: 'A chroma key needs a coloured screen (green or blue) behind the avatar.',
    });
  }
  const channel = (offset: number) =>
    median(inliers.map((sample) => data[(pixels[sample] ?? 0) * 4 + offset] ?? 0));
  return ok({ keyColor: rgbToHex(channel(0), channel(1), channel(2)), coverage });
}
