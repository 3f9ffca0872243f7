import { describe, expect, it } from 'vitest';
import { normalisedRectSchema, type NormalisedRect } from './lesson-schema.ts';
import {
  clampPlacement,
  cornerPlacement,
  defaultSafeMargin,
  defaultSnapOptions,
  minPlacementSize,
  moveRect,
  nudgeRect,
  pipPlacement,
  resizeRect,
  resizeHandles,
  roundPlacement,
  snapLines,
} from './placement-snapping.ts';

const noSnap = { ...defaultSnapOptions, enabled: false };
const start: NormalisedRect = { x: 0.4, y: 0.3, width: 0.2, height: 0.4 };

function expectRect(actual: NormalisedRect, expected: NormalisedRect): void {
  expect(actual.x).toBeCloseTo(expected.x, 9);
  expect(actual.y).toBeCloseTo(expected.y, 9);
  expect(actual.width).toBeCloseTo(expected.width, 9);
  expect(actual.height).toBeCloseTo(expected.height, 9);
}

function expectInside(rect: NormalisedRect): void {
  expect(normalisedRectSchema.safeParse(rect).success).toBe(true);
  expect(rect.width).toBeGreaterThanOrEqual(minPlacementSize - 1e-12);
  expect(rect.height).toBeGreaterThanOrEqual(minPlacementSize - 1e-12);
}

describe('moveRect', () => {
  it('follows the pointer exactly when snapping is off', () => {
    const { rect, guides } = moveRect(start, 0.013, -0.011, noSnap);
    expectRect(rect, { x: 0.413, y: 0.289, width: 0.2, height: 0.4 });
    expect(guides).toEqual([]);
  });

  it('leaves a rectangle far from every line where the pointer put it', () => {
    const { rect, guides } = moveRect(start, 0.05, 0.05);
    expectRect(rect, { x: 0.45, y: 0.35, width: 0.2, height: 0.4 });
    expect(guides).toEqual([]);
  });

  it('snaps the left edge to the safe margin and shows that guide', () => {
    const { rect, guides } = moveRect(start, -0.4 + defaultSafeMargin + 0.01, 0.05);
    expect(rect.x).toBeCloseTo(defaultSafeMargin, 12);
    expect(guides).toContainEqual({ axis: 'x', position: defaultSafeMargin });
  });

  it('snaps the centre to the centre line', () => {
    // Centre at 0.5 + 0.012: within 1.5 %.
    const { rect, guides } = moveRect(start, 0.012, 0.06);
    expect(rect.x + rect.width / 2).toBeCloseTo(0.5, 12);
    expect(guides).toContainEqual({ axis: 'x', position: 0.5 });
  });

  it('snaps the bottom edge to the output edge', () => {
    // Bottom at 0.7 + 0.29 = 0.99: 1 % from the edge, nearer than the margin line at 0.97.
    const { rect, guides } = moveRect(start, 0.07, 0.29);
    expect(rect.y + rect.height).toBeCloseTo(1, 12);
    expect(guides).toContainEqual({ axis: 'y', position: 1 });
  });

  it('does not snap beyond the threshold', () => {
    const { rect } = moveRect(start, 0.02, 0.07);
    expect(rect.x + rect.width / 2).toBeCloseTo(0.52, 12);
  });

  it('keeps the rectangle inside the output however far it is dragged', () => {
    for (const [dx, dy] of [
      [-3, -3],
      [3, 3],
      [-3, 3],
      [3, -3],
    ] as const) {
      const { rect } = moveRect(start, dx, dy);
      expectInside(rect);
      expect(rect.width).toBeCloseTo(0.2, 12);
      expect(rect.height).toBeCloseTo(0.4, 12);
    }
    expectRect(moveRect(start, 3, 3).rect, { x: 0.8, y: 0.6, width: 0.2, height: 0.4 });
  });
});

describe('resizeRect', () => {
  it('moves only the dragged edges (no snap)', () => {
    expectRect(resizeRect(start, 'se', 0.05, 0.1, false, noSnap).rect, {
      x: 0.4,
      y: 0.3,
      width: 0.25,
      height: 0.5,
    });
    expectRect(resizeRect(start, 'nw', -0.05, -0.1, false, noSnap).rect, {
      x: 0.35,
      y: 0.2,
      width: 0.25,
      height: 0.5,
    });
    expectRect(resizeRect(start, 'e', 0.05, 0.3, false, noSnap).rect, {
      x: 0.4,
      y: 0.3,
      width: 0.25,
      height: 0.4,
    });
    expectRect(resizeRect(start, 'n', 0.3, 0.1, false, noSnap).rect, {
      x: 0.4,
      y: 0.4,
      width: 0.2,
      height: 0.3,
    });
  });

  it('never goes below the minimum size; the anchored edge stays', () => {
    const { rect } = resizeRect(start, 'nw', 0.5, 0.5, false, noSnap);
    expect(rect.width).toBeCloseTo(minPlacementSize, 12);
    expect(rect.height).toBeCloseTo(minPlacementSize, 12);
    expect(rect.x + rect.width).toBeCloseTo(0.6, 12);
    expect(rect.y + rect.height).toBeCloseTo(0.7, 12);
  });

  it('stays inside the output for every handle and any drag', () => {
    for (const handle of resizeHandles) {
      for (const [dx, dy] of [
        [-2, -2],
        [2, 2],
        [-2, 2],
        [2, -2],
        [0.3, -0.9],
      ] as const) {
        for (const keepAspect of [false, true]) {
          expectInside(resizeRect(start, handle, dx, dy, keepAspect).rect);
        }
      }
    }
  });

  it('snaps a dragged edge to the safe margin and reports the guide', () => {
    const { rect, guides } = resizeRect(start, 'se', 0.36, 0.26, false);
    // Right edge 0.96 -> 0.97 (margin line), bottom 0.96 -> 0.97.
    expect(rect.x + rect.width).toBeCloseTo(1 - defaultSafeMargin, 12);
    expect(rect.y + rect.height).toBeCloseTo(1 - defaultSafeMargin, 12);
    expect(guides).toContainEqual({ axis: 'x', position: 1 - defaultSafeMargin });
    expect(guides).toContainEqual({ axis: 'y', position: 1 - defaultSafeMargin });
    expect(rect.x).toBeCloseTo(0.4, 12);
  });

  it('keeps the aspect on a corner with Shift, led by the larger change', () => {
    const { rect } = resizeRect(start, 'se', 0.1, 0.02, true, noSnap);
    expect(rect.width / rect.height).toBeCloseTo(0.5, 9);
    expect(rect.width).toBeCloseTo(0.3, 9);
    expect(rect.x).toBeCloseTo(0.4, 12);
    expect(rect.y).toBeCloseTo(0.3, 12);
  });

  it('keeps the aspect and the anchor when the output edge stops the corner', () => {
    const { rect } = resizeRect(start, 'se', 0.1, 0.9, true, noSnap);
    // Height is limited to 0.7 (from 0.3 to 1), so width is 0.35.
    expect(rect.height).toBeCloseTo(0.7, 9);
    expect(rect.width).toBeCloseTo(0.35, 9);
    expect(rect.x).toBeCloseTo(0.4, 12);
  });

  it('ignores Shift on an edge handle', () => {
    const { rect } = resizeRect(start, 'e', 0.1, 0, true, noSnap);
    expect(rect.width).toBeCloseTo(0.3, 12);
    expect(rect.height).toBeCloseTo(0.4, 12);
  });
});

describe('nudgeRect', () => {
  it('moves by the step and stops at the edge', () => {
    expectRect(nudgeRect(start, 'ArrowRight', 0.01, 'move'), { ...start, x: 0.41 });
    expectRect(nudgeRect(start, 'ArrowUp', 0.1, 'move'), { ...start, y: 0.2 });
    expectRect(nudgeRect({ ...start, x: 0.79 }, 'ArrowRight', 0.1, 'move'), { ...start, x: 0.8 });
  });

  it('resizes from the right and bottom edges, within the output and the minimum', () => {
    expectRect(nudgeRect(start, 'ArrowRight', 0.01, 'resize'), { ...start, width: 0.21 });
    expectRect(nudgeRect(start, 'ArrowUp', 0.1, 'resize'), { ...start, height: 0.3 });
    expectRect(nudgeRect(start, 'ArrowDown', 0.5, 'resize'), { ...start, height: 0.7 });
    expect(nudgeRect({ ...start, width: 0.06 }, 'ArrowLeft', 0.1, 'resize').width).toBeCloseTo(
      minPlacementSize,
      12,
    );
  });
});

describe('presets', () => {
  it('moves into each corner with the safe margin, keeping the size', () => {
    const m = defaultSafeMargin;
    expectRect(cornerPlacement(start, 'bottom-right'), {
      ...start,
      x: 1 - m - 0.2,
      y: 1 - m - 0.4,
    });
    expectRect(cornerPlacement(start, 'bottom-left'), { ...start, x: m, y: 1 - m - 0.4 });
    expectRect(cornerPlacement(start, 'top-right'), { ...start, x: 1 - m - 0.2, y: m });
    expectRect(cornerPlacement(start, 'top-left'), { ...start, x: m, y: m });
  });

  it('sizes picture in picture by the output height with the frame aspect, on the bottom', () => {
    // Square frame on 16:9: 30 % of the height is 0.3 * 9 / 16 of the width.
    const medium = pipPlacement({ x: 0.7, y: 0.1, width: 0.2, height: 0.2 }, 'medium', 1, 16 / 9);
    expect(medium.height).toBeCloseTo(0.3, 12);
    expect(medium.width).toBeCloseTo(0.16875, 12);
    expect(medium.y + medium.height).toBeCloseTo(1 - defaultSafeMargin, 12);
    expect(medium.x + medium.width).toBeCloseTo(1 - defaultSafeMargin, 12);
    // Pixel aspect of the box equals the frame's.
    expect((medium.width * 16) / (medium.height * 9)).toBeCloseTo(1, 9);

    const smallLeft = pipPlacement(
      { x: 0.05, y: 0.5, width: 0.2, height: 0.2 },
      'small',
      1,
      16 / 9,
    );
    expect(smallLeft.height).toBeCloseTo(0.2, 12);
    expect(smallLeft.x).toBeCloseTo(defaultSafeMargin, 12);

    const large = pipPlacement(start, 'large', 9 / 16, 16 / 9);
    expect(large.height).toBeCloseTo(0.45, 12);
    expectInside(large);
  });

  it('shrinks a frame too wide for the output to fit between the margins', () => {
    const wide = pipPlacement(start, 'large', 8, 9 / 16);
    expectInside(wide);
    expect(wide.width).toBeCloseTo(1 - 2 * defaultSafeMargin, 12);
    expect((wide.width * 9) / (wide.height * 16)).toBeCloseTo(8, 9);
  });
});

describe('clamping and rounding', () => {
  it('clamps sizes to the minimum and the output', () => {
    expectRect(clampPlacement({ x: -0.2, y: 0.99, width: 0.01, height: 2 }), {
      x: 0,
      y: 0,
      width: minPlacementSize,
      height: 1,
    });
  });

  it('rounds to four decimals and stays valid for the lesson schema', () => {
    const rounded = roundPlacement({ x: 0.700004, y: 0.12345678, width: 0.299996, height: 0.5 });
    expect(rounded).toEqual({ x: 0.7, y: 0.1235, width: 0.3, height: 0.5 });
    expectInside(rounded);
  });

  it('lists the snap lines: edges, margins and centre', () => {
    expect(snapLines(0.03)).toEqual([0, 0.03, 0.5, 0.97, 1]);
  });
});
