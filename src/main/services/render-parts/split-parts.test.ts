import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxParallelParts, splitSlides, type SlideRange } from './split-parts.ts';

const runs = Number(process.env.RAPIDO_FUZZ_RUNS ?? 0) || 500;

function longestMs(durations: readonly number[], ranges: readonly SlideRange[]): number {
  return Math.max(
    ...ranges.map((range) =>
      durations.slice(range.fromSlide, range.toSlide).reduce((sum, ms) => sum + ms, 0),
    ),
  );
}

/** Every way to cut `count` slides into `parts` non-empty contiguous ranges (small inputs). */
function allSplits(count: number, parts: number): SlideRange[][] {
  if (parts === 1) return [[{ fromSlide: 0, toSlide: count }]];
  const splits: SlideRange[][] = [];
  for (let cut = parts - 1; cut < count; cut += 1) {
    for (const head of allSplits(cut, parts - 1)) {
      splits.push([...head, { fromSlide: cut, toSlide: count }]);
    }
  }
  return splits;
}

const slideMs = fc.integer({ min: 0, max: 600_000 });

describe('splitSlides', () => {
  it('covers every slide once, in order, in min(N, slides) non-empty ranges', () => {
    fc.assert(
      fc.property(
        fc.array(slideMs, { maxLength: 200 }),
        fc.integer({ min: 1, max: maxParallelParts }),
        (durations, parts) => {
          const ranges = splitSlides(durations, parts);
          expect(ranges.length).toBe(Math.min(parts, durations.length));
          let next = 0;
          for (const range of ranges) {
            expect(range.fromSlide).toBe(next);
            expect(range.toSlide).toBeGreaterThan(range.fromSlide);
            next = range.toSlide;
          }
          expect(next).toBe(durations.length);
        },
      ),
      { numRuns: runs },
    );
  });

  it('balances the parts: the longest is at most an even share plus one slide', () => {
    fc.assert(
      fc.property(
        fc.array(slideMs, { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: maxParallelParts }),
        (durations, parts) => {
          const ranges = splitSlides(durations, parts);
          const total = durations.reduce((sum, ms) => sum + ms, 0);
          expect(longestMs(durations, ranges)).toBeLessThanOrEqual(
            total / ranges.length + Math.max(...durations),
          );
        },
      ),
      { numRuns: runs },
    );
  });

  it('finds the least longest part there is (checked against every split of small lessons)', () => {
    fc.assert(
      fc.property(
        fc.array(slideMs, { minLength: 1, maxLength: 9 }),
        fc.integer({ min: 1, max: 4 }),
        (durations, parts) => {
          const ranges = splitSlides(durations, parts);
          const best = Math.min(
            ...allSplits(durations.length, ranges.length).map((split) =>
              longestMs(durations, split),
            ),
          );
          expect(longestMs(durations, ranges)).toBe(best);
        },
      ),
      { numRuns: runs },
    );
  });

  it('splits the sample lesson as a person would', () => {
    expect(splitSlides([15_120, 15_160, 15_680, 17_100], 2)).toEqual([
      { fromSlide: 0, toSlide: 2 },
      { fromSlide: 2, toSlide: 4 },
    ]);
    expect(splitSlides([10_000, 10_000, 10_000], 8)).toHaveLength(3);
    expect(splitSlides([], 2)).toEqual([]);
  });
});
