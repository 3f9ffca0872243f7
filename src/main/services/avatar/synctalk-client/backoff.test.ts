import { describe, expect, test } from 'vitest';
import { backoffDelayMs, backoffSchedule, defaultBackoffPolicy } from './backoff.ts';

describe('backoff', () => {
  test('doubles from 250 ms to a 4 s ceiling, one delay per allowed attempt', () => {
    const middle = () => 0.5;
    expect(backoffSchedule(defaultBackoffPolicy, middle)).toEqual([
      250, 500, 1000, 2000, 4000, 4000,
    ]);
  });

  test('jitter spreads each delay by at most ±20 %', () => {
    expect(backoffSchedule(defaultBackoffPolicy, () => 0)).toEqual([
      200, 400, 800, 1600, 3200, 3200,
    ]);
    expect(backoffSchedule(defaultBackoffPolicy, () => 0.999_999)).toEqual([
      300, 600, 1200, 2400, 4800, 4800,
    ]);
    let seed = 7;
    const lcg = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const delays = Array.from({ length: 200 }, () => backoffDelayMs(2, defaultBackoffPolicy, lcg));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(800);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1200);
    // Spread, not one value: clients that lost the same server do not return in step.
    expect(new Set(delays).size).toBeGreaterThan(50);
  });

  test('honours a custom policy', () => {
    const policy = {
      initialDelayMs: 10,
      maxDelayMs: 50,
      multiplier: 3,
      jitterRatio: 0,
      maxAttempts: 4,
    };
    expect(backoffSchedule(policy, Math.random)).toEqual([10, 30, 50, 50]);
  });
});
