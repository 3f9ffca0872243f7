import { describe, expect, test } from 'vitest';
import { lastDigitRun, trimChar } from './number-text.ts';

function timed(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

/**
 * Inputs that make backtracking patterns explode: long runs of what `\s*`, `\d+` or `-+` take,
 * then a character that makes the match fail at the very end.
 */
function worstCases(size: number): string[] {
  return [
    `1${' '.repeat(size)}x`,
    `1${' '.repeat(size)}%${' '.repeat(size)}x`,
    `${' '.repeat(size)}1x`,
    `${'1'.repeat(size)}.`,
    `-${'\u00a0'.repeat(size)}`,
    `${'-'.repeat(size)}a${'-'.repeat(size)}`,
    `${'9'.repeat(size)}a9`,
  ];
}

describe('number text parsers run in linear time', () => {
  test('300 KB of worst case takes about 10 × what 30 KB takes, not 100 ×', () => {
    const run = (size: number) => () => {
      for (const text of worstCases(size)) {
        lastDigitRun(text);
        trimChar(text, '-');
      }
    };
    run(30_000)(); // warm up the JIT
    const small = Math.min(timed(run(30_000)), timed(run(30_000)));
    const large = timed(run(300_000));
    expect(large).toBeLessThan(20 * small + 200);
  });
});
