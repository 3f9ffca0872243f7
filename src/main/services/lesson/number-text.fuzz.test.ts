import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { fuzz } from '../../../../testing/fuzz.ts';
import { lastDigitRun, trimChar } from './number-text.ts';

// The replaced patterns are the specification: on short inputs (where they are fast) the hand
// parsers must agree with them exactly.

// One UTF-16 unit each, so Array.from splits it exactly.
const alphabet = Array.from('0123456789..--  \t\n\u00a0\u2028%pPxXsSecondEx+');

/** Random text over the characters the patterns care about, and well-formed shapes. */
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 12 }),
  fc
    .tuple(
      fc.constantFrom('', ' ', '-', '\t'),
      fc.nat(999),
      fc.constantFrom('', '.', '.5', '.25'),
      fc.constantFrom('', ' ', '\u00a0'),
      fc.constantFrom('', '%', 'PX', 's', 'Sec', 'seconds', 'secs'),
      fc.constantFrom('', ' ', '\n'),
    )
    .map((parts) => parts.join('')),
);

describe('number text parsers agree with the patterns they replace (properties)', () => {
  fuzz('number text: last digit run and dash trimming as the old patterns did', text, (input) => {
    const match = /(\d+)\D*$/.exec(input);
    expect(lastDigitRun(input)).toBe(match?.[1] === undefined ? null : Number(match[1]));
    expect(trimChar(input, '-')).toBe(input.replace(/^-+|-+$/g, ''));
  });
});
