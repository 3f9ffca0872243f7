import { describe, expect, test } from 'vitest';
import { concatInt16 } from '../../src/shared/pcm-samples.ts';
import { LinearResampler, PcmAssembler, int16ToBytes, rmsDbfs } from './pcm.ts';

describe('PcmAssembler', () => {
  test('carries an odd trailing byte into the next message', () => {
    const assembler = new PcmAssembler();
    expect(Array.from(assembler.push(Uint8Array.of(0x01, 0x02, 0x03)))).toEqual([0x0201]);
    expect(Array.from(assembler.push(Uint8Array.of(0xff)))).toEqual([-253]); // 0xff03
    expect(Array.from(assembler.push(Uint8Array.of(0x05)))).toEqual([]);
    expect(Array.from(assembler.push(Uint8Array.of(0x80, 0x00)))).toEqual([-32763]); // 0x8005, 0x00 waits
    expect(Array.from(assembler.push(Uint8Array.of(0x07)))).toEqual([0x0700]);
  });

  test('any split of a byte stream gives the same samples', () => {
    const samples = Int16Array.from({ length: 301 }, (_, index) => ((index * 977) % 65536) - 32768);
    const bytes = int16ToBytes(samples);
    for (const chunkBytes of [1, 3, 7, 64, 601]) {
      const assembler = new PcmAssembler();
      const parts: Int16Array[] = [];
      for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
        parts.push(assembler.push(bytes.subarray(offset, offset + chunkBytes)));
      }
      expect(Array.from(concatInt16(parts))).toEqual(Array.from(samples));
    }
  });
});

describe('LinearResampler', () => {
  function tone(length: number, rateHz: number, frequencyHz: number): Int16Array {
    return Int16Array.from({ length }, (_, index) =>
      Math.round(10000 * Math.sin((2 * Math.PI * frequencyHz * index) / rateHz)),
    );
  }

  test('44.1 kHz to 16 kHz in uneven chunks equals one pass, and follows the signal', () => {
    const input = tone(44100, 44100, 440);
    const whole = new LinearResampler(44100, 16000);
    const oneShot = concatInt16([whole.push(input), whole.flush()]);
    const chunked = new LinearResampler(44100, 16000);
    const parts: Int16Array[] = [];
    for (let offset = 0; offset < input.length; offset += 997) {
      parts.push(chunked.push(input.subarray(offset, offset + 997)));
    }
    parts.push(chunked.flush());
    const streamed = concatInt16(parts);
    expect(streamed.length).toBe(16000);
    expect(Array.from(streamed)).toEqual(Array.from(oneShot));
    const expected = tone(16000, 16000, 440);
    const worst = streamed.reduce(
      (max, value, index) => Math.max(max, Math.abs(value - expected[index]!)),
      0,
    );
    expect(worst).toBeLessThan(100);
  });

  test('upsampling 8 kHz doubles the length and interpolates midpoints', () => {
    const resampler = new LinearResampler(8000, 16000);
    const output = concatInt16([resampler.push(Int16Array.of(0, 100, 200)), resampler.flush()]);
    expect(Array.from(output)).toEqual([0, 50, 100, 150, 200, 200]);
  });

  test('the same rate passes samples through', () => {
    const resampler = new LinearResampler(16000, 16000);
    expect(Array.from(resampler.push(Int16Array.of(1, 2, 3)))).toEqual([1, 2, 3]);
    expect(resampler.flush()).toHaveLength(0);
  });
});

describe('rmsDbfs', () => {
  test('full scale is 0 dB, silence is -Infinity, 1 % of full scale is -40 dB', () => {
    expect(rmsDbfs(new Int16Array(640).fill(-32768))).toBeCloseTo(0, 6);
    expect(rmsDbfs(new Int16Array(640))).toBe(-Infinity);
    expect(rmsDbfs(new Int16Array(640).fill(328))).toBeCloseTo(-40, 1);
  });
});
