import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { awkwardText, fuzz } from '../../../../testing/fuzz.ts';
import { cutAtWord, isPageNumber } from './page-text.ts';

const pageNumberPattern =
  /^(page\s*)?[-–(]?\s*\d{1,4}\s*([/|]\s*\d{1,4}|of\s+\d{1,4})?\s*[-–)]?$/iu;

/** Page-number-like lines: the pattern's pieces with white space runs between them. */
const space = fc.string({ unit: fc.constantFrom(' ', '\t', '\u00a0'), maxLength: 3 });
const pageLine = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('', 'page', 'Page', 'PAGE', 'pag'),
      space,
      fc.constantFrom('', '-', '–', '(', '—'),
      space,
      fc.constantFrom('3', '12', '1234', '12345', ''),
      space,
      fc.constantFrom('', '/', '|', 'of', 'OF', 'of11'),
      space,
      fc.constantFrom('', '11', '9999', '99999'),
      space,
      fc.constantFrom('', '-', '–', ')', 'x'),
    )
    .map((parts) => parts.join('')),
  awkwardText(16),
);

const cutText = fc.tuple(
  fc.string({
    unit: fc.constantFrom('a', 'b', ' ', ',', ';', ':', '–', '-', '\u00a0', '.'),
    maxLength: 30,
  }),
  fc.integer({ min: 2, max: 30 }),
);

/** cutAtWord as it was, with the pattern: the specification on short inputs. */
function patternCut(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const space = text.lastIndexOf(' ', maxChars - 1);
  const cut = space > maxChars / 2 ? text.slice(0, space) : text.slice(0, maxChars - 1);
  return `${cut.replace(/[\s,;:–-]+$/u, '')}…`;
}

describe('page text (properties)', () => {
  fuzz('page numbers: recognised as the old pattern recognised them', pageLine, (line) => {
    expect(isPageNumber(line)).toBe(pageNumberPattern.test(line));
  });

  fuzz('page text: cut at a word as with the old end pattern', cutText, ([text, maxChars]) => {
    expect(cutAtWord(text, maxChars)).toBe(patternCut(text, maxChars));
  });
});
