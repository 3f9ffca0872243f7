import { describe, expect, it } from 'vitest';
import { wallClockOffsetMs } from './wall-clock.ts';

/** A clock pair where Date.now() lags true time by a whole tick until it ticks over. */
function clocks(trueOffsetMs: number, stepMs: number) {
  let highResolutionMs = 100.3;
  return {
    highResolution: {
      now: () => {
        highResolutionMs += stepMs;
        return highResolutionMs;
      },
    },
    epochMs: () => Math.floor(highResolutionMs + trueOffsetMs),
  };
}

describe('wallClockOffsetMs', () => {
  it('finds the offset to within one loop step, not one millisecond', () => {
    const trueOffsetMs = 1_700_000_000_000.25;
    const { highResolution, epochMs } = clocks(trueOffsetMs, 0.01);
    const offsetMs = wallClockOffsetMs(highResolution, epochMs);
    expect(Math.abs(offsetMs - trueOffsetMs)).toBeLessThan(0.02);
  });

  it('does not read a whole millisecond low the way Date.now() minus performance.now() can', () => {
    const trueOffsetMs = 1_700_000_000_000.6;
    const { highResolution, epochMs } = clocks(trueOffsetMs, 0.01);
    const naiveMs = epochMs() - highResolution.now();
    const offsetMs = wallClockOffsetMs(highResolution, epochMs);
    expect(trueOffsetMs - naiveMs).toBeGreaterThan(0.5);
    expect(Math.abs(offsetMs - trueOffsetMs)).toBeLessThan(0.02);
  });
});
