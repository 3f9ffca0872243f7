import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { awkwardText, expectPlainData, fuzz, jsonValue } from '../../../../../testing/fuzz.ts';
import { rapidoErrorSchema } from '../../../../shared/result.ts';
import { mergeAlignment, wordsFromAlignment, type AlignedChunk } from './alignment-words.ts';
import { failureFromStatus, parseRetryAfterMs, readErrorBody } from './elevenlabs-errors.ts';

/** Error bodies in the service's shapes (and not): detail as text, object or list, or junk. */
const errorBody = fc
  .oneof(
    jsonValue(3),
    fc.record({
      detail: fc.oneof(
        awkwardText(20),
        fc.record(
          {
            status: fc.oneof(awkwardText(12), jsonValue(0)),
            message: fc.oneof(awkwardText(20), jsonValue(0)),
          },
          { requiredKeys: [] },
        ),
        fc.array(
          fc.record(
            {
              msg: fc.oneof(awkwardText(12), jsonValue(0)),
              loc: fc.oneof(fc.array(jsonValue(1)), jsonValue(0)),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
        jsonValue(2),
      ),
    }),
  )
  .chain((body) => fc.constantFrom(body, JSON.stringify(body)));

const retryAfter = fc.oneof(
  fc.constant(null),
  awkwardText(12),
  fc.constantFrom(
    '0',
    '1.5',
    '120',
    '9'.repeat(400),
    '1e3',
    '-1',
    'Wed, 21 Oct 2015 07:28:00 GMT',
    'Fri, 31 Dec 275760 00:00:00 GMT',
  ),
  fc.nat().map(String),
);

const seconds = fc.oneof(
  fc.double({ min: -10, max: 1e4 }),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, 0),
);

const chunk: fc.Arbitrary<AlignedChunk> = fc.record({
  alignment: fc.option(
    fc.record({
      characters: fc.array(fc.string({ maxLength: 2 }), { maxLength: 12 }),
      startTimesSec: fc.array(seconds, { maxLength: 12 }),
      endTimesSec: fc.array(seconds, { maxLength: 12 }),
    }),
  ),
  audioStartSec: fc.double({ min: 0, max: 1e4, noNaN: true }),
});

describe('ElevenLabs answers (properties)', () => {
  fuzz(
    'ElevenLabs errors: any body and retry-after give a classified failure, never a throw',
    fc.tuple(fc.integer({ min: 100, max: 599 }), errorBody, retryAfter),
    ([status, body, after]) => {
      const read = readErrorBody(body);
      expect(read.status === null || typeof read.status === 'string').toBe(true);
      expect(read.message === null || typeof read.message === 'string').toBe(true);
      const failure = failureFromStatus(status, body, after, {
        baseUrl: 'https://api.elevenlabs.io',
        voiceId: 'v',
      });
      expectPlainData(failure);
      expect(rapidoErrorSchema.safeParse(failure.error).success).toBe(true);
      // A wait the client can sleep: finite and not negative.
      const wait = parseRetryAfterMs(after, 0);
      if (wait !== null) expect(Number.isFinite(wait) && wait >= 0, String(wait)).toBe(true);
    },
  );

  fuzz(
    'ElevenLabs alignment: any character timings give ordered word times inside the text',
    fc.tuple(
      fc.array(chunk, { maxLength: 4 }),
      awkwardText(30),
      fc.nat(1000),
      fc.nat(60_000),
      fc.boolean(),
    ),
    ([chunks, text, offset, durationMs, spelled]) => {
      // Half the time the first chunk spells the text, so the server's own times are used.
      const [first, ...rest] = chunks;
      const merged = mergeAlignment(
        spelled && first?.alignment
          ? [{ ...first, alignment: { ...first.alignment, characters: text.split('') } }, ...rest]
          : chunks,
      );
      const { words } = wordsFromAlignment(merged, text, offset, durationMs);
      for (const word of words) {
        expect(word.charStart).toBeGreaterThanOrEqual(offset);
        expect(word.charEnd).toBeLessThanOrEqual(offset + text.length);
        expect(word.charStart).toBeLessThan(word.charEnd);
        // Times a player can use: finite, ordered, within the sentence's audio.
        expect(Number.isFinite(word.startMs) && Number.isFinite(word.endMs)).toBe(true);
        expect(word.endMs).toBeGreaterThanOrEqual(word.startMs);
      }
    },
  );
});
