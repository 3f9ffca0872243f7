import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { expectError, tempRoot, writeFiles } from '../../../../testing/lesson-files.ts';
import { lastDigitRun, parseNumberText, trimChar } from './number-text.ts';
import { frameSizeIn } from './presenter-placement.ts';
import { importSlideData } from './slide-data-import.ts';

function timed(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

async function timedAsync(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
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
        parseNumberText(text, { signed: true, bareFraction: true, units: ['%', 'px'] });
        parseNumberText(text, { signed: false, bareFraction: false, units: ['s', 'sec'] });
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

let root: string;
let remove: () => Promise<void>;
beforeEach(async () => {
  ({ root, remove } = await tempRoot('rapido-number-text-'));
});
afterEach(() => remove());

describe('slide data with crafted number fields', () => {
  test('a 300 KB frame width of spaces is refused quickly (it blocked main for 30 s)', () => {
    const crafted = `1${' '.repeat(300_000)}x`;
    const plain = 'x'.repeat(300_002);
    const baseline = Math.min(
      timed(() => frameSizeIn({ frameWidth: plain, frameHeight: plain })),
      timed(() => frameSizeIn({ frameWidth: plain, frameHeight: plain })),
    );
    let size: unknown = 'unset';
    const spent = timed(() => {
      size = frameSizeIn({ frameWidth: crafted, frameHeight: crafted });
    });
    expect(size).toBeNull();
    expect(spent).toBeLessThan(20 * baseline + 250);
  });

  test('a 300 KB narration duration of spaces is reported quickly, not after a freeze', async () => {
    const slideData = (duration: string) =>
      JSON.stringify({ slides: [{ slideInfo: { narrationDuration: duration } }] });
    const crafted = `1${' '.repeat(300_000)}x`;
    await writeFiles(root, {
      'crafted.json': slideData(crafted),
      'plain.json': slideData('x'.repeat(crafted.length)),
    });
    const importFile = (name: string) => () => importSlideData({ file: join(root, name) });
    await importFile('plain.json')(); // warm up
    const baseline = await timedAsync(importFile('plain.json'));
    let message = '';
    const spent = await timedAsync(async () => {
      const result = await importFile('crafted.json')();
      message = expectError(result).details?.join('\n') ?? '';
    });
    expect(message).toMatch(/expected a duration in seconds/);
    expect(spent).toBeLessThan(20 * baseline + 500);
  });
});

// Agreement with the replaced patterns on generated inputs: number-text.fuzz.test.ts.
