import { describe, expect, it } from 'vitest';
import { chromaDistance, parseHexColor, rgbToCbCr } from '../../../shared/chroma-key.ts';
import {
  DESIGN_SIZE,
  EYE_CENTER_Y,
  LOCAL_AVATAR_MOUTH_RECT,
  LOCAL_AVATAR_PALETTE,
  countMouthInteriorPixels,
  figureTransform,
  headPointAt,
  localAvatarMouthRect,
  mouthExtent,
  mouthShape,
} from './avatar-layout.ts';
import { avatarPoseAt } from './avatar-motion.ts';

function rgb(hex: string): { r: number; g: number; b: number } {
  const parsed = parseHexColor(hex);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

describe('figureTransform', () => {
  it('fills a square frame with the design box', () => {
    expect(figureTransform(512, 512)).toEqual({ scale: 1, offsetX: 0, offsetY: 0 });
    expect(figureTransform(1024, 1024)).toEqual({ scale: 2, offsetX: 0, offsetY: 0 });
  });

  it('centres the figure in a wide frame and stands it on the bottom of a tall one', () => {
    expect(figureTransform(1280, 720)).toEqual({ scale: 720 / 512, offsetX: 280, offsetY: 0 });
    expect(figureTransform(288, 512)).toEqual({ scale: 288 / 512, offsetX: 0, offsetY: 224 });
  });
});

describe('mouth geometry', () => {
  it('opens monotonically with openness and is shut at 0', () => {
    expect(mouthShape(0).openingHeight).toBe(0);
    let previous = -1;
    for (let openness = 0; openness <= 1.0001; openness += 0.05) {
      const { openingHeight, halfWidth } = mouthShape(openness);
      const area = openingHeight * halfWidth;
      expect(area).toBeGreaterThan(previous);
      previous = area;
    }
    expect(mouthShape(3)).toEqual(mouthShape(1));
  });

  it('keeps the mouth inside LOCAL_AVATAR_MOUTH_RECT in every idle pose', () => {
    const extent = mouthExtent();
    const corners = [
      { x: extent.x, y: extent.y },
      { x: extent.x + extent.width, y: extent.y },
      { x: extent.x, y: extent.y + extent.height },
      { x: extent.x + extent.width, y: extent.y + extent.height },
    ];
    const reached = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
    for (const seed of [0, 3, 99]) {
      for (let timeMs = 0; timeMs < 120_000; timeMs += 40) {
        const pose = avatarPoseAt(timeMs, 1, seed);
        for (const corner of corners) {
          const moved = headPointAt(pose, corner);
          reached.left = Math.min(reached.left, moved.x / DESIGN_SIZE);
          reached.right = Math.max(reached.right, moved.x / DESIGN_SIZE);
          reached.top = Math.min(reached.top, moved.y / DESIGN_SIZE);
          reached.bottom = Math.max(reached.bottom, moved.y / DESIGN_SIZE);
        }
      }
    }
    const rect = LOCAL_AVATAR_MOUTH_RECT;
    expect(reached.left).toBeGreaterThanOrEqual(rect.x);
    expect(reached.right).toBeLessThanOrEqual(rect.x + rect.width);
    expect(reached.top).toBeGreaterThanOrEqual(rect.y);
    expect(reached.bottom).toBeLessThanOrEqual(rect.y + rect.height);
  });

  it('is a small region of the lower face, clear of the eyes', () => {
    const rect = LOCAL_AVATAR_MOUTH_RECT;
    expect(rect.x).toBeGreaterThan(0.35);
    expect(rect.x + rect.width).toBeLessThan(0.65);
    expect(rect.y * DESIGN_SIZE).toBeGreaterThan(EYE_CENTER_Y + 25);
    expect(rect.y + rect.height).toBeLessThan(0.7);
    expect(rect.width * rect.height).toBeLessThan(0.03);
  });

  it('maps to the same pixels in other frame sizes', () => {
    const square = localAvatarMouthRect(1024, 1024);
    expect(square.x).toBeCloseTo(LOCAL_AVATAR_MOUTH_RECT.x, 9);
    expect(square.height).toBeCloseTo(LOCAL_AVATAR_MOUTH_RECT.height, 9);
    const wide = localAvatarMouthRect(1280, 720);
    const scale = 720 / 512;
    expect(wide.x * 1280).toBeCloseTo(280 + LOCAL_AVATAR_MOUTH_RECT.x * 512 * scale, 6);
    expect(wide.width * 1280).toBeCloseTo(LOCAL_AVATAR_MOUTH_RECT.width * 512 * scale, 6);
    expect(wide.y).toBeCloseTo(LOCAL_AVATAR_MOUTH_RECT.y, 9);
  });
});

describe('palette', () => {
  const grey = rgb('#808080');

  // A colour is safe from a green key when it leans no closer to the key's hue than a neutral
  // grey does; then a similarity below the grey's distance keeps the whole figure opaque.
  it.each(['#00b140', '#089831', '#00ff00'])('keeps every colour away from key %s', (key) => {
    const { r, g, b } = rgb(key);
    const keyCbCr = rgbToCbCr(r, g, b);
    const greyDistance = chromaDistance(grey.r, grey.g, grey.b, keyCbCr);
    for (const [name, hex] of Object.entries(LOCAL_AVATAR_PALETTE)) {
      const colour = rgb(hex);
      expect(chromaDistance(colour.r, colour.g, colour.b, keyCbCr), name).toBeGreaterThan(
        greyDistance,
      );
    }
  });

  it('makes the mouth interior the darkest red of the face, distinct from the lips', () => {
    const interior = rgb(LOCAL_AVATAR_PALETTE.mouthInterior);
    for (const name of ['lips', 'lipLine', 'tongue', 'skin', 'skinDeepShadow'] as const) {
      const other = rgb(LOCAL_AVATAR_PALETTE[name]);
      const difference = Math.hypot(
        other.r - interior.r,
        other.g - interior.g,
        other.b - interior.b,
      );
      expect(difference * 255, name).toBeGreaterThan(60);
    }
  });
});

describe('countMouthInteriorPixels', () => {
  function frame(channels: 3 | 4, paint: (x: number, y: number) => number[]): Uint8Array {
    const pixels = new Uint8Array(64 * 64 * channels);
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++)
        pixels.set(paint(x, y).slice(0, channels), (y * 64 + x) * channels);
    }
    return pixels;
  }
  const skin = [240, 191, 155, 255];
  const interior = [0x4a, 0x10, 0x10, 255];
  // A 4 x 3 block of (compressed-looking) interior colour at the mouth's place in a 64 px frame.
  const mouthX = Math.floor(LOCAL_AVATAR_MOUTH_RECT.x * 64) + 2;
  const mouthY = Math.floor(LOCAL_AVATAR_MOUTH_RECT.y * 64) + 2;
  function openMouth(x: number, y: number): number[] {
    const inside = x >= mouthX && x < mouthX + 4 && y >= mouthY && y < mouthY + 3;
    return inside ? [80, 24, 20, 255] : skin;
  }

  it('counts interior-coloured pixels inside the mouth rectangle only', () => {
    expect(
      countMouthInteriorPixels(
        frame(4, () => skin),
        64,
        64,
      ),
    ).toBe(0);
    expect(countMouthInteriorPixels(frame(4, openMouth), 64, 64)).toBe(12);
    expect(countMouthInteriorPixels(frame(3, openMouth), 64, 64, { channels: 3 })).toBe(12);
    // The same colour elsewhere (e.g. dark hair at the top) is not the mouth.
    expect(
      countMouthInteriorPixels(
        frame(4, (_x, y) => (y < 8 ? interior : skin)),
        64,
        64,
      ),
    ).toBe(0);
  });

  it('does not count the closed lips', () => {
    const lipLine = rgb(LOCAL_AVATAR_PALETTE.lipLine);
    const line = [lipLine.r * 255, lipLine.g * 255, lipLine.b * 255, 255];
    expect(
      countMouthInteriorPixels(
        frame(4, () => line),
        64,
        64,
      ),
    ).toBe(0);
  });
});
