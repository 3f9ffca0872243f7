import { describe, expect, it } from 'vitest';
import {
  buildCaptionCues,
  captionAt,
  formatWebVtt,
  parseWebVtt,
  type CaptionCue,
  type CaptionWord,
  withoutCueTags,
} from './caption-cues.ts';
import { expectLinearTime } from '../../../testing/linear-time.ts';

/** 165 words a minute, the offline voice's default rate. */
const wordSlotMs = 60_000 / 165;

/**
 * Synthetic timings for a script: each word fills 85% of its slot, and a sentence end adds a
 * breath of `sentencePauseMs` (shorter than a pause break unless a test wants one).
 */
function timedWords(script: string, sentencePauseMs = 250, startMs = 0): CaptionWord[] {
  const words: CaptionWord[] = [];
  let timeMs = startMs;
  for (const text of script.split(/\s+/u).filter((part) => part !== '')) {
    words.push({
      text,
      startMs: Math.round(timeMs),
      endMs: Math.round(timeMs + wordSlotMs * 0.85),
    });
    timeMs += wordSlotMs + (/[.!?]$/u.test(text) ? sentencePauseMs : 0);
  }
  return words;
}

function linesOf(cue: CaptionCue): string[] {
  return cue.text.split('\n');
}

function wordsOf(cues: readonly CaptionCue[]): string[] {
  return cues.flatMap((cue) => cue.text.split(/\s+/u));
}

const teachingParagraph =
  'Photosynthesis is the process that plants use to turn light into food. Inside every leaf ' +
  'are millions of tiny structures called chloroplasts, and each one contains a green pigment ' +
  'named chlorophyll. Chlorophyll absorbs red and blue light very well, but it reflects green ' +
  'light, which is why most leaves look green to us. When light strikes the leaf, its energy ' +
  'is used to split water molecules into hydrogen and oxygen. The oxygen escapes through small ' +
  'pores on the underside of the leaf, called stomata. Meanwhile, the plant takes in carbon ' +
  'dioxide from the air and combines it with the hydrogen to build glucose, a simple sugar. ' +
  'The plant can burn this sugar for energy right away, or store it as starch for later, ' +
  'which is exactly what a potato does underground.';

describe('buildCaptionCues', () => {
  it('keeps every cue within 2 lines of 42 characters', () => {
    const script = Array.from(
      { length: 80 },
      (_, index) => ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf'][index % 7],
    ).join(' ');
    const cues = buildCaptionCues(timedWords(script));
    expect(cues.length).toBeGreaterThan(3);
    for (const cue of cues) {
      expect(linesOf(cue).length).toBeLessThanOrEqual(2);
      for (const line of linesOf(cue)) expect(line.length).toBeLessThanOrEqual(42);
    }
    expect(wordsOf(cues)).toEqual(script.split(' '));
  });

  it('honours other limits', () => {
    const script = 'one two three four five six seven eight nine ten eleven twelve';
    const cues = buildCaptionCues(timedWords(script), { maxCharsPerLine: 12, maxLines: 3 });
    for (const cue of cues) {
      expect(linesOf(cue).length).toBeLessThanOrEqual(3);
      for (const line of linesOf(cue)) expect(line.length).toBeLessThanOrEqual(12);
    }
    expect(cues[0]?.text).toBe('one two\nthree four\nfive six');
  });

  it('balances two lines instead of leaving one word alone on the second', () => {
    // 45 characters: greedy wrapping would give "Plants turn sunlight water and carbon" (37)
    // over "dioxide" (7).
    const cues = buildCaptionCues(timedWords('Plants turn sunlight water and carbon dioxide'));
    expect(cues).toHaveLength(1);
    expect(cues[0]?.text).toBe('Plants turn sunlight\nwater and carbon dioxide');

    const twoLines = buildCaptionCues(
      timedWords('Plants turn sunlight and water into sugar inside their leaves'),
    );
    expect(twoLines).toHaveLength(1);
    const [top, bottom] = linesOf(twoLines[0] ?? { startMs: 0, endMs: 0, text: '' });
    expect(top).toBeDefined();
    expect(bottom).toBeDefined();
    expect(Math.abs((top ?? '').length - (bottom ?? '').length)).toBeLessThanOrEqual(8);
    expect((bottom ?? '').split(' ').length).toBeGreaterThan(1);
  });

  it('breaks lines after punctuation, never after an article, and prefers bottom-heavy', () => {
    const cues = buildCaptionCues(
      timedWords('First we measure the leaf, then we weigh the dried sample again'),
    );
    expect(cues[0]?.text).toBe('First we measure the leaf,\nthen we weigh the dried sample again');
    const article = buildCaptionCues(
      timedWords('We place a thin slice of the onion skin under the microscope'),
    );
    // The most balanced split (28 | 31) would end the top line on "the".
    for (const line of linesOf(article[0] ?? { startMs: 0, endMs: 0, text: '' })) {
      expect(line).not.toMatch(/\b(a|the|of)$/u);
    }
    // Nine equal words (44 characters): 4 over 5 words, not 5 over 4.
    const even = buildCaptionCues(timedWords('bake cook fold grill heat knead mix pour rise'));
    expect(even[0]?.text).toBe('bake cook fold grill\nheat knead mix pour rise');
  });

  it('starts a new cue at a pause of pauseBreakMs, not at a shorter one', () => {
    const words: CaptionWord[] = [
      { text: 'Look', startMs: 0, endMs: 300 },
      { text: 'here', startMs: 350, endMs: 600 },
      { text: 'and', startMs: 1300, endMs: 1500 }, // 700 ms after "here"
      { text: 'there', startMs: 2199, endMs: 2500 }, // 699 ms after "and"
    ];
    const cues = buildCaptionCues(words);
    expect(cues.map((cue) => cue.text)).toEqual(['Look here', 'and there']);
  });

  it('breaks after a sentence once the cue is half full, but not before', () => {
    const long = 'The leaf is the kitchen of the green plant.'; // 43 characters: half of 84 is 42.
    const cues = buildCaptionCues(timedWords(`${long} It makes sugar from light.`));
    expect(cues.map((cue) => cue.text.replace('\n', ' '))).toEqual([
      long,
      'It makes sugar from light.',
    ]);
    const short = buildCaptionCues(timedWords('Hello everyone. Today we look at leaves.'));
    expect(short).toHaveLength(1);
  });

  it('ends a forced break at the last punctuation instead of on a dangling word', () => {
    // Two lines of 30: the text overflows at "enters"; the cue ends after "soil," and "then
    // carbon" moves on with the rest of its clause.
    const cues = buildCaptionCues(
      timedWords('Roots pull minerals and water from the soil, then carbon enters'),
      { maxCharsPerLine: 30 },
    );
    expect(cues.map((cue) => cue.text)).toEqual([
      'Roots pull minerals\nand water from the soil,',
      'then carbon enters',
    ]);
  });

  it('never lets the speech in one cue run past maxCueMs', () => {
    // Slow, short words: the text would fit, the time would not.
    const words: CaptionWord[] = Array.from({ length: 12 }, (_, index) => ({
      text: 'so',
      startMs: index * 1000,
      endMs: index * 1000 + 900,
    }));
    const cues = buildCaptionCues(words);
    expect(cues.length).toBeGreaterThan(1);
    for (const cue of cues) expect(cue.endMs - cue.startMs).toBeLessThanOrEqual(6000);
    expect(wordsOf(cues)).toHaveLength(12);
  });

  it('lingers up to lingerMs, clamped 1 ms before the next cue, with a minimum duration', () => {
    const far: CaptionWord[] = [
      { text: 'One.', startMs: 1000, endMs: 1500 },
      { text: 'Two.', startMs: 5000, endMs: 5100 },
    ];
    const [first, second] = buildCaptionCues(far);
    expect(first).toEqual({ startMs: 1000, endMs: 2100, text: 'One.' });
    // A 100 ms word stays up for minCueMs (linger alone would give 700 ms).
    expect(second).toEqual({ startMs: 5000, endMs: 5800, text: 'Two.' });

    // The minimum is clamped by the next cue too (one pause-break after the word).
    const close: CaptionWord[] = [
      { text: 'One.', startMs: 1000, endMs: 1100 },
      { text: 'Two.', startMs: 1800, endMs: 2300 },
    ];
    const [clampedFirst] = buildCaptionCues(close);
    expect(clampedFirst?.endMs).toBe(1799);
    // Linger clamped: a shorter pause break lets the next cue start 300 ms after the word.
    const [lingerClamped] = buildCaptionCues(
      [
        { text: 'One', startMs: 0, endMs: 1000 },
        { text: 'Two', startMs: 1300, endMs: 2300 },
      ],
      { pauseBreakMs: 300 },
    );
    expect(lingerClamped?.endMs).toBe(1299);

    const options = { lingerMs: 200, minCueMs: 0 };
    const [shortLinger] = buildCaptionCues(far, options);
    expect(shortLinger?.endMs).toBe(1700);
  });

  it('keeps cues apart even when the words touch', () => {
    // Speech engines often report each word ending exactly where the next begins.
    const words: CaptionWord[] = teachingParagraph
      .split(' ')
      .map((text, index) => ({ text, startMs: index * 300, endMs: (index + 1) * 300 }));
    const cues = buildCaptionCues(words);
    expect(cues.length).toBeGreaterThan(5);
    cues.forEach((cue, index) => {
      const next = cues[index + 1];
      if (next) expect(cue.endMs).toBe(next.startMs - 1);
      expect(cue.endMs).toBeGreaterThan(cue.startMs);
    });
  });

  it('drops bracketed audio tags, keeps bracketed words that are part of speech', () => {
    const cues = buildCaptionCues([
      { text: '[laughs]', startMs: 0, endMs: 200 },
      { text: 'Well', startMs: 250, endMs: 400 },
      { text: '[sighs],', startMs: 450, endMs: 600 },
      { text: 'here', startMs: 650, endMs: 800 },
      { text: 'we', startMs: 850, endMs: 900 },
      { text: '  ', startMs: 900, endMs: 950 },
      { text: 'go[1]', startMs: 950, endMs: 1100 },
    ]);
    expect(cues).toHaveLength(1);
    expect(cues[0]?.text).toBe('Well here we go[1]');
    expect(cues[0]?.startMs).toBe(250);
  });

  it('emits a word longer than a line on a line of its own', () => {
    const giant = 'pneumonoultramicroscopicsilicovolcanoconiosis-like'; // 50 characters
    const cues = buildCaptionCues(timedWords(`It is called ${giant} disease`));
    expect(cues.flatMap(linesOf)).toContain(giant);
    for (const cue of cues) {
      for (const line of linesOf(cue)) {
        if (line.length > 42) expect(line).toBe(giant);
      }
    }
    expect(wordsOf(cues)).toEqual(['It', 'is', 'called', giant, 'disease']);
  });

  it('captions a real 120-word teaching paragraph at 165 wpm within broadcast rules', () => {
    const words = timedWords(teachingParagraph);
    expect(words.length).toBeGreaterThanOrEqual(120);
    const cues = buildCaptionCues(words);

    expect(wordsOf(cues)).toEqual(words.map((word) => word.text));
    const totalCharacters = teachingParagraph.length;
    // At least as many cues as the text needs at full capacity; not so many that they flash.
    expect(cues.length).toBeGreaterThanOrEqual(Math.ceil(totalCharacters / 84));
    expect(cues.length).toBeLessThanOrEqual(Math.ceil(totalCharacters / 84) * 2);

    let sentenceOrClauseEnds = 0;
    cues.forEach((cue, index) => {
      const lines = linesOf(cue);
      expect(lines.length).toBeLessThanOrEqual(2);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(42);
      if (lines.length === 2) {
        const [top, bottom] = lines;
        // Balanced: never a long top line over a scrap.
        expect(Math.abs((top ?? '').length - (bottom ?? '').length)).toBeLessThanOrEqual(16);
        expect((bottom ?? '').split(' ').length).toBeGreaterThan(1);
      }
      const next = cues[index + 1];
      if (next) expect(cue.endMs).toBeLessThanOrEqual(next.startMs - 1);
      expect(cue.endMs).toBeGreaterThan(cue.startMs);
      expect(cue.endMs - cue.startMs).toBeLessThanOrEqual(6000);
      if (/[.,!?;:]$/u.test(cue.text)) sentenceOrClauseEnds += 1;
    });
    // Most cues end where the language pauses.
    expect(sentenceOrClauseEnds / cues.length).toBeGreaterThanOrEqual(0.75);
    // Each cue starts with its first word and outlasts its last.
    const firstWords = new Map(words.map((word) => [word.startMs, word]));
    for (const cue of cues) expect(firstWords.has(cue.startMs)).toBe(true);
  });

  it('answers no cues for no words', () => {
    expect(buildCaptionCues([])).toEqual([]);
    expect(buildCaptionCues([{ text: '[music]', startMs: 0, endMs: 1000 }])).toEqual([]);
  });
});

describe('formatWebVtt and parseWebVtt', () => {
  const cues: CaptionCue[] = [
    { startMs: 0, endMs: 1500, text: 'Fish & chips\n<b>not bold</b> -->' },
    { startMs: 3_723_456, endMs: 3_725_000, text: 'An hour later' },
  ];

  it('writes a valid file: header, numbered cues, escaped text, trailing newline', () => {
    expect(formatWebVtt(cues)).toBe(
      'WEBVTT\n\n' +
        '1\n00:00:00.000 --> 00:00:01.500\nFish &amp; chips\n&lt;b&gt;not bold&lt;/b&gt; --&gt;\n\n' +
        '2\n01:02:03.456 --> 01:02:05.000\nAn hour later\n',
    );
    expect(formatWebVtt([])).toBe('WEBVTT\n');
  });

  it('never writes an empty line inside a cue', () => {
    const vtt = formatWebVtt([{ startMs: 0, endMs: 1000, text: 'top\n\nbottom' }]);
    expect(vtt).toContain('top\nbottom\n');
  });

  it('reads its own output back', () => {
    const built = buildCaptionCues(timedWords(teachingParagraph));
    expect(parseWebVtt(formatWebVtt(built))).toEqual(built);
    expect(parseWebVtt(formatWebVtt(cues))).toEqual(cues);
  });

  it('subtracts an offset, drops cues that ended and clamps starts to 0', () => {
    const vtt = formatWebVtt(
      [
        { startMs: 0, endMs: 900, text: 'gone' },
        { startMs: 900, endMs: 1000, text: 'ends at the offset' },
        { startMs: 950, endMs: 2000, text: 'straddles' },
        { startMs: 2500, endMs: 3000, text: 'after' },
      ],
      { offsetMs: 1000 },
    );
    expect(vtt).toBe(
      'WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\nstraddles\n\n2\n00:00:01.500 --> 00:00:02.000\nafter\n',
    );
  });

  it('tolerates cue ids, settings, notes, CRLF, short timestamps and markup', () => {
    const text =
      '\uFEFFWEBVTT - lesson one\r\n\r\nNOTE written by hand\r\n\r\nSTYLE\r\n::cue { color: red }\r\n\r\n' +
      'intro\r\n00:01.250 --> 00:03.000 align:start position:10%\r\n<v Teacher>Hello &amp; welcome</v>\r\n' +
      '<i>everyone</i>\r\n\r\n00:00:04.000 --> 00:00:05.500\r\nBye&#33;\r\n';
    expect(parseWebVtt(text)).toEqual([
      { startMs: 1250, endMs: 3000, text: 'Hello & welcome\neveryone' },
      { startMs: 4000, endMs: 5500, text: 'Bye!' },
    ]);
  });
});

describe('captionAt', () => {
  const cues: CaptionCue[] = [
    { startMs: 1000, endMs: 2000, text: 'a' },
    { startMs: 2001, endMs: 3000, text: 'b' },
    { startMs: 5000, endMs: 6000, text: 'c' },
  ];

  it('finds the cue at its boundaries: start inclusive, end exclusive', () => {
    expect(captionAt(cues, 999)).toBeNull();
    expect(captionAt(cues, 1000)?.text).toBe('a');
    expect(captionAt(cues, 1999.5)?.text).toBe('a');
    expect(captionAt(cues, 2000)).toBeNull();
    expect(captionAt(cues, 2001)?.text).toBe('b');
    expect(captionAt(cues, 2999)?.text).toBe('b');
    expect(captionAt(cues, 3000)).toBeNull();
    expect(captionAt(cues, 4999)).toBeNull();
    expect(captionAt(cues, 5000)?.text).toBe('c');
    expect(captionAt(cues, 6000)).toBeNull();
    expect(captionAt(cues, 1e9)).toBeNull();
    expect(captionAt([], 0)).toBeNull();
  });

  it('agrees with a linear scan over a whole lesson', () => {
    const built = buildCaptionCues(timedWords(teachingParagraph));
    const lastEndMs = built[built.length - 1]?.endMs ?? 0;
    for (let timeMs = -100; timeMs <= lastEndMs + 100; timeMs += 7) {
      const expected = built.find((cue) => cue.startMs <= timeMs && timeMs < cue.endMs) ?? null;
      expect(captionAt(built, timeMs)).toBe(expected);
    }
  });
});

describe('caption text on crafted input', () => {
  it('300 KB worst cases take about 10 × what 30 KB takes, not 100 × (the patterns were quadratic)', () => {
    expectLinearTime((size) => {
      // "<" without ">" made /<[^>]*>/ rescan the rest from each one; a long punctuation run
      // before a letter did the same to /\p{P}+$/ in the weak-word check.
      withoutCueTags('<'.repeat(size));
      parseWebVtt(`WEBVTT\n\n00:00.000 --> 00:01.000\n${'<a'.repeat(size / 2)}`);
      buildCaptionCues([
        { text: `a${'!'.repeat(size)}b`, startMs: 0, endMs: 100 },
        { text: `${'('.repeat(size)}of`, startMs: 200, endMs: 300 },
      ]);
    });
  });

  it('keeps a numeric entity that is no character as written (it threw a RangeError)', () => {
    const text = 'WEBVTT\n\n00:00.000 --> 00:01.000\nA &#99999999; &#x110000; &#x41;\n';
    expect(parseWebVtt(text)).toEqual([
      { startMs: 0, endMs: 1000, text: 'A &#99999999; &#x110000; A' },
    ]);
  });
});
