import { rmsDbfs } from './pcm.ts';
import { compositeOnto } from './server-keying.ts';

/**
 * The reference server's picture: a flat head-and-shoulders silhouette on the avatar's key colour,
 * a mouth that opens with the frame's loudness, and a machine-readable loudness marker.
 *
 * Marker: the square x 0..markerSizePx-1, y 0..markerSizePx-1 (top-left corner, 16x16 px unless
 * the frame is smaller) is pure white (255,255,255) exactly when the frame's 640 samples have an
 * RMS level above speechThresholdDbfs (-40 dBFS, full scale = 32768), and pure black otherwise.
 * Recorded video can be checked against its audio with it.
 *
 * The static picture is drawn once; a frame only restores and redraws the mouth box and marker.
 */

export const speechThresholdDbfs = -40;
/** Loudness at which the mouth is fully open. */
const fullyOpenDbfs = -10;
const markerSizePx = 16;

type Rgb = readonly [number, number, number];

// Flat colours far from every key colour in use (dark and light greens): no green dominance.
const shirtColour: Rgb = [52, 64, 140];
const skinColour: Rgb = [226, 178, 150];
const hairColour: Rgb = [72, 46, 36];
const eyeColour: Rgb = [36, 28, 30];
const mouthColour: Rgb = [120, 24, 40];
const white: Rgb = [255, 255, 255];
const black: Rgb = [0, 0, 0];

export interface MarkerSquare {
  readonly x: number;
  readonly y: number;
  readonly sizePx: number;
}

export function markerSquareFor(width: number, height: number): MarkerSquare {
  return { x: 0, y: 0, sizePx: Math.min(markerSizePx, width, height) };
}

export function parseKeyColour(hex: string): Rgb {
  const match = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!match) throw new RangeError(`key colour must look like #089831, got "${hex}"`);
  const channel = (index: number): number => parseInt(match[index] ?? '0', 16);
  return [channel(1), channel(2), channel(3)];
}

/** Mouth opening for a frame's audio: 0 (closed) at or below the threshold, 1 fully open. */
export function mouthOpeningFor(samples: Int16Array): number {
  const levelDbfs = rmsDbfs(samples);
  if (!(levelDbfs > speechThresholdDbfs)) return 0;
  return Math.min(1, (levelDbfs - speechThresholdDbfs) / (fullyOpenDbfs - speechThresholdDbfs));
}

interface MouthGeometry {
  centreX: number;
  centreY: number;
  halfWidthPx: number;
  maxHalfHeightPx: number;
  /** Rows and columns redrawn per frame (inclusive start, exclusive end). */
  box: { left: number; top: number; right: number; bottom: number };
}

export class FramePainter {
  readonly width: number;
  readonly height: number;
  readonly marker: MarkerSquare;
  private readonly staticImage: Uint8Array;
  private readonly canvas: Uint8Array;
  private readonly mouth: MouthGeometry;
  private readonly key: Rgb;

  constructor(width: number, height: number, keyColour: string) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 8 || height < 8) {
      throw new RangeError(`frame size must be at least 8x8 whole pixels, got ${width}x${height}`);
    }
    this.width = width;
    this.height = height;
    this.marker = markerSquareFor(width, height);
    this.key = parseKeyColour(keyColour);
    const drawn = drawStaticPicture(width, height, this.key);
    this.staticImage = drawn.image;
    this.mouth = drawn.mouth;
    this.canvas = this.staticImage.slice();
  }

  get frameBytes(): number {
    return this.width * this.height * 3;
  }

  /**
   * Server-side keying (quirk 6): the key-coloured background becomes `background` (RGB24 of the
   * frame's size). Mouth and marker never carry the key colour, so keying the static picture once
   * gives every frame exactly what keying each frame would.
   */
  keyOnto(background: Uint8Array): void {
    compositeOnto(this.staticImage, background, this.key);
    this.canvas.set(this.staticImage);
  }

  /**
   * Paints the frame for these 640 samples into the painter's own canvas and returns it; the
   * canvas is reused by the next call, so encode (copy) it before painting again.
   */
  paint(samples: Int16Array): Uint8Array {
    const opening = mouthOpeningFor(samples);
    this.restoreMouthBox();
    this.drawMouth(opening);
    fillRect(
      this.canvas,
      this.width,
      this.marker.x,
      this.marker.y,
      this.marker.sizePx,
      this.marker.sizePx,
      opening > 0 ? white : black,
    );
    return this.canvas;
  }

  private restoreMouthBox(): void {
    const { left, top, right, bottom } = this.mouth.box;
    for (let y = top; y < bottom; y++) {
      const start = (y * this.width + left) * 3;
      const end = (y * this.width + right) * 3;
      this.canvas.set(this.staticImage.subarray(start, end), start);
    }
  }

  private drawMouth(opening: number): void {
    const { centreX, centreY, halfWidthPx, maxHalfHeightPx } = this.mouth;
    // Closed is a thin line, so the face never looks mouthless.
    const halfHeightPx = Math.max(1, opening * maxHalfHeightPx);
    fillEllipse(
      this.canvas,
      this.width,
      this.height,
      centreX,
      centreY,
      halfWidthPx,
      halfHeightPx,
      mouthColour,
    );
  }
}

function drawStaticPicture(
  width: number,
  height: number,
  keyColour: Rgb,
): { image: Uint8Array; mouth: MouthGeometry } {
  const image = new Uint8Array(width * height * 3);
  fillRect(image, width, 0, 0, width, height, keyColour);
  const size = Math.min(width, height);
  const centreX = width / 2;

  fillEllipse(image, width, height, centreX, height * 1.02, width * 0.4, height * 0.3, shirtColour);
  const headCentreY = height * 0.4;
  const headHalfWidth = size * 0.17;
  const headHalfHeight = size * 0.22;
  fillRect(
    image,
    width,
    Math.round(centreX - size * 0.06),
    Math.round(headCentreY),
    Math.round(size * 0.12),
    Math.round(height * 0.4),
    skinColour,
  );
  fillEllipse(
    image,
    width,
    height,
    centreX,
    headCentreY - headHalfHeight * 0.08,
    headHalfWidth * 1.08,
    headHalfHeight * 1.02,
    hairColour,
  );
  fillEllipse(
    image,
    width,
    height,
    centreX,
    headCentreY + headHalfHeight * 0.06,
    headHalfWidth,
    headHalfHeight * 0.94,
    skinColour,
  );
  const eyeY = headCentreY - headHalfHeight * 0.05;
  const eyeRadius = Math.max(1, size * 0.018);
  fillEllipse(
    image,
    width,
    height,
    centreX - headHalfWidth * 0.4,
    eyeY,
    eyeRadius,
    eyeRadius,
    eyeColour,
  );
  fillEllipse(
    image,
    width,
    height,
    centreX + headHalfWidth * 0.4,
    eyeY,
    eyeRadius,
    eyeRadius,
    eyeColour,
  );

  const mouthCentreY = headCentreY + headHalfHeight * 0.52;
  const halfWidthPx = Math.max(2, headHalfWidth * 0.42);
  const maxHalfHeightPx = Math.max(2, headHalfHeight * 0.24);
  const box = {
    left: clamp(Math.floor(centreX - halfWidthPx - 1), 0, width),
    right: clamp(Math.ceil(centreX + halfWidthPx + 2), 0, width),
    top: clamp(Math.floor(mouthCentreY - maxHalfHeightPx - 1), 0, height),
    bottom: clamp(Math.ceil(mouthCentreY + maxHalfHeightPx + 2), 0, height),
  };
  return { image, mouth: { centreX, centreY: mouthCentreY, halfWidthPx, maxHalfHeightPx, box } };
}

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(high, value));
}

function fillRect(
  image: Uint8Array,
  width: number,
  left: number,
  top: number,
  rectWidth: number,
  rectHeight: number,
  colour: Rgb,
): void {
  const height = image.length / (width * 3);
  const right = Math.min(width, left + rectWidth);
  const bottom = Math.min(height, top + rectHeight);
  for (let y = Math.max(0, top); y < bottom; y++) {
    for (let x = Math.max(0, left); x < right; x++) {
      const offset = (y * width + x) * 3;
      image[offset] = colour[0];
      image[offset + 1] = colour[1];
      image[offset + 2] = colour[2];
    }
  }
}

/** Fills pixels whose centres lie inside the ellipse. */
function fillEllipse(
  image: Uint8Array,
  width: number,
  height: number,
  centreX: number,
  centreY: number,
  radiusX: number,
  radiusY: number,
  colour: Rgb,
): void {
  const top = Math.max(0, Math.floor(centreY - radiusY));
  const bottom = Math.min(height - 1, Math.ceil(centreY + radiusY));
  for (let y = top; y <= bottom; y++) {
    const dy = (y + 0.5 - centreY) / radiusY;
    if (dy * dy > 1) continue;
    const halfSpan = radiusX * Math.sqrt(1 - dy * dy);
    const left = Math.max(0, Math.ceil(centreX - halfSpan - 0.5));
    const right = Math.min(width - 1, Math.floor(centreX + halfSpan - 0.5));
    for (let x = left; x <= right; x++) {
      const offset = (y * width + x) * 3;
      image[offset] = colour[0];
      image[offset + 1] = colour[1];
      image[offset + 2] = colour[2];
    }
  }
}
