import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { awkwardText, fuzz } from '../../../testing/fuzz.ts';
import { formatWebVtt, parseWebVtt, withoutCueTags, type CaptionCue } from './caption-cues.ts';

const markup = fc.string({
  unit: fc.constantFrom('<', '>', '/', 'v', 'i', ' ', 'a', '&', ';', '#', 'x', '1', '\n'),
  maxLength: 20,
});

const cue: fc.Arbitrary<CaptionCue> = fc
  .tuple(fc.nat(1e9), fc.nat(1e7), fc.oneof(awkwardText(30), markup))
  .map(([startMs, lengthMs, text]) => ({ startMs, endMs: startMs + lengthMs + 1, text }));

/** WebVTT-like text: timing lines (good and bad), cue text with markup and entities, junk. */
const vttText = fc
  .array(
    fc.oneof(
      fc
        .tuple(
          fc.nat(99),
          fc.nat(59),
          fc.nat(999),
          fc.constantFrom(' --> ', '-->', ' --> ', '\t-->\t'),
        )
        .map(
          ([m, s, ms, arrow]) =>
            `${m}:${String(s).padStart(2, '0')}.${String(ms).padStart(3, '0')}${arrow}${m + 1}:00.000 align:start`,
        ),
      fc.constantFrom(
        'WEBVTT',
        '',
        'NOTE x',
        '&#x110000;',
        '&#99999999;',
        '&#x41;&amp;&bogus;',
        '<v Sam>hi</v>',
        '<',
      ),
      awkwardText(20),
      markup,
    ),
    { maxLength: 12 },
  )
  .map((lines) => lines.join('\n'));

/** What the writer keeps of a cue's text: lines trimmed, empty lines dropped. */
function written(text: string): string {
  return text
    .split(/\r\n|\r|\n/u)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
}

describe('WebVTT (properties)', () => {
  fuzz('WebVTT: any text parses to cues with sane times, never a throw', vttText, (text) => {
    for (const parsed of parseWebVtt(text)) {
      expect(Number.isFinite(parsed.startMs) && parsed.startMs >= 0).toBe(true);
      expect(Number.isFinite(parsed.endMs) && parsed.endMs >= 0).toBe(true);
      expect(typeof parsed.text).toBe('string');
    }
  });

  fuzz('WebVTT: format then parse gives the cues back', fc.array(cue, { maxLength: 5 }), (cues) => {
    const expected = cues
      .map((c) => ({ ...c, text: written(c.text) }))
      .filter((c) => c.text !== '');
    expect(parseWebVtt(formatWebVtt(cues))).toEqual(expected);
  });

  fuzz('WebVTT: tags are removed as /<[^>]*>/gu removed them', markup, (text) => {
    expect(withoutCueTags(text)).toBe(text.replace(/<[^>]*>/gu, ''));
  });
});
