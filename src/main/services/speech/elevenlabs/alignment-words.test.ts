import { describe, expect, test } from 'vitest';
import { mergeAlignment, wordsFromAlignment, type CharacterAlignment } from './alignment-words.ts';

/** An alignment of `text` at a steady `charSec` per character from `fromSec`. */
function steady(text: string, fromSec: number, charSec: number): CharacterAlignment {
  const characters = Array.from({ length: text.length }, (_, i) => text.charAt(i));
  return {
    characters,
    startTimesSec: characters.map((_, i) => fromSec + i * charSec),
    endTimesSec: characters.map((_, i) => fromSec + (i + 1) * charSec),
  };
}

describe('mergeAlignment', () => {
  const text = 'Hello there, class. [laughs] Ready?';
  const whole = steady(text, 0.1, 0.05);
  const cut = (from: number, to: number, relativeToSec: number | null): CharacterAlignment => ({
    characters: whole.characters.slice(from, to),
    startTimesSec: whole.startTimesSec
      .slice(from, to)
      .map((t) => (relativeToSec === null ? t : t - relativeToSec)),
    endTimesSec: whole.endTimesSec
      .slice(from, to)
      .map((t) => (relativeToSec === null ? t : t - relativeToSec)),
  });

  test('cumulative chunks (the HTTP stream) are concatenated as they are', () => {
    const merged = mergeAlignment([
      { alignment: cut(0, 12, null), audioStartSec: 0 },
      { alignment: null, audioStartSec: 0.5 },
      { alignment: cut(12, text.length, null), audioStartSec: 0.7 },
    ]);
    expect(merged).toEqual(whole);
  });

  test('per-chunk times are shifted by the audio before the chunk', () => {
    const merged = mergeAlignment([
      { alignment: cut(0, 12, null), audioStartSec: 0 },
      { alignment: cut(12, 20, 0.7), audioStartSec: 0.7 },
      { alignment: cut(20, text.length, 1.1), audioStartSec: 1.1 },
    ]);
    expect(merged.characters.join('')).toBe(text);
    merged.startTimesSec.forEach((t, i) => expect(t).toBeCloseTo(whole.startTimesSec[i] ?? -1, 6));
  });
});

describe('wordsFromAlignment', () => {
  test('words carry narration offsets and drop punctuation and tags', () => {
    const sent = 'Hello there, class. [laughs] Ready?';
    const { words, aligned } = wordsFromAlignment(steady(sent, 0, 0.05), sent, 100, 2000);
    expect(aligned).toBe(true);
    expect(words.map((w) => w.text)).toEqual(['Hello', 'there', 'class', 'Ready']);
    const there = words[1];
    expect(there?.charStart).toBe(100 + sent.indexOf('there'));
    expect(there?.charEnd).toBe(100 + sent.indexOf('there') + 5);
    expect(there?.startMs).toBeCloseTo(sent.indexOf('there') * 50, 6);
    expect(there?.endMs).toBeCloseTo((sent.indexOf('there') + 5) * 50, 6);
  });

  test('times stay inside the audio and never go backwards', () => {
    const sent = 'One two three';
    const alignment = steady(sent, 0, 0.2);
    alignment.startTimesSec[4] = 0.1; // "two" claims to start before "One" ends
    const { words } = wordsFromAlignment(alignment, sent, 0, 1500);
    for (let i = 1; i < words.length; i += 1) {
      expect(words[i]!.startMs).toBeGreaterThanOrEqual(words[i - 1]!.endMs);
    }
    for (const word of words) expect(word.endMs).toBeLessThanOrEqual(1500);
  });

  test('an alignment that does not spell the text falls back to proportional timing', () => {
    const sent = 'It costs 5 dollars.';
    const normalised = steady('It costs five dollars.', 0, 0.05);
    const { words, aligned } = wordsFromAlignment(normalised, sent, 0, 1900);
    expect(aligned).toBe(false);
    expect(words.map((w) => w.text)).toEqual(['It', 'costs', '5', 'dollars']);
    expect(words.at(-1)!.endMs).toBeCloseTo((18 / 19) * 1900, 6);
  });
});

describe('character times that are no times', () => {
  // Found by elevenlabs-answers.fuzz.test.ts: NaN and Infinity reached the word times.
  test('Infinity, NaN and non-numbers count as missing; word times stay finite', () => {
    const merged = mergeAlignment([
      {
        alignment: {
          characters: ['h', 'i'],
          startTimesSec: [Number.POSITIVE_INFINITY, Number.NaN],
          endTimesSec: ['x' as unknown as number, 0.2],
        },
        audioStartSec: 0,
      },
    ]);
    expect(merged.startTimesSec).toEqual([0, 0]);
    expect(merged.endTimesSec).toEqual([0, 0.2]);
    const { words } = wordsFromAlignment(merged, 'hi', 0, 300);
    expect(words).toEqual([{ text: 'hi', startMs: 0, endMs: 200, charStart: 0, charEnd: 2 }]);
  });
});
