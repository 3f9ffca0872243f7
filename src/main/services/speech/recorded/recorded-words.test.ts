import { describe, expect, it } from 'vitest';
import {
  alignRecordedWords,
  estimateRecordedWords,
  voicedSpan,
  wordKey,
} from './recorded-words.ts';

function expectOrdered(words: { startMs: number; endMs: number }[], durationMs: number) {
  let last = { startMs: 0, endMs: 0 };
  for (const word of words) {
    expect(word.startMs).toBeGreaterThanOrEqual(last.startMs);
    expect(word.endMs).toBeGreaterThanOrEqual(word.startMs);
    expect(word.endMs).toBeGreaterThanOrEqual(last.endMs);
    expect(word.endMs).toBeLessThanOrEqual(durationMs);
    last = word;
  }
}

describe('wordKey', () => {
  it('compares words by letters and digits only', () => {
    expect(wordKey('Don’t,')).toBe(wordKey('dont'));
    expect(wordKey('Café')).toBe(wordKey('cafe\u0301'));
    expect(wordKey('—')).toBe('');
  });
});

describe('alignRecordedWords', () => {
  const script = 'Hello, [laughs] world. This is new!';

  it('takes each script word its time from the recording, offsets into the script', () => {
    const { words, matched } = alignRecordedWords(
      script,
      [
        { text: 'hello', startMs: 100, endMs: 400 },
        { text: 'world', startMs: 500, endMs: 900 },
        { text: 'this', startMs: 1200, endMs: 1400 },
        { text: 'is', startMs: 1400, endMs: 1500 },
        { text: 'new', startMs: 1500, endMs: 1800 },
      ],
      { startMs: 100, endMs: 1800 },
      2000,
    );
    expect(matched).toBe(5);
    // Audio tags are not words; punctuation is trimmed, as synthesis reports words.
    expect(words.map((w) => script.slice(w.charStart, w.charEnd))).toEqual([
      'Hello',
      'world',
      'This',
      'is',
      'new',
    ]);
    expect(words.map((w) => [w.startMs, w.endMs])).toEqual([
      [100, 400],
      [500, 900],
      [1200, 1400],
      [1400, 1500],
      [1500, 1800],
    ]);
  });

  it('puts script words the recording spells otherwise between their matched neighbours', () => {
    const { words, matched } = alignRecordedWords(
      'In 1990 we began.',
      [
        { text: 'In', startMs: 0, endMs: 200 },
        { text: 'nineteen', startMs: 200, endMs: 600 },
        { text: 'ninety', startMs: 600, endMs: 1000 },
        { text: 'we', startMs: 1000, endMs: 1200 },
        { text: 'began', startMs: 1200, endMs: 1600 },
      ],
      { startMs: 0, endMs: 1600 },
      1700,
    );
    expect(matched).toBe(3);
    const year = words[1];
    expect(year?.text).toBe('1990');
    expect(year?.startMs).toBe(200);
    expect(year?.endMs).toBeLessThanOrEqual(1000);
    expectOrdered(words, 1700);
  });

  it('estimates when no recorded word is in the script, and keeps bad times in order', () => {
    const estimated = alignRecordedWords(
      script,
      [{ text: 'xyz', startMs: 0, endMs: 5 }],
      { startMs: 0, endMs: 1000 },
      1000,
    );
    expect(estimated.matched).toBe(0);
    expect(estimated.words).toEqual(
      estimateRecordedWords(script, { startMs: 0, endMs: 1000 }, 1000),
    );
    const disordered = alignRecordedWords(
      'one two three',
      [
        { text: 'one', startMs: 900, endMs: 950 },
        { text: 'two', startMs: 100, endMs: 200 },
        { text: 'three', startMs: 3000, endMs: 4000 },
      ],
      { startMs: 0, endMs: 1000 },
      1000,
    );
    expectOrdered(disordered.words, 1000);
  });
});

describe('estimateRecordedWords', () => {
  it('spreads the script over the voiced part by length, pausing after a sentence', () => {
    const words = estimateRecordedWords(
      'Short. Considerably longer words',
      { startMs: 500, endMs: 4500 },
      5000,
    );
    expect(words.map((w) => w.text)).toEqual(['Short', 'Considerably', 'longer', 'words']);
    expect(words[0]?.startMs).toBe(500);
    expect(words.at(-1)?.endMs).toBeCloseTo(4500, 6);
    // "Considerably" takes about twice as long as "Short"; a pause follows the full stop.
    const span = (i: number) => (words[i]?.endMs ?? 0) - (words[i]?.startMs ?? 0);
    expect(span(1) / span(0)).toBeCloseTo(13 / 6, 6);
    expect((words[1]?.startMs ?? 0) - (words[0]?.endMs ?? 0)).toBeGreaterThan(0);
    expectOrdered(words, 5000);
  });

  it('gives nothing for a script with no words', () => {
    expect(estimateRecordedWords(' — [sighs] ', { startMs: 0, endMs: 100 }, 100)).toEqual([]);
  });
});

describe('voicedSpan', () => {
  it('finds the voice between silences, and the whole recording when all is quiet', () => {
    const pcm = new Int16Array(16_000);
    for (let n = 4000; n < 12_000; n += 1) pcm[n] = Math.round(8000 * Math.sin(n / 5));
    expect(voicedSpan(pcm, 16_000)).toEqual({ startMs: 250, endMs: 750 });
    expect(voicedSpan(new Int16Array(1600), 16_000)).toEqual({ startMs: 0, endMs: 100 });
  });
});
