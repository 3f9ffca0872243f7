import { describe, expect, test } from 'vitest';
import { expectLinearTime } from '../../../testing/linear-time.ts';
import {
  isPunctuation,
  isWhiteSpace,
  leadingLength,
  trailingLength,
  trimEndWhere,
  trimWhere,
} from './text-edges.ts';

describe('text edges', () => {
  test('trims punctuation by code point, as \\p{P} with the u flag does', () => {
    expect(trimWhere('«Hello»,', isPunctuation)).toBe('Hello');
    expect(trimWhere('...', isPunctuation)).toBe('');
    // U+10100 (Aegean word separator line) is punctuation outside the BMP.
    expect(trimWhere('\u{10100}a\u{10100}', isPunctuation)).toBe('a');
    expect(trailingLength('a\u{10100}', isPunctuation)).toBe(2);
    // A lone surrogate is no punctuation.
    expect(trimWhere('!\uD83D!', isPunctuation)).toBe('\uD83D');
    expect(leadingLength('!!a!', isPunctuation)).toBe(2);
    expect(trimEndWhere('a , ; ', (c) => isWhiteSpace(c) || ',;'.includes(c))).toBe('a');
  });

  test('300 KB worst cases take about 10 × what 30 KB takes, not 100 ×', () => {
    expectLinearTime((size) => {
      const run = '!'.repeat(size);
      trimWhere(`a${run}b`, isPunctuation);
      trimWhere(`${run}a${run}`, isPunctuation);
      trimEndWhere(`a${' ,'.repeat(size / 2)}b`, (c) => isWhiteSpace(c) || c === ',');
      leadingLength(run, isPunctuation);
      trailingLength(`${run}a`, isPunctuation);
    });
  });
});
