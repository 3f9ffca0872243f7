import { describe, expect, it } from 'vitest';
import { growthOver, type TimedValue } from './memory-bench.ts';

/** A sample every 5 s for `minutes`, following `valueAt(seconds)`. */
function samples(minutes: number, valueAt: (seconds: number) => number): TimedValue[] {
  return Array.from({ length: (minutes * 60) / 5 + 1 }, (_, index) => ({
    atMs: index * 5_000,
    value: valueAt(index * 5),
  }));
}

describe('growthOver', () => {
  it('measures a steady leak as growth per minute between the windows', () => {
    // 2 MB a minute from 100 MB; warm-up 30 s, one-minute windows over ten minutes.
    const growth = growthOver(
      samples(10, (seconds) => 100 + (2 * seconds) / 60),
      30_000,
      60_000,
    );
    expect(growth?.firstMedian).toBeCloseTo(102, 5);
    expect(growth?.lastMedian).toBeCloseTo(119, 5);
    expect(growth?.growth).toBeCloseTo(17, 5);
    expect(growth?.perMinute).toBeCloseTo(2, 5);
  });

  it('ignores the warm-up and one-off spikes: flat memory is no growth', () => {
    const growth = growthOver(
      samples(10, (seconds) => (seconds < 30 ? 40 : seconds === 300 ? 500 : 150)),
      30_000,
      60_000,
    );
    expect(growth?.growth).toBe(0);
  });

  it('is null when the samples do not hold two separate windows', () => {
    expect(
      growthOver(
        samples(2, () => 1),
        30_000,
        60_000,
      ),
    ).toBeNull();
    expect(growthOver([], 30_000, 60_000)).toBeNull();
  });
});
