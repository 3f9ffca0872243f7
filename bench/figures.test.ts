import { describe, expect, it } from 'vitest';
import {
  figure,
  figureOf,
  isFigure,
  isSkipped,
  median,
  percentile,
  ratioFigure,
  roundFigure,
} from './figures.ts';

describe('figure', () => {
  it('summarises runs into median, min, max and spread with the unit', () => {
    expect(figure('ms', [12, 10, 15])).toEqual({
      unit: 'ms',
      median: 12,
      min: 10,
      max: 15,
      spread: 5,
      runs: [12, 10, 15],
    });
  });

  it('takes the mean of the two middle runs for an even count', () => {
    expect(figure('ms', [4, 1, 3, 2]).median).toBe(2.5);
  });

  it('keeps one run as a figure with no spread', () => {
    expect(figure('MB', [301.25])).toMatchObject({ median: 301.3, spread: 0, runs: [301.3] });
  });

  it('refuses no runs and runs that measured nothing', () => {
    expect(() => figure('ms', [])).toThrow(/no runs/);
    expect(() => figure('ms', [1, Number.NaN])).toThrow(/NaN/);
  });
});

describe('figureOf', () => {
  it('leaves out runs that could not measure', () => {
    expect(figureOf('ms', [null, 7, 9])?.runs).toEqual([7, 9]);
  });

  it('is null when no run measured', () => {
    expect(figureOf('ms', [null, null])).toBeNull();
  });
});

describe('ratioFigure', () => {
  it('divides within each run before summarising', () => {
    // Medians of each side would give 20/10 = 2; the per-run ratios are 4, 1 and 1.
    const ratio = ratioFigure([40, 20, 10], [10, 20, 10], 'x');
    expect(ratio?.runs).toEqual([4, 1, 1]);
    expect(ratio?.median).toBe(1);
    expect(ratio?.unit).toBe('x');
  });

  it('drops runs where a side is missing or the denominator is not positive', () => {
    expect(ratioFigure([6, null, 5, 8], [3, 2, 0, 4])?.runs).toEqual([2, 2]);
  });

  it('refuses sides from different numbers of runs', () => {
    expect(() => ratioFigure([1, 2], [1])).toThrow(/same runs/);
  });
});

describe('helpers', () => {
  it('rounds to four significant digits, whole numbers from 1000', () => {
    expect(roundFigure(0.0123456)).toBe(0.01235);
    expect(roundFigure(12.3456)).toBe(12.35);
    expect(roundFigure(1234.56)).toBe(1235);
    expect(roundFigure(-3.14159)).toBe(-3.142);
  });

  it('median and nearest-rank percentile', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(Number.isNaN(median([]))).toBe(true);
    const values = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(percentile(values, 0.95)).toBe(95);
    expect(percentile(values, 0.5)).toBe(50);
  });

  it('tells a figure and a skipped part apart', () => {
    expect(isFigure(figure('ms', [1]))).toBe(true);
    expect(isFigure({ unit: 'ms', median: 1 })).toBe(false);
    expect(isSkipped({ skipped: 'no LiveKit' })).toBe(true);
    expect(isSkipped(figure('ms', [1]))).toBe(false);
  });
});
