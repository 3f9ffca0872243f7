import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { awkwardText, fuzz } from '../../../../testing/fuzz.ts';
import { spokenTokens, type SpokenToken } from './espeak-words.ts';

/** The tokens as the replaced patterns found them: the specification on short inputs. */
function patternTokens(text: string): SpokenToken[] {
  const tokens: SpokenToken[] = [];
  for (const match of text.matchAll(/\S+/gu)) {
    const raw = match[0];
    const lead = /^\p{P}+/u.exec(raw)?.[0].length ?? 0;
    const trail = /\p{P}+$/u.exec(raw)?.[0].length ?? 0;
    const trimmed = lead + trail < raw.length;
    const charStart = trimmed ? match.index + lead : match.index;
    const charEnd = trimmed ? match.index + raw.length - trail : match.index + raw.length;
    tokens.push({ text: text.slice(charStart, charEnd), charStart, charEnd });
  }
  return tokens;
}

const text = fc.oneof(
  awkwardText(24),
  fc.string({
    unit: fc.constantFrom(
      'a',
      'é',
      '1',
      ' ',
      '\n',
      '.',
      ',',
      '!',
      '"',
      '«',
      '»',
      '(',
      ')',
      '\u{10100}',
      '😀',
      '\uD83D',
    ),
    maxLength: 24,
  }),
);

describe('spoken tokens (properties)', () => {
  fuzz(
    'spoken tokens: edge punctuation trimmed as /^\\p{P}+/ and /\\p{P}+$/ did',
    text,
    (input) => {
      expect(spokenTokens(input)).toEqual(patternTokens(input));
    },
  );
});
