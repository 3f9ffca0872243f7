import { describe, expect, test } from 'vitest';
import { compareNatural, parseNarrationScript } from './narration-script.ts';

describe('parseNarrationScript', () => {
  test('splits on blank lines and joins wrapped lines with spaces', () => {
    const script = parseNarrationScript(
      'First slide,\nwrapped here.\n\n\n  Second slide.  \n \t\nThird\tslide.\n',
    );
    expect(script).toEqual({
      separator: 'blank-lines',
      paragraphs: ['First slide, wrapped here.', 'Second slide.', 'Third slide.'],
    });
  });

  test('accepts Windows line endings and a byte-order mark', () => {
    expect(parseNarrationScript('\uFEFFOne.\r\n\r\nTwo.\r\n').paragraphs).toEqual(['One.', 'Two.']);
  });

  test('with --- lines, splits on them and keeps blank lines inside a slide', () => {
    const script = parseNarrationScript(
      '---\nIntro line one.\n\nIntro paragraph two.\n---\nSecond.\n -----  \n\n---\nFourth.\n---\n',
    );
    expect(script.separator).toBe('dashes');
    expect(script.paragraphs).toEqual([
      'Intro line one.\n\nIntro paragraph two.',
      'Second.',
      // An empty part between two separators is a slide with no narration.
      '',
      'Fourth.',
    ]);
  });

  test('an empty script has no paragraphs', () => {
    expect(parseNarrationScript('\n  \n').paragraphs).toEqual([]);
  });

  test('dashes inside a sentence are not separators', () => {
    expect(parseNarrationScript('A --- B\n\nC').paragraphs).toEqual(['A --- B', 'C']);
  });
});

describe('compareNatural', () => {
  test('orders numbers by value, ignoring case', () => {
    const names = ['slide10.png', 'Slide2.png', 'slide1.png', 'slide02b.png', 'intro.png'];
    expect([...names].sort(compareNatural)).toEqual([
      'intro.png',
      'slide1.png',
      'Slide2.png',
      'slide02b.png',
      'slide10.png',
    ]);
  });

  test('is deterministic for names that collate equally', () => {
    expect(['a.png', 'A.png'].sort(compareNatural)).toEqual(['A.png', 'a.png']);
    expect(['A.png', 'a.png'].sort(compareNatural)).toEqual(['A.png', 'a.png']);
  });
});
