import { expect } from 'vitest';

function timed(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

/**
 * Checks that `run(size)` takes linear time on its worst cases: 300 KB within 20× the time of
 * 30 KB (linear is ≈ 10×; a quadratic pattern is ≈ 100×, and the ones replaced took minutes).
 * The 30 KB run is warmed up and timed twice (the faster counts); a small absolute allowance
 * covers timer noise on a busy machine.
 */
export function expectLinearTime(run: (size: number) => void, allowanceMs = 200): void {
  run(30_000); // warm up the JIT
  const small = Math.min(
    timed(() => run(30_000)),
    timed(() => run(30_000)),
  );
  const large = timed(() => run(300_000));
  expect(large).toBeLessThan(20 * small + allowanceMs);
}
