import { describe, expect, it } from 'vitest';
import {
  captionRegionToRestore,
  coveredPixels,
  pixelsIntersect,
  regionsToRestore,
  unionPixels,
  type PixelRect,
} from './pixel-rect.ts';

const output = { width: 640, height: 360 };

describe('coveredPixels', () => {
  it('rounds outwards and adds a one-pixel margin', () => {
    // 0.68 * 640 = 435.2 .. 0.98 * 640 = 627.2; 0.5 * 360 = 180 .. 0.8 * 360 = 288.
    expect(coveredPixels({ x: 0.68, y: 0.5, width: 0.3, height: 0.3 }, output)).toEqual({
      x: 434,
      y: 179,
      width: 195,
      height: 110,
    });
  });

  it('clips to the output', () => {
    expect(coveredPixels({ x: 0, y: 0, width: 1, height: 1 }, output)).toEqual({
      x: 0,
      y: 0,
      width: 640,
      height: 360,
    });
    expect(coveredPixels({ x: 0.9, y: -0.5, width: 0.5, height: 1 }, output)).toEqual({
      x: 575,
      y: 0,
      width: 65,
      height: 181,
    });
  });

  it('is null for a rectangle wholly outside the output', () => {
    expect(coveredPixels({ x: 1.5, y: 0, width: 0.2, height: 0.2 }, output)).toBeNull();
    expect(coveredPixels({ x: 0, y: -0.9, width: 0.2, height: 0.5 }, output)).toBeNull();
  });
});

describe('regionsToRestore', () => {
  const a: PixelRect = { x: 10, y: 10, width: 100, height: 50 };
  const inside: PixelRect = { x: 20, y: 20, width: 10, height: 10 };
  const apart: PixelRect = { x: 300, y: 100, width: 40, height: 40 };

  it('restores the last rectangle and the blended one under this frame', () => {
    expect(regionsToRestore(null, null, false)).toEqual([]);
    expect(regionsToRestore(null, a, false)).toEqual([a]);
    expect(regionsToRestore(a, null, false)).toEqual([a]);
    expect(regionsToRestore(a, { ...a }, false)).toEqual([a]);
    expect(regionsToRestore(a, apart, false)).toEqual([a, apart]);
  });

  it('draws a rectangle inside the other only once', () => {
    expect(regionsToRestore(a, inside, false)).toEqual([a]);
    expect(regionsToRestore(inside, a, false)).toEqual([a]);
  });

  it('leaves an opaque avatar alone, but not what the last one left elsewhere', () => {
    expect(regionsToRestore(null, a, true)).toEqual([]);
    expect(regionsToRestore(a, { ...a }, true)).toEqual([]);
    expect(regionsToRestore(a, apart, true)).toEqual([a]);
    // Even a smaller or larger rectangle: the opaque quad does not reach the rounding margin.
    expect(regionsToRestore(a, inside, true)).toEqual([a]);
    expect(regionsToRestore(inside, a, true)).toEqual([inside]);
  });
});

describe('unionPixels and pixelsIntersect', () => {
  const a: PixelRect = { x: 10, y: 10, width: 20, height: 10 };
  it('spans both rectangles', () => {
    expect(unionPixels(a, { x: 5, y: 15, width: 10, height: 20 })).toEqual({
      x: 5,
      y: 10,
      width: 25,
      height: 25,
    });
  });
  it('treats touching edges as apart', () => {
    expect(pixelsIntersect(a, { x: 30, y: 10, width: 5, height: 5 })).toBe(false);
    expect(pixelsIntersect(a, { x: 10, y: 20, width: 5, height: 5 })).toBe(false);
    expect(pixelsIntersect(a, { x: 29, y: 19, width: 5, height: 5 })).toBe(true);
    expect(pixelsIntersect(a, { x: 0, y: 0, width: 100, height: 100 })).toBe(true);
  });
});

describe('captionRegionToRestore', () => {
  const caption: PixelRect = { x: 100, y: 300, width: 200, height: 40 };
  const wider: PixelRect = { x: 80, y: 280, width: 240, height: 60 };
  const avatarAbove: PixelRect = { x: 400, y: 20, width: 100, height: 200 };
  const avatarOver: PixelRect = { x: 250, y: 150, width: 100, height: 200 };

  it('redraws the union of the old and new caption when the text changes', () => {
    expect(captionRegionToRestore(caption, wider, true, [])).toEqual(unionPixels(caption, wider));
    expect(captionRegionToRestore(null, caption, true, [])).toEqual(caption);
    expect(captionRegionToRestore(caption, null, true, [avatarOver])).toEqual(caption);
    expect(captionRegionToRestore(null, null, true, [avatarOver])).toBeNull();
  });

  it('leaves an unchanged caption alone unless the frame draws into it', () => {
    expect(captionRegionToRestore(caption, caption, false, [])).toBeNull();
    expect(captionRegionToRestore(caption, caption, false, [avatarAbove])).toBeNull();
    expect(captionRegionToRestore(caption, caption, false, [avatarAbove, avatarOver])).toEqual(
      caption,
    );
    expect(captionRegionToRestore(null, null, false, [avatarOver])).toBeNull();
  });
});
