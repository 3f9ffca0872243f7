import { describe, expect, it } from 'vitest';
import { encodeWav16, narrationChannels } from './wav.ts';

describe('encodeWav16', () => {
  it('writes a RIFF/WAVE PCM header and interleaved, clamped 16-bit samples', () => {
    const left = Float32Array.from([0, 1, -1, 2]);
    const right = Float32Array.from([0.5, -0.5, 0, -2]);
    const wav = encodeWav16([left, right], 22_050);
    const view = new DataView(wav.buffer);
    const text = (at: number) => String.fromCharCode(...wav.subarray(at, at + 4));
    expect([text(0), text(8), text(12), text(36)]).toEqual(['RIFF', 'WAVE', 'fmt ', 'data']);
    expect(view.getUint32(4, true)).toBe(wav.length - 8);
    expect(view.getUint16(20, true)).toBe(1);
    expect(view.getUint16(22, true)).toBe(2);
    expect(view.getUint32(24, true)).toBe(22_050);
    expect(view.getUint32(28, true)).toBe(22_050 * 4);
    expect(view.getUint16(32, true)).toBe(4);
    expect(view.getUint16(34, true)).toBe(16);
    expect(view.getUint32(40, true)).toBe(16);
    const samples = Array.from({ length: 8 }, (_, i) => view.getInt16(44 + 2 * i, true));
    expect(samples).toEqual([0, 16_384, 32_767, -16_384, -32_768, 0, 32_767, -32_768]);
  });

  it('refuses channels of different lengths and bad rates', () => {
    expect(() => encodeWav16([new Float32Array(2), new Float32Array(3)], 8000)).toThrow(/length/);
    expect(() => encodeWav16([new Float32Array(2)], 0)).toThrow(/rate/);
    expect(() => encodeWav16([], 8000)).toThrow(/channels/);
  });
});

describe('narrationChannels', () => {
  it('keeps mono and stereo, mixes more down to two', () => {
    const a = Float32Array.from([1]);
    expect(narrationChannels([a])).toEqual([a]);
    const mixed = narrationChannels([
      Float32Array.from([1]),
      Float32Array.from([0.5]),
      Float32Array.from([0]),
      Float32Array.from([0.5]),
    ]);
    expect(mixed.map((c) => Array.from(c))).toEqual([[0.5], [0.5]]);
  });
});
