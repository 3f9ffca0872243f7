import { chromaDistance, keyUniformsFromSettings } from '../chroma-key.ts';
import type { ChromaKeySettings } from '../lesson/lesson-schema.ts';

/**
 * Does a server-made avatar frame still carry the lesson's key colour? The real SyncTalk server
 * composites every frame onto an image of its own when its avatar_config.json has
 * `chroma_key.enabled: true` (the published configuration): onto the `background_url` the
 * socket names, else the avatar's `default_background_url`, else onto black when the download
 * fails. Such frames reach Rapido with no key colour at all, and the avatar shows with a
 * rectangle of background around it. A presenter stands in the middle of the frame, so its
 * border is mostly screen: the share of border pixels the lesson's key would remove tells a
 * keyed frame (most of the border) from a composited one (almost none of it).
 */

/** Packed RGB, 3 bytes a pixel, rows top-down (what the SyncTalk client delivers). */
export interface RgbImageLike {
  readonly rgb: ArrayLike<number>;
  readonly width: number;
  readonly height: number;
}

export interface BorderKeyShare {
  /** Share (0..1) of the border pixels the lesson's key makes at least partly transparent. */
  readonly keyed: number;
  /** Share of the border pixels that are near black (the server's fallback background). */
  readonly black: number;
}

export type KeyPresenceVerdict =
  | { readonly kind: 'keyed'; readonly keyedShare: number }
  | {
      readonly kind: 'missing';
      readonly keyedShare: number;
      /** Black border: the server could not download its background image. */
      readonly background: 'black' | 'image';
    };

export interface KeyPresenceOptions {
  /** Border band thickness as a share of the shorter side (at least 1 px). */
  readonly bandFraction: number;
  /** Border pixels are subsampled to at most this many per frame. */
  readonly maxSamples: number;
  /** Below this keyed share (median over the frames judged) the key colour is missing. */
  readonly minKeyedShare: number;
  /** A border pixel darker than this luma (0..1) counts as black. */
  readonly blackLuma: number;
  /** Above this black share (median) the background is the server's black fallback. */
  readonly minBlackShare: number;
}

export const defaultKeyPresenceOptions: KeyPresenceOptions = {
  bandFraction: 0.02,
  maxSamples: 4_000,
  // A screen frame's border is 70-100 % key; a composited one is near 0 % unless the
  // background picture happens to be green. Half-way leaves room for a presenter's shoulders.
  minKeyedShare: 0.35,
  blackLuma: 0.06,
  minBlackShare: 0.8,
};

/** Measures one frame's border against the lesson's key (as the keyer itself measures it). */
export function borderKeyShare(
  image: RgbImageLike,
  keyColor: string,
  chromaKey: ChromaKeySettings,
  options: Partial<KeyPresenceOptions> = {},
): BorderKeyShare {
  const settings = { ...defaultKeyPresenceOptions, ...options };
  const { width, height, rgb } = image;
  if (width <= 0 || height <= 0 || rgb.length < width * height * 3) return { keyed: 0, black: 0 };
  const uniforms = keyUniformsFromSettings(keyColor, chromaKey);
  // Where the key's alpha is below 1: the keyer removes the pixel at least in part.
  const keyedWithin = uniforms.similarity + uniforms.smoothness;
  const band = Math.max(1, Math.round(Math.min(width, height) * settings.bandFraction));
  const borderCount = 2 * band * width + 2 * band * Math.max(0, height - 2 * band);
  const stride = Math.max(1, Math.ceil(borderCount / settings.maxSamples));
  let seen = 0;
  let keyed = 0;
  let black = 0;
  let position = 0;
  for (let y = 0; y < height; y += 1) {
    const inRowBand = y < band || y >= height - band;
    for (let x = 0; x < width; x += 1) {
      if (!(inRowBand || x < band || x >= width - band)) {
        // Jump over the inside of the row: only the left and right bands are border.
        x = Math.max(x, width - band - 1);
        continue;
      }
      position += 1;
      if (position % stride !== 0) continue;
      const offset = (y * width + x) * 3;
      const r = (rgb[offset] ?? 0) / 255;
      const g = (rgb[offset + 1] ?? 0) / 255;
      const b = (rgb[offset + 2] ?? 0) / 255;
      seen += 1;
      if (chromaDistance(r, g, b, uniforms.keyCbCr) <= keyedWithin) keyed += 1;
      if (0.2126 * r + 0.7152 * g + 0.0722 * b < settings.blackLuma) black += 1;
    }
  }
  return seen === 0 ? { keyed: 0, black: 0 } : { keyed: keyed / seen, black: black / seen };
}

function median(values: readonly number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  if (sorted.length === 0) return 0;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * The verdict over several frames' measurements: the median, so a frame or two with the
 * presenter's arm across the border (or a dark transition frame) does not decide alone.
 */
export function judgeKeyPresence(
  shares: readonly BorderKeyShare[],
  options: Partial<KeyPresenceOptions> = {},
): KeyPresenceVerdict {
  const settings = { ...defaultKeyPresenceOptions, ...options };
  const keyedShare = median(shares.map((share) => share.keyed));
  if (keyedShare >= settings.minKeyedShare) return { kind: 'keyed', keyedShare };
  const blackShare = median(shares.map((share) => share.black));
  return {
    kind: 'missing',
    keyedShare,
    background: blackShare >= settings.minBlackShare ? 'black' : 'image',
  };
}
