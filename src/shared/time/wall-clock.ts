/**
 * Wall-clock milliseconds with sub-millisecond steps that two pages (two renderer processes) can
 * compare. `performance.timeOrigin + performance.now()` cannot be compared across processes:
 * each process fixes the relation between its monotonic clock and the wall clock once, so two
 * pages started at different times can disagree by tens of milliseconds (CI saw a frame
 * "received" 15 ms before it was drawn). Here the relation is taken from `Date.now()`, the one
 * system clock every process reads alike, at the instant its millisecond ticks over: at that
 * edge it is exact to within one loop turn.
 */
export interface HighResolutionClock {
  now(): number;
}

export interface WallClock {
  now(): number;
}

/** Offset from `performance.now()` to epoch milliseconds, read at a `Date.now()` tick edge. */
export function wallClockOffsetMs(
  highResolution: HighResolutionClock = performance,
  epochMs: () => number = Date.now,
): number {
  const before = epochMs();
  let highResolutionMs = highResolution.now();
  let ticked = epochMs();
  // Spins for at most one millisecond (one tick of Date.now).
  while (ticked === before) {
    highResolutionMs = highResolution.now();
    ticked = epochMs();
  }
  return ticked - highResolutionMs;
}

let offsetMs: number | undefined;

/** Epoch milliseconds for a `performance.now()` reading (default: now). */
export function wallClockMs(highResolutionMs: number = performance.now()): number {
  offsetMs ??= wallClockOffsetMs();
  return highResolutionMs + offsetMs;
}
