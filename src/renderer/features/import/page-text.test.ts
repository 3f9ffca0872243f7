import { describe, expect, it } from 'vitest';
import { expectLinearTime } from '../../../../testing/linear-time.ts';
import {
  cutAtWord,
  isPageNumber,
  linesFromRuns,
  maxNarrationChars,
  narrationFromLines,
  pageNarrations,
  titleFromLines,
  trimNarration,
  withoutPageFurniture,
  type TextLine,
  type TextRun,
} from './page-text.ts';

const pageHeight = 1080;

function run(text: string, x: number, y: number, height = 35, width = text.length * height * 0.5) {
  return { text, x, y, width, height } satisfies TextRun;
}

function line(text: string, top: number, size = 35): TextLine {
  return { text, top, size };
}

describe('linesFromRuns', () => {
  it('orders lines top to bottom whatever the drawing order, and runs left to right', () => {
    // Keynote draws the title last; a bullet sits a few units off its text's baseline.
    const lines = linesFromRuns(
      [
        run('is the nickname of', 326, 572),
        run('•', 99, 575, 43),
        run('Gammasoft', 134, 572),
        run(' ', 317, 572, 0, 9),
        run('Who', 99, 161, 85, 179),
        run('am I ?', 298, 161, 85, 230),
      ],
      pageHeight,
    );
    expect(lines.map((l) => l.text)).toEqual(['Who am I?', '• Gammasoft is the nickname of']);
    expect(lines[0]?.size).toBe(85);
    expect(lines[0]?.top).toBeCloseTo(161 / pageHeight, 5);
  });

  it('inserts a space only where runs are apart', () => {
    const lines = linesFromRuns(
      [run('Hel', 0, 100, 20, 30), run('lo', 30, 100, 20, 20), run('world', 60, 100, 20, 50)],
      pageHeight,
    );
    expect(lines[0]?.text).toBe('Hello world');
  });

  it('drops whitespace-only runs and empty pages give no lines', () => {
    expect(linesFromRuns([run(' ', 0, 0), run('', 5, 5)], pageHeight)).toEqual([]);
  });
});

describe('withoutPageFurniture', () => {
  it('drops page numbers and running footers in the margins, keeps repeated body text', () => {
    const pages = [1, 2, 3, 4].map((n) => [
      line('Outline', 0.15, 85),
      line('1. Introduction', 0.35, 48),
      line(`Gammasoft Modern C++ Course ${n}`, 0.98, 48),
      line(String(n), 0.97, 18),
    ]);
    const cleaned = withoutPageFurniture(pages);
    for (const page of cleaned) {
      expect(page.map((l) => l.text)).toEqual(['Outline', '1. Introduction']);
    }
  });

  it('keeps a margin line that appears on one page only, and numbers in the body', () => {
    const cleaned = withoutPageFurniture([
      [line('42', 0.5), line('Gammasoft', 0.98)],
      [line('Other', 0.5), line('Footer', 0.98)],
      [line('Third', 0.5), line('Footer', 0.98)],
    ]);
    expect(cleaned[0]?.map((l) => l.text)).toEqual(['42', 'Gammasoft']);
    expect(cleaned[1]?.map((l) => l.text)).toEqual(['Other']);
  });
});

describe('narrationFromLines', () => {
  it('joins wrapped lines, ends sentences and drops bullet marks', () => {
    const narration = narrationFromLines([
      line('Who am I?', 0.15, 85),
      line('About', 0.3, 45),
      line('• More than thirty years of passion for high', 0.5),
      line('technology especially in development.', 0.55),
      line('• Object-oriented programming is more than a', 0.6),
      line('mindset', 0.65),
    ]);
    expect(narration).toBe(
      'Who am I? About. More than thirty years of passion for high technology especially in development. Object-oriented programming is more than a mindset.',
    );
  });

  it('mends a word hyphenated across lines', () => {
    expect(narrationFromLines([line('A long explan-', 0.3), line('ation here', 0.35)])).toBe(
      'A long explanation here.',
    );
  });

  it('is empty for a page without text', () => {
    expect(narrationFromLines([])).toBe('');
  });

  it(`stays under ${maxNarrationChars} characters, ending on a whole sentence`, () => {
    const lines = Array.from({ length: 40 }, (_, i) =>
      line(`Sentence number ${i + 1} says something useful`, 0.2 + i * 0.01),
    );
    const narration = narrationFromLines(lines);
    expect(narration.length).toBeLessThanOrEqual(maxNarrationChars);
    expect(narration.length).toBeGreaterThan(maxNarrationChars / 2);
    expect(narration).toMatch(/useful\.$/);
  });
});

describe('trimNarration', () => {
  it('cuts one endless sentence at a word and ends it', () => {
    const text = `${'word '.repeat(200)}end`;
    const trimmed = trimNarration(text, 100);
    expect(trimmed.length).toBeLessThanOrEqual(100);
    expect(trimmed).toMatch(/word\.$/);
  });

  it('leaves short text alone', () => {
    expect(trimNarration('Short.', 100)).toBe('Short.');
  });
});

describe('titleFromLines', () => {
  it('takes the first of the largest lines', () => {
    expect(
      titleFromLines([line('Chapter 2', 0.1, 20), line('Templates:', 0.2, 60), line('x', 0.3, 60)]),
    ).toBe('Templates');
  });

  it('is undefined without text and shortens long lines at a word', () => {
    expect(titleFromLines([])).toBeUndefined();
    const title = titleFromLines([line('A very long heading '.repeat(10), 0.1)]);
    expect(title?.length).toBeLessThanOrEqual(80);
    expect(title).toMatch(/heading…$/);
  });
});

describe('pageNarrations', () => {
  it('gives every page a title and narration without the shared footer', () => {
    const pages = [
      [line('Modern C++ Course', 0.18, 116), line('Gammasoft', 0.98, 48)],
      [line('End', 0.53, 85), line('Gammasoft Modern C++ Course', 0.98, 48), line('11', 0.97, 18)],
      [line('Outline', 0.15, 85), line('Gammasoft Modern C++ Course', 0.98, 48), line('3', 0.97)],
    ];
    expect(pageNarrations(pages)).toEqual([
      { title: 'Modern C++ Course', narration: 'Modern C++ Course. Gammasoft.' },
      { title: 'End', narration: 'End.' },
      { title: 'Outline', narration: 'Outline.' },
    ]);
  });
});

describe('page text on crafted input', () => {
  it('300 KB worst cases take about 10 × what 30 KB takes, not 100 × (the patterns were quadratic)', () => {
    expectLinearTime((size) => {
      isPageNumber(`page${' '.repeat(size)}x`);
      isPageNumber(`1${' '.repeat(size)}x`);
      cutAtWord(`a${','.repeat(size)}b c`, size + 2);
    });
  });
});
