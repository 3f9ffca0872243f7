import { describe, expect, it } from 'vitest';
import {
  breakSegments,
  graphemes,
  bulletIndentEm,
  layoutTextBox,
  lineHeightEm,
  paragraphsOf,
  wrapParagraph,
} from './text-layout.ts';

/** Every character 10 px wide: line breaking is then easy to follow by hand. */
const mono = (text: string) => text.length * 10;

describe('wrapParagraph', () => {
  it('breaks at spaces, trailing spaces hanging', () => {
    // "aaa bbb" is 70 px: fits 70 exactly; "aaa bbb ccc" does not.
    expect(wrapParagraph('aaa bbb ccc', 70, mono)).toEqual(['aaa bbb', 'ccc']);
    expect(wrapParagraph('aaa bbb ccc', 69, mono)).toEqual(['aaa', 'bbb', 'ccc']);
    expect(wrapParagraph('aaa   bbb', 40, mono)).toEqual(['aaa', 'bbb']);
  });

  it('breaks after a hyphen between letters, not before a number', () => {
    expect(breakSegments('well-known -5 x')).toEqual(['well-', 'known ', '-5 ', 'x']);
    expect(wrapParagraph('a well-known fact', 70, mono)).toEqual(['a well-', 'known', 'fact']);
  });

  it('breaks a word wider than the line at characters', () => {
    expect(wrapParagraph('abcdefghij xy', 40, mono)).toEqual(['abcd', 'efgh', 'ij', 'xy']);
  });

  it('never breaks inside a character a reader sees as one', () => {
    // "e" + combining acute is one grapheme: 10 px per grapheme here.
    const perGrapheme = (text: string) => graphemes(text).length * 10;
    expect(wrapParagraph('ee\u0301e\u0301e', 20, perGrapheme)).toEqual(['ee\u0301', 'e\u0301e']);
  });

  it('keeps an empty paragraph as one empty line', () => {
    expect(wrapParagraph('', 100, mono)).toEqual(['']);
  });
});

describe('paragraphsOf', () => {
  it('drops the one trailing newline the editor adds', () => {
    expect(paragraphsOf('One\nTwo\n')).toEqual(['One', 'Two']);
    expect(paragraphsOf('One\n\n')).toEqual(['One', '']);
    expect(paragraphsOf('a\r\nb')).toEqual(['a', 'b']);
  });
});

describe('layoutTextBox', () => {
  it('stacks lines 1.5 em apart and indents bullets, one bullet per paragraph', () => {
    const lines = layoutTextBox({
      content: 'aaa bbb\nccc\n',
      variant: 'bulletList',
      textAlign: 'left',
      widthPx: 20 * bulletIndentEm + 40,
      fontSizePx: 20,
      measure: mono,
    });
    expect(lines.map((l) => l.text)).toEqual(['aaa', 'bbb', 'ccc']);
    expect(lines.map((l) => l.top)).toEqual([0, 20 * lineHeightEm, 40 * lineHeightEm]);
    expect(lines.map((l) => l.bullet)).toEqual([true, false, true]);
    expect(lines.every((l) => l.x === 20 * bulletIndentEm)).toBe(true);
  });

  it('centres, right-aligns and justifies within the width', () => {
    const base = {
      content: 'aa bb cc',
      variant: 'paragraph' as const,
      widthPx: 60,
      fontSizePx: 10,
      measure: mono,
    };
    expect(layoutTextBox({ ...base, textAlign: 'center' }).map((l) => l.x)).toEqual([5, 20]);
    expect(layoutTextBox({ ...base, textAlign: 'right' }).map((l) => l.x)).toEqual([10, 40]);
    const justified = layoutTextBox({ ...base, content: 'a b cc dd', textAlign: 'justify' });
    // "a b cc" (60 px) fills the line; "dd" is the last line, left as is.
    expect(justified[0]?.runs.map((r) => r.x)).toEqual([0, 20, 40]);
    const stretched = layoutTextBox({
      ...base,
      content: 'a b ccccc',
      widthPx: 50,
      textAlign: 'justify',
    });
    // "a b" (30 px) in 50: the 20 px left over go to its one gap.
    expect(stretched[0]?.runs).toEqual([
      { text: 'a', x: 0 },
      { text: 'b', x: 40 },
    ]);
  });
});
