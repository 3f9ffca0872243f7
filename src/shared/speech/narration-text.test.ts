import { describe, expect, test } from 'vitest';
import {
  blankAudioTags,
  isAudioTag,
  modelSupportsAudioTags,
  splitSentences,
  stripAudioTags,
} from './narration-text.ts';

describe('audio tags', () => {
  test('blanking keeps every other character at its index', () => {
    const text = 'Well [laughs] that was close. [sighs] Again!';
    const blanked = blankAudioTags(text);
    expect(blanked).toHaveLength(text.length);
    expect(blanked).not.toContain('[');
    expect(blanked.indexOf('that')).toBe(text.indexOf('that'));
    expect(blanked.indexOf('Again')).toBe(text.indexOf('Again'));
  });

  test('stripping tidies spacing and punctuation for captions', () => {
    expect(stripAudioTags('Well [laughs] that was close [sighs]. Again!')).toBe(
      'Well that was close. Again!',
    );
  });

  test('citations and numbers in brackets are text, not tags', () => {
    expect(blankAudioTags('See [1] and [2020]')).toBe('See [1] and [2020]');
    expect(isAudioTag('[laughs]')).toBe(true);
    expect(isAudioTag(' [whispers softly] ')).toBe(true);
    expect(isAudioTag('[laughs] ok')).toBe(false);
  });

  test('only v3 models perform tags', () => {
    expect(modelSupportsAudioTags('eleven_v3')).toBe(true);
    expect(modelSupportsAudioTags('eleven_flash_v2_5')).toBe(false);
    expect(modelSupportsAudioTags('eleven_multilingual_v2')).toBe(false);
  });
});

describe('splitSentences', () => {
  test('offsets point into the original text', () => {
    const text = '  Photosynthesis makes sugar. Plants need light!  Do they need water? Yes.';
    const spans = splitSentences(text);
    expect(spans.map((s) => s.text)).toEqual([
      'Photosynthesis makes sugar.',
      'Plants need light!',
      'Do they need water?',
      'Yes.',
    ]);
    for (const span of spans) expect(text.slice(span.start, span.end)).toBe(span.text);
  });

  test('abbreviations and decimals do not end a sentence', () => {
    const spans = splitSentences('Water boils at 99.9 degrees here. Then it stops.');
    expect(spans).toHaveLength(2);
  });

  test('tag-only pieces are dropped unless the model performs them', () => {
    expect(splitSentences('[laughs] Hello there.').map((s) => s.text)).toEqual([
      '[laughs] Hello there.',
    ]);
    expect(splitSentences('[laughs]  [sighs]')).toEqual([]);
    expect(splitSentences('[laughs]', { keepTagOnly: true }).map((s) => s.text)).toEqual([
      '[laughs]',
    ]);
    expect(splitSentences('   ')).toEqual([]);
  });

  test('a run-on sentence is cut at clause or word boundaries within the limit', () => {
    const words = Array.from({ length: 300 }, (_, i) => `word${i}`);
    const text = words.slice(0, 150).join(' ') + ', ' + words.slice(150).join(' ');
    const spans = splitSentences(text, { maxChars: 500 });
    expect(spans.length).toBeGreaterThan(3);
    for (const span of spans) {
      expect(span.text.length).toBeLessThanOrEqual(500);
      expect(text.slice(span.start, span.end)).toBe(span.text);
      expect(span.text.startsWith(' ')).toBe(false);
    }
    expect(spans.map((s) => s.text).join(' ')).toBe(text.replace(', ', ', '));
  });
});
