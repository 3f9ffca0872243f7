import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { awkwardText, fuzz } from '../../../../testing/fuzz.ts';
import { expectLinearTime } from '../../../../testing/linear-time.ts';
import { oneLine } from './mp4-chapters.ts';

const title = fc.oneof(
  awkwardText(20),
  fc.string({
    unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u2028', '\ufeff', 'a', 'b'),
    maxLength: 20,
  }),
);

describe('chapter titles on one line', () => {
  fuzz(
    'chapter titles: line breaks folded as /\\s*[\\r\\n]+\\s*/g then trim did',
    title,
    (text) => {
      expect(oneLine(text)).toBe(text.replace(/\s*[\r\n]+\s*/g, ' ').trim());
    },
  );

  it('300 KB worst cases take about 10 × what 30 KB takes, not 100 × (the pattern was quadratic)', () => {
    expectLinearTime((size) => {
      oneLine(`a${' '.repeat(size)}b`);
      oneLine(`a${' \n'.repeat(size / 2)}b`);
    });
  });
});
