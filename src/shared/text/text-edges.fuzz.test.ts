import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { awkwardText, fuzz } from '../../../testing/fuzz.ts';
import {
  isPunctuation,
  isWhiteSpace,
  leadingLength,
  trailingLength,
  trimEndWhere,
  trimWhere,
} from './text-edges.ts';

// The replaced patterns are the specification: on short inputs (where they are fast) the walks
// must agree with them exactly.
const text = fc.oneof(
  awkwardText(16),
  fc.string({
    unit: fc.constantFrom(
      '!',
      '.',
      ',',
      ';',
      '-',
      '–',
      '_',
      '«',
      '»',
      ' ',
      '\u00a0',
      '\n',
      'a',
      'Z',
      '1',
      '\u{10100}',
      '\uD83D',
      '\uDE00',
      '😀',
    ),
    maxLength: 16,
  }),
);

const isCutEnd = (char: string) => isWhiteSpace(char) || ',;:–-'.includes(char);

describe('text edges agree with the patterns they replace (properties)', () => {
  fuzz('text edges: punctuation trims as /^\\p{P}+|\\p{P}+$/gu', text, (input) => {
    expect(trimWhere(input, isPunctuation)).toBe(input.replace(/^\p{P}+|\p{P}+$/gu, ''));
    expect(leadingLength(input, isPunctuation)).toBe(/^\p{P}+/u.exec(input)?.[0].length ?? 0);
    expect(trailingLength(input, isPunctuation)).toBe(/\p{P}+$/u.exec(input)?.[0].length ?? 0);
  });

  fuzz('text edges: end trims as /[\\s,;:–-]+$/u and white space as \\s', text, (input) => {
    expect(trimEndWhere(input, isCutEnd)).toBe(input.replace(/[\s,;:–-]+$/u, ''));
    for (const char of input) expect(isWhiteSpace(char)).toBe(/^\s$/u.test(char));
  });
});
