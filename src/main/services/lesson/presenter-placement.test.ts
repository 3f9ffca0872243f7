import { describe, expect, it } from 'vitest';
import { normalisedRectSchema } from '../../../shared/lesson/lesson-schema.ts';
import { edgeMargin, parsePresenterConfig, samePlacement } from './presenter-placement.ts';

const wide = { frame: null, outputAspect: 9 / 16 };
const hd = { frame: { width: 1920, height: 1080 }, outputAspect: 9 / 16 };

describe('parsePresenterConfig', () => {
  it('says nothing when there is no config', () => {
    expect(parsePresenterConfig(undefined, wide)).toEqual({
      placement: null,
      hidden: false,
      problems: [],
    });
    expect(parsePresenterConfig(null, wide).placement).toBeNull();
  });

  it('reads fractions, percentages and pixels', () => {
    const expected = { x: 0.7, y: 0.4, width: 0.25, height: 0.5 };
    expect(
      parsePresenterConfig({ x: 0.7, y: 0.4, width: 0.25, height: 0.5 }, wide).placement,
    ).toEqual(expected);
    expect(parsePresenterConfig({ x: 70, y: 40, width: 25, height: 50 }, wide).placement).toEqual(
      expected,
    );
    expect(
      parsePresenterConfig({ left: '70%', top: '40%', w: '25%', h: '50%' }, hd).placement,
    ).toEqual(expected);
    expect(
      parsePresenterConfig({ x: 1344, y: 432, width: 480, height: 540 }, hd).placement,
    ).toEqual(expected);
    expect(
      parsePresenterConfig(
        { x: 672, y: 216, width: 240, height: 270, frameWidth: 960, frameHeight: 540 },
        hd,
      ).placement,
    ).toEqual(expected);
    expect(
      parsePresenterConfig({ x: 0.7, y: 40, width: 25, height: 50, unit: 'percent' }, wide)
        .problems,
    ).toEqual([]);
  });

  it('names what it cannot read', () => {
    expect(parsePresenterConfig({ x: 1344, y: 432, width: 480, height: 540 }, wide)).toEqual({
      placement: null,
      hidden: false,
      problems: [
        {
          path: ['x'],
          message:
            '1344 looks like pixels, but the slide size is not given (add frameWidth and frameHeight, or give fractions 0..1)',
        },
        { path: ['y'], message: expect.stringContaining('looks like pixels') as string },
        { path: ['width'], message: expect.stringContaining('looks like pixels') as string },
        { path: ['height'], message: expect.stringContaining('looks like pixels') as string },
      ],
    });
    expect(
      parsePresenterConfig({ x: 0, y: 0, width: 1500, height: 0.5 }, wide).problems.map(
        (problem) => problem.path,
      ),
    ).toEqual([['width']]);
    expect(parsePresenterConfig({ x: 'left-ish', y: 0.1 }, wide).problems).toEqual([
      { path: ['x'], message: 'expected a number, a percentage ("25%") or pixels ("120px")' },
    ]);
    expect(parsePresenterConfig({ position: 'somewhere' }, wide).problems[0]?.path).toEqual([
      'position',
    ]);
    expect(parsePresenterConfig({ size: 'huge' }, wide).problems[0]?.path).toEqual(['size']);
    expect(parsePresenterConfig({ visible: 'maybe' }, wide).problems).toEqual([
      { path: ['visible'], message: 'expected true or false' },
    ]);
    expect(parsePresenterConfig('bottom-right', wide).problems[0]?.path).toEqual([]);
    expect(
      parsePresenterConfig({ x: 0, y: 0, width: 150, height: 50, units: '%' }, wide).problems,
    ).toEqual([
      {
        path: ['width'],
        message: 'the presenter (150 % × 50 % of the slide) is larger than the slide',
      },
    ]);
  });

  it('places named positions and sizes inside the output, square on screen', () => {
    const bottomRight = parsePresenterConfig({ position: 'bottom-right', size: 'small' }, wide);
    const height = 0.35;
    const width = height * (9 / 16);
    expect(bottomRight.placement?.height).toBeCloseTo(height, 4);
    expect(bottomRight.placement?.width).toBeCloseTo(width, 4);
    expect(bottomRight.placement?.x).toBeCloseTo(1 - edgeMargin - width, 4);
    expect(bottomRight.placement?.y).toBeCloseTo(1 - edgeMargin - height, 4);

    const topLeft = parsePresenterConfig({ anchor: 'top_left', scale: 0.5 }, wide).placement;
    expect(topLeft).toMatchObject({ x: edgeMargin, y: edgeMargin, height: 0.5 });

    const centre = parsePresenterConfig({ position: 'center', size: 'large' }, wide).placement;
    expect(centre?.x).toBeCloseTo((1 - 0.75 * (9 / 16)) / 2, 4);
    expect(centre?.y).toBeCloseTo(0.125, 4);

    const percentScale = parsePresenterConfig({ position: 'bottom-left', scale: 40 }, wide);
    expect(percentScale.placement?.height).toBeCloseTo(0.4, 4);
  });

  it('moves a presenter hanging off an edge back inside', () => {
    const placement = parsePresenterConfig(
      { x: 0.8, y: -0.05, width: 0.3, height: 0.5 },
      wide,
    ).placement;
    expect(placement).toEqual({ x: 0.7, y: 0, width: 0.3, height: 0.5 });
    expect(normalisedRectSchema.safeParse(placement).success).toBe(true);
  });

  it('reads hidden presenters in their usual spellings', () => {
    expect(parsePresenterConfig({ visible: false }, wide)).toEqual({
      placement: null,
      hidden: true,
      problems: [],
    });
    expect(parsePresenterConfig({ hidden: true }, wide).hidden).toBe(true);
    expect(parsePresenterConfig({ show: 'false' }, wide).hidden).toBe(true);
    expect(
      parsePresenterConfig({ enabled: false, x: 0.1, y: 0.1, width: 0.2, height: 0.2 }, wide),
    ).toMatchObject({ hidden: true, placement: { x: 0.1 } });
    expect(parsePresenterConfig({ visible: true }, wide).hidden).toBe(false);
  });

  it('compares placements to a tenth of a pixel', () => {
    const a = { x: 0.5, y: 0.5, width: 0.2, height: 0.2 };
    expect(samePlacement(a, { ...a, x: 0.50001 })).toBe(true);
    expect(samePlacement(a, { ...a, x: 0.501 })).toBe(false);
  });
});
