import { describe, expect, it } from 'vitest';
import { coveredPixels, regionsToRestore, type PixelRect } from './pixel-rect.ts';

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
