import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { expectPlainData, fuzz } from '../../../testing/fuzz.ts';
import { encodeWavPcm16, readWav, readWavLayout } from './wav-reader.ts';

/** Real files, then damaged at any byte, cut short anywhere, or given junk chunks. */
const wavBytes = fc
  .tuple(
    fc.int16Array({ maxLength: 256 }),
    fc.constantFrom(8000, 16_000, 22_050, 44_100, 48_000, 44_101),
    fc.constantFrom<1 | 2>(1, 2),
    fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 6 }),
    fc.nat(),
    fc.boolean(),
  )
  .map(([samples, rate, channels, damage, cut, shorten]) => {
    const even =
      channels === 2 ? samples.subarray(0, samples.length - (samples.length % 2)) : samples;
    const bytes = encodeWavPcm16(even, rate, channels);
    for (const [at, value] of damage) bytes[at % bytes.length] = value;
    return shorten ? bytes.subarray(0, cut % (bytes.length + 1)) : bytes;
  });

const anyBytes = fc.oneof(
  wavBytes,
  fc.uint8Array({ maxLength: 512 }),
  // A RIFF/WAVE header followed by anything: the chunk walk itself.
  fc
    .uint8Array({ maxLength: 512 })
    .map(
      (tail) =>
        new Uint8Array([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x41, 0x56, 0x45, ...tail]),
    ),
);

describe('readWav (properties)', () => {
  fuzz(
    'wav reader: any bytes give samples or a refusal naming the file, never a throw',
    anyBytes,
    (bytes) => {
      const read = readWav(bytes, 'rec.wav');
      if (!read.ok) {
        expect(read.error.code).toBe('invalid-request');
        expect(read.error.message.startsWith('rec.wav: ')).toBe(true);
        return;
      }
      const { mono, frames, dataOffset, dataBytes, format, durationMs } = read.value;
      expectPlainData(read.value);
      // Never past the end, whole frames only, every sample a finite number.
      expect(dataOffset + dataBytes).toBeLessThanOrEqual(bytes.length);
      expect(dataBytes).toBe(frames * format.blockAlign);
      expect(mono.length).toBe(frames);
      expect(durationMs).toBeCloseTo((frames / format.sampleRateHz) * 1000, 6);
      for (const value of mono) expect(Number.isFinite(value)).toBe(true);
    },
  );

  fuzz(
    'wav reader: 16-bit files it wrote read back sample for sample',
    fc.tuple(fc.int16Array({ maxLength: 512 }), fc.integer({ min: 1000, max: 384_000 })),
    ([samples, rate]) => {
      const read = readWav(encodeWavPcm16(samples, rate), 'rec.wav');
      if (!read.ok) throw new Error(read.error.message);
      expect([...read.value.mono]).toEqual([...samples]);
      // The header alone gives the same layout.
      const layout = readWavLayout(
        encodeWavPcm16(samples, rate).subarray(0, 44),
        44 + samples.length * 2,
        'rec.wav',
      );
      if (!layout.ok) throw new Error(layout.error.message);
      expect(layout.value.frames).toBe(samples.length);
    },
  );
});
