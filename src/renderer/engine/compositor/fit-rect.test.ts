import { describe, expect, it } from 'vitest';
import { fitRect, placeAvatar } from './fit-rect.ts';

describe('fitRect (contain)', () => {
  it('letterboxes a wide source in a taller target, centred', () => {
    expect(
      fitRect(
        { width: 1600, height: 900 },
        { x: 0, y: 0, width: 800, height: 600 },
        'contain',
        'center',
      ),
    ).toEqual({
      x: 0,
      y: 75,
      width: 800,
      height: 450,
    });
  });

  it('pillarboxes a 4:3 source in a 16:9 target, centred', () => {
    expect(
      fitRect(
        { width: 1024, height: 768 },
        { x: 0, y: 0, width: 1920, height: 1080 },
        'contain',
        'center',
      ),
    ).toEqual({
      x: 240,
      y: 0,
      width: 1440,
      height: 1080,
    });
  });

  it('bottom-aligns and horizontally centres inside an offset target', () => {
    // A 16:9 frame in a tall box: full width, sitting on the box's bottom edge.
    const fitted = fitRect(
      { width: 1280, height: 720 },
      { x: 100, y: 50, width: 400, height: 600 },
      'contain',
      'bottom',
    );
    expect(fitted).toEqual({ x: 100, y: 425, width: 400, height: 225 });
    expect(fitted.y + fitted.height).toBe(650);
    // A portrait frame in a wide box: full height, centred horizontally.
    expect(
      fitRect(
        { width: 360, height: 640 },
        { x: 0, y: 0, width: 900, height: 320 },
        'contain',
        'bottom',
      ),
    ).toEqual({
      x: 360,
      y: 0,
      width: 180,
      height: 320,
    });
  });

  it('keeps the aspect ratio and stays inside the target for any sizes', () => {
    for (const [sw, sh, tw, th] of [
      [1, 1, 3, 7],
      [7, 3, 1, 1],
      [1280, 720, 1280, 720],
      [333, 777, 51, 13],
    ] as const) {
      for (const align of ['center', 'bottom'] as const) {
        const fitted = fitRect(
          { width: sw, height: sh },
          { x: 5, y: 9, width: tw, height: th },
          'contain',
          align,
        );
        expect(fitted.width / fitted.height).toBeCloseTo(sw / sh, 9);
        expect(fitted.x).toBeGreaterThanOrEqual(5 - 1e-9);
        expect(fitted.y).toBeGreaterThanOrEqual(9 - 1e-9);
        expect(fitted.x + fitted.width).toBeLessThanOrEqual(5 + tw + 1e-9);
        expect(fitted.y + fitted.height).toBeLessThanOrEqual(9 + th + 1e-9);
        // One side always touches: it is the largest such rectangle.
        expect(Math.max(fitted.width / tw, fitted.height / th)).toBeCloseTo(1, 9);
      }
    }
  });

  it('returns an empty rectangle at the anchor for an empty source or target', () => {
    expect(
      fitRect({ width: 0, height: 10 }, { x: 0, y: 0, width: 10, height: 20 }, 'contain', 'bottom'),
    ).toEqual({
      x: 5,
      y: 20,
      width: 0,
      height: 0,
    });
    expect(
      fitRect({ width: 4, height: 3 }, { x: 0, y: 0, width: 0, height: 20 }, 'contain', 'center'),
    ).toEqual({
      x: 0,
      y: 10,
      width: 0,
      height: 0,
    });
  });
});

describe('placeAvatar', () => {
  it('fits in output pixels, so a square avatar stays square in a wide output', () => {
    const placed = placeAvatar(
      { width: 512, height: 512 },
      { x: 0.5, y: 0, width: 0.5, height: 1 },
      { width: 1280, height: 720 },
    );
    expect(placed).toEqual({ x: 640, y: 80, width: 640, height: 640 });
  });
});
