import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { awkwardText, expectPlainData, fuzz } from '../../../../testing/fuzz.ts';
import { decodeEntry, encodeEntry } from './speech-cache.ts';
import { speechSampleRateHz, type SynthesizedSpeech } from './speech-types.ts';

const speech: fc.Arbitrary<SynthesizedSpeech> = fc.record({
  pcm: fc.int16Array({ maxLength: 64 }),
  sampleRateHz: fc.constant(speechSampleRateHz),
  durationMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
  providerId: awkwardText(16),
  words: fc.array(
    fc.record({
      text: awkwardText(8),
      startMs: fc.double({ noNaN: true, noDefaultInfinity: true }),
      endMs: fc.double({ noNaN: true, noDefaultInfinity: true }),
      charStart: fc.integer(),
      charEnd: fc.integer(),
    }),
    { maxLength: 4 },
  ),
});

/** A cache file as another process (or a full disk) may leave it: damaged at any byte. */
const damaged = fc
  .tuple(speech, fc.nat(), fc.nat(255), fc.nat(), fc.boolean())
  .map(([entry, at, byte, cut, keep]) => {
    const bytes = Buffer.from(encodeEntry('k', entry));
    if (!keep) bytes[at % bytes.length] = byte;
    return bytes.subarray(0, bytes.length - (cut % 3 === 0 ? cut % (bytes.length + 1) : 0));
  });

describe('speech cache entries (properties)', () => {
  fuzz('speech cache: an entry written reads back the same', speech, (entry) => {
    const decoded = decodeEntry('k', encodeEntry('k', entry));
    if (!decoded.ok) throw new Error(decoded.problem);
    // -0 written as JSON reads back as 0; compare through JSON like the file does.
    expect(JSON.parse(JSON.stringify(decoded.speech.words))).toEqual(
      JSON.parse(JSON.stringify(entry.words)),
    );
    expect(Array.from(decoded.speech.pcm)).toEqual(Array.from(entry.pcm));
    expect(decoded.speech.providerId).toBe(entry.providerId);
  });

  fuzz(
    'speech cache: a damaged file is a problem sentence, never a throw or wrong PCM',
    fc.oneof(
      damaged,
      fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b)),
    ),
    (bytes) => {
      const decoded = decodeEntry('k', bytes);
      expectPlainData(decoded);
      if (!decoded.ok) {
        expect(decoded.problem.length).toBeGreaterThan(0);
        return;
      }
      expect(decoded.speech.pcm).toBeInstanceOf(Int16Array);
      expect(decoded.speech.sampleRateHz).toBe(speechSampleRateHz);
    },
  );
});
