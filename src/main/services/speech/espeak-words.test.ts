import { describe, expect, test } from 'vitest';
import { expectLinearTime } from '../../../../testing/linear-time.ts';
import {
  assembleWordTimings,
  createSilenceProbe,
  prepareEspeakInput,
  sourceOffsetOf,
  spokenTokens,
} from './espeak-words.ts';
import type { SilenceProbe } from './espeak-words.ts';

/** espeak-ng's 1-based code point position of the n-th occurrence of `word` in its input. */
function espeakPosition(espeakText: string, word: string): number {
  const utf16Index = espeakText.indexOf(word);
  expect(utf16Index).toBeGreaterThanOrEqual(0);
  return Array.from(espeakText.slice(0, utf16Index)).length + 1;
}

const noSilence: SilenceProbe = { trailingSilenceStartMs: (_fromMs, toMs) => toMs };

describe('prepareEspeakInput', () => {
  test('maps code point positions back to UTF-16 offsets (non-ASCII, astral)', () => {
    const text = '😀 Café über naïve 日本';
    const input = prepareEspeakInput(text);
    expect(input.text).toBe(text);
    for (const word of ['Café', 'über', 'naïve', '日本']) {
      expect(sourceOffsetOf(input, espeakPosition(input.text, word))).toBe(text.indexOf(word));
    }
    // The emoji is one code point but two UTF-16 units: "Café" is code point 3, offset 3.
    expect(espeakPosition(input.text, 'Café')).toBe(3);
    expect(text.indexOf('Café')).toBe(3);
  });

  test('escapes markup so it is read, not parsed, and keeps offsets', () => {
    const text = 'Fish & chips <b> [[x]] end';
    const input = prepareEspeakInput(text);
    expect(input.text).toBe('Fish &amp; chips &lt;b&gt; [ [x]] end');
    expect(sourceOffsetOf(input, espeakPosition(input.text, 'chips'))).toBe(text.indexOf('chips'));
    expect(sourceOffsetOf(input, espeakPosition(input.text, 'end'))).toBe(text.indexOf('end'));
    // espeak reports an entity at its last character; it maps to the original "&".
    expect(sourceOffsetOf(input, espeakPosition(input.text, 'amp;') + 3)).toBe(5);
  });

  test('neutralises control characters and lone surrogates without shifting offsets', () => {
    const text = 'a\u0000b\uD800c';
    const input = prepareEspeakInput(text);
    expect(input.text).toBe('a b\uFFFDc');
    expect(sourceOffsetOf(input, 5)).toBe(4);
    expect(sourceOffsetOf(input, 99)).toBe(text.length);
    expect(sourceOffsetOf(input, 0)).toBe(0);
  });
});

describe('spokenTokens', () => {
  test('splits on whitespace and trims edge punctuation, in UTF-16 offsets', () => {
    const text = '“Café,” über—naïve... & 😀x.';
    const tokens = spokenTokens(text);
    expect(tokens.map((token) => token.text)).toEqual(['Café', 'über—naïve', '&', '😀x']);
    for (const token of tokens) {
      expect(text.slice(token.charStart, token.charEnd)).toBe(token.text);
    }
  });
});

describe('assembleWordTimings', () => {
  const text = 'Hello world. It costs $1,234.56 — fine.';

  test('one word per spoken token, first event wins, unspoken tokens are left out', () => {
    const offset = (word: string) => text.indexOf(word);
    const words = assembleWordTimings({
      text,
      durationMs: 4000,
      silence: noSilence,
      marks: [
        { sourceOffset: offset('Hello'), audioMs: 0 },
        { sourceOffset: offset('world'), audioMs: 300 },
        { sourceOffset: offset('It'), audioMs: 1000 },
        { sourceOffset: offset('costs'), audioMs: 1150 },
        // Numbers come as several events pointing into the same token.
        { sourceOffset: offset('$1'), audioMs: 1500 },
        { sourceOffset: offset('234'), audioMs: 1900 },
        { sourceOffset: offset('234') + 1, audioMs: 2300 },
        { sourceOffset: offset('fine'), audioMs: 3400 },
      ],
    });
    expect(words.map((word) => word.text)).toEqual([
      'Hello',
      'world',
      'It',
      'costs',
      '$1,234.56',
      'fine',
    ]);
    expect(words.map((word) => word.startMs)).toEqual([0, 300, 1000, 1150, 1500, 3400]);
    expect(words.map((word) => word.endMs)).toEqual([300, 1000, 1150, 1500, 3400, 4000]);
  });

  test('ends a word at a pause of 50 ms or more, not at shorter ones', () => {
    const pcm = new Int16Array(16_000);
    const speak = (fromMs: number, toMs: number) => pcm.fill(8000, fromMs * 16, toMs * 16);
    speak(0, 400); // "Hello", then a 100 ms pause
    speak(500, 780); // "world", then 20 ms of closure before the next word
    speak(800, 1000);
    const words = assembleWordTimings({
      text: 'Hello world again',
      durationMs: 1000,
      silence: createSilenceProbe(pcm, 16_000),
      marks: [
        { sourceOffset: 0, audioMs: 0 },
        { sourceOffset: 6, audioMs: 500 },
        { sourceOffset: 12, audioMs: 800 },
      ],
    });
    expect(words.map((word) => [word.startMs, word.endMs])).toEqual([
      [0, 400],
      [500, 800],
      [800, 1000],
    ]);
  });

  test('times never run backwards and stay inside the audio', () => {
    const words = assembleWordTimings({
      text: 'one two three',
      durationMs: 900,
      silence: noSilence,
      marks: [
        { sourceOffset: 0, audioMs: 100 },
        { sourceOffset: 4, audioMs: 50 },
        { sourceOffset: 8, audioMs: 5000 },
      ],
    });
    expect(words.map((word) => [word.startMs, word.endMs])).toEqual([
      [100, 100],
      [100, 900],
      [900, 900],
    ]);
  });

  test('no tokens or no events: no words', () => {
    expect(
      assembleWordTimings({ text: '   ', durationMs: 0, silence: noSilence, marks: [] }),
    ).toEqual([]);
    expect(
      assembleWordTimings({ text: 'silent', durationMs: 100, silence: noSilence, marks: [] }),
    ).toEqual([]);
  });
});

describe('spoken tokens of crafted text', () => {
  test('300 KB worst cases take about 10 × what 30 KB takes, not 100 × (the pattern was quadratic)', () => {
    expectLinearTime((size) => {
      spokenTokens(`a${'!'.repeat(size)}b`);
      spokenTokens(`${'('.repeat(size)}word${')'.repeat(size)}`);
    });
  });
});
