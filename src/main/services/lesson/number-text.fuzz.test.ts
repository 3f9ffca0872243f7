import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { fuzz } from '../../../../testing/fuzz.ts';
import { lastDigitRun, parseNumberText, trimChar } from './number-text.ts';

// The replaced patterns are the specification: on short inputs (where they are fast) the hand
// parsers must agree with them exactly.
const measurePattern = /^\s*(-?\d+(?:\.\d+)?|-?\.\d+)\s*(%|px)?\s*$/i;
const durationPattern = /^\s*\d+(\.\d+)?\s*(s|sec|seconds)?\s*$/i;

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
  fuzz(
    'number text: measures ("25%", "-.5", "120 px") as the old pattern read them',
    text,
    (input) => {
      const match = measurePattern.exec(input);
      const parsed = parseNumberText(input, {
        signed: true,
        bareFraction: true,
        units: ['%', 'px'],
      });
      const expected =
        match?.[1] === undefined
          ? null
          : { value: Number(match[1]), unit: match[2]?.toLowerCase() ?? null };
      expect(parsed).toEqual(expected);
    },
  );

  fuzz('number text: durations ("3.5", "4 sec") as the old pattern read them', text, (input) => {
    const parsed = parseNumberText(input, {
      signed: false,
      bareFraction: false,
      units: ['s', 'sec', 'seconds'],
    });
    const expected = durationPattern.test(input) ? Number.parseFloat(input) : null;
    expect(parsed?.value ?? null).toBe(expected);
  });

  fuzz('number text: last digit run and dash trimming as the old patterns did', text, (input) => {
    const match = /(\d+)\D*$/.exec(input);
    expect(lastDigitRun(input)).toBe(match?.[1] === undefined ? null : Number(match[1]));
    expect(trimChar(input, '-')).toBe(input.replace(/^-+|-+$/g, ''));
  });
});
