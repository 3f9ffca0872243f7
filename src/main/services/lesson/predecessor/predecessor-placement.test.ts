import { describe, expect, it } from 'vitest';
import { canvasFromFirstSizedObject } from './plan-common.ts';
import { presenterFromConfig } from './predecessor-placement.ts';

const canvas = { widthPx: 1920, heightPx: 1080 };

describe('presenterFromConfig', () => {
  it("places the predecessor's 400 px square at left/top, nudged down and kept inside", () => {
    // Top-left corner high up: the nudge (24 px at 720p = 36 px at 1080) shows.
    expect(presenterFromConfig({ scaleX: 0.2, scaleY: 0.2, top: 100, left: 960 }, canvas)).toEqual({
      ok: true,
      presenter: { hidden: false, placement: { x: 0.5, y: 0.1259, width: 0.2083, height: 0.3704 } },
    });
    // The real bottom-right config: moved up to end at the bottom edge.
    expect(
      presenterFromConfig({ scaleX: 0.2, scaleY: 0.2, top: 674.8, left: 1382.4 }, canvas),
    ).toEqual({
      ok: true,
      presenter: {
        hidden: false,
        placement: { x: 0.72, y: 0.6296, width: 0.2083, height: 0.3704 },
      },
    });
  });

  it('grows with the scale, hides on display/visible false, and reads "" as no config', () => {
    const twice = presenterFromConfig({ scaleX: 0.4, scaleY: 0.4, top: 0, left: 0 }, canvas);
    expect(twice.ok && twice.presenter.placement).toEqual({
      x: 0,
      y: 0.0333,
      width: 0.4167,
      height: 0.7407,
    });
    const hidden = presenterFromConfig({ top: 0, left: 0, display: false }, canvas);
    expect(hidden.ok && hidden.presenter.hidden).toBe(true);
    expect(presenterFromConfig('', canvas)).toEqual({
      ok: true,
      presenter: { placement: null, hidden: false },
    });
    expect(presenterFromConfig({ scaleX: 0.2 }, canvas)).toEqual({
      ok: true,
      presenter: { placement: null, hidden: false },
    });
  });

  it('names the key at fault', () => {
    expect(presenterFromConfig({ top: 'low', left: 1 }, canvas)).toEqual({
      ok: false,
      key: 'top',
      message: 'expected a number of canvas pixels, got "low"',
    });
    expect(presenterFromConfig({ top: 1, left: 1, scaleX: 0 }, canvas)).toMatchObject({
      ok: false,
      key: 'scaleX',
    });
    // A scale so small the square would round to nothing (fuzzing found 5e-324): refused.
    expect(presenterFromConfig({ top: 1, left: 1, scaleX: 5e-324 }, canvas)).toMatchObject({
      ok: false,
      key: 'scaleX',
      message: 'expected a scale from 0.01 to 100 (0.2 is usual), got 5e-324',
    });
    const smallest = presenterFromConfig({ top: 1, left: 1, scaleX: 0.01, scaleY: 0.01 }, canvas);
    expect(smallest.ok && smallest.presenter.placement?.width).toBeGreaterThan(0);
    expect(presenterFromConfig(7, canvas)).toMatchObject({ ok: false, key: null });
  });
});

describe('canvasFromFirstSizedObject', () => {
  it("takes the predecessor's guess only near a size it knew", () => {
    expect(canvasFromFirstSizedObject({ width: 1945.37, height: 1094.27 })).toEqual({
      canvas: { widthPx: 1920, heightPx: 1080 },
      guessed: true,
    });
    expect(canvasFromFirstSizedObject({ width: 1300, height: 700 })).toEqual({
      canvas: { widthPx: 1280, heightPx: 720 },
      guessed: true,
    });
    expect(canvasFromFirstSizedObject({ width: 350, height: 350 })).toEqual({
      canvas: { widthPx: 1920, heightPx: 1080 },
      guessed: false,
    });
    expect(canvasFromFirstSizedObject(null).canvas).toEqual({ widthPx: 1920, heightPx: 1080 });
  });
});
