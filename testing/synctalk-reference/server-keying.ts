import { inflateSync } from 'node:zlib';

/**
 * Quirk 6, server-side chroma keying, as the real server does it when an avatar's config has
 * `chroma_key.enabled` (every avatar in the published avatar_config.json):
 *
 * - stream_manager.py `_init_chroma_key_for_stream`: the background is the `background_url` query
 *   parameter, else the avatar's `default_background_url`.
 * - chroma_key.py `download_background`: `requests.get(url)` then PIL; on ANY error (unreachable,
 *   a scheme requests cannot fetch such as `data:` or `file:`, a body that is no image) the
 *   background is black. requests fetches http and https only.
 * - chroma_key.py `FastChromaKey` (`_process_cpu`): a pixel is replaced by the background where
 *   G > R + threshold, G > B + threshold and |G - key G| < threshold (threshold 35).
 *
 * The reference fetches only `http:` URLs on loopback, so tests never reach the internet: the
 * published https default is treated as unreachable, which is what a sandbox sees anyway. It
 * decodes PNG only (8-bit grey, RGB or RGBA, not interlaced); anything else is black. The real
 * server also blurs the mask edge and removes green spill; the reference's silhouette has hard
 * edges and no green, so a hard mask gives the same picture.
 */

const colourThreshold = 35;
const fetchTimeoutMs = 5000;

export type Rgb = readonly [number, number, number];

/** RGB24 (width * height * 3) of the background, or all zeros (black) when it cannot be had. */
export async function loadBackground(
  url: string,
  width: number,
  height: number,
  log: (line: string) => void,
): Promise<Uint8Array> {
  const black = new Uint8Array(width * height * 3);
  if (!isLoopbackHttp(url)) {
    log(`chroma key: cannot fetch ${shorten(url)} (reference fetches loopback http only): black`);
    return black;
  }
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(fetchTimeoutMs) });
    const body = new Uint8Array(await response.arrayBuffer());
    const image = decodePng(body);
    log(`chroma key: background ${shorten(url)} ${image.width}x${image.height}`);
    return resizeNearest(image, width, height);
  } catch (error) {
    log(`chroma key: background ${shorten(url)} failed (${String(error)}): black`);
    return black;
  }
}

export function isLoopbackHttp(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === 'http:' &&
    ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname.toLowerCase())
  );
}

/** The real mask: green dominance over R and B, and G near the key colour's G. */
export function isKeyed(pixel: Rgb, key: Rgb): boolean {
  const [r, g, b] = pixel;
  return (
    g > r + colourThreshold &&
    g > b + colourThreshold &&
    g > key[1] - colourThreshold &&
    g < key[1] + colourThreshold
  );
}

/** Replaces keyed pixels of `image` (RGB24, in place) with the background's. */
export function compositeOnto(image: Uint8Array, background: Uint8Array, key: Rgb): void {
  for (let offset = 0; offset + 2 < image.length; offset += 3) {
    const pixel: Rgb = [image[offset] ?? 0, image[offset + 1] ?? 0, image[offset + 2] ?? 0];
    if (!isKeyed(pixel, key)) continue;
    image[offset] = background[offset] ?? 0;
    image[offset + 1] = background[offset + 1] ?? 0;
    image[offset + 2] = background[offset + 2] ?? 0;
  }
}

interface DecodedImage {
  width: number;
  height: number;
  /** RGB24 */
  rgb: Uint8Array;
}

const pngSignature = [137, 80, 78, 71, 13, 10, 26, 10];

export function decodePng(bytes: Uint8Array): DecodedImage {
  if (!pngSignature.every((value, index) => bytes[index] === value)) {
    throw new Error('not a PNG');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  let channels = 0;
  const compressed: Uint8Array[] = [];
  for (let offset = 8; offset + 8 <= bytes.length;) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      const [bitDepth, colourType, , , interlace] = data.subarray(8, 13);
      channels = ({ 0: 1, 2: 3, 6: 4 } as Record<number, number>)[colourType ?? -1] ?? 0;
      if (bitDepth !== 8 || channels === 0 || interlace !== 0) {
        throw new Error('unsupported PNG (8-bit grey/RGB/RGBA, not interlaced only)');
      }
    } else if (type === 'IDAT') {
      compressed.push(data);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  if (width === 0 || height === 0) throw new Error('PNG without IHDR');
  const raw = unfilter(inflateSync(Buffer.concat(compressed)), width, height, channels);
  const rgb = new Uint8Array(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel++) {
    for (let channel = 0; channel < 3; channel++) {
      rgb[pixel * 3 + channel] = raw[pixel * channels + (channels === 1 ? 0 : channel)] ?? 0;
    }
  }
  return { width, height, rgb };
}

/** PNG scanline filters 0-4 (RFC 2083 6.2). */
function unfilter(data: Uint8Array, width: number, height: number, bpp: number): Uint8Array {
  const stride = width * bpp;
  if (data.length < height * (stride + 1)) throw new Error('truncated PNG data');
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = data[y * (stride + 1)];
    const source = y * (stride + 1) + 1;
    for (let x = 0; x < stride; x++) {
      const left = x >= bpp ? (out[y * stride + x - bpp] ?? 0) : 0;
      const up = y > 0 ? (out[(y - 1) * stride + x] ?? 0) : 0;
      const upLeft = y > 0 && x >= bpp ? (out[(y - 1) * stride + x - bpp] ?? 0) : 0;
      const value = data[source + x] ?? 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) predictor = paeth(left, up, upLeft);
      else if (filter !== 0) throw new Error(`bad PNG filter ${String(filter)}`);
      out[y * stride + x] = (value + predictor) & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

function resizeNearest(image: DecodedImage, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sourceY = Math.min(image.height - 1, Math.floor((y * image.height) / height));
    for (let x = 0; x < width; x++) {
      const sourceX = Math.min(image.width - 1, Math.floor((x * image.width) / width));
      const from = (sourceY * image.width + sourceX) * 3;
      out.set(image.rgb.subarray(from, from + 3), (y * width + x) * 3);
    }
  }
  return out;
}

function shorten(url: string): string {
  return url.length > 80 ? `${url.slice(0, 77)}...` : url;
}
