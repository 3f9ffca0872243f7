import { describe, expect, it } from 'vitest';
import { encodeWavPcm16, readWav, readWavLayout } from './wav-reader.ts';

/** A WAV file built chunk by chunk, so each test says what it changes. */
function wavFile(options: {
  format?: number;
  channels?: number;
  rateHz?: number;
  bits?: number;
  blockAlign?: number;
  fmtSize?: number;
  extensibleSubformat?: number;
  before?: Uint8Array[];
  data?: Uint8Array;
  dataSizeField?: number;
}): Uint8Array {
  const channels = options.channels ?? 1;
  const bits = options.bits ?? 16;
  const rate = options.rateHz ?? 16_000;
  const extensible = options.extensibleSubformat !== undefined;
  const fmtSize = options.fmtSize ?? (extensible ? 40 : 16);
  const fmt = new Uint8Array(8 + fmtSize);
  const f = new DataView(fmt.buffer);
  fmt.set([0x66, 0x6d, 0x74, 0x20]); // "fmt "
  f.setUint32(4, fmtSize, true);
  if (fmtSize >= 16) {
    f.setUint16(8, extensible ? 0xfffe : (options.format ?? 1), true);
    f.setUint16(10, channels, true);
    f.setUint32(12, rate, true);
    f.setUint32(16, (rate * channels * bits) / 8, true);
    f.setUint16(20, options.blockAlign ?? (channels * bits) / 8, true);
    f.setUint16(22, bits, true);
  }
  if (extensible && fmtSize >= 40) {
    f.setUint16(24, 22, true);
    f.setUint16(26, bits, true);
    f.setUint16(32, options.extensibleSubformat ?? 1, true);
    fmt.set(
      [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71],
      34,
    );
  }
  const data = options.data ?? new Uint8Array(0);
  const dataHead = new Uint8Array(8);
  dataHead.set([0x64, 0x61, 0x74, 0x61]); // "data"
  new DataView(dataHead.buffer).setUint32(4, options.dataSizeField ?? data.length, true);
  const chunks = [...(options.before ?? []), fmt, dataHead, data];
  const body = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const file = new Uint8Array(12 + body);
  file.set([0x52, 0x49, 0x46, 0x46]); // "RIFF"
  new DataView(file.buffer).setUint32(4, 4 + body, true);
  file.set([0x57, 0x41, 0x56, 0x45], 8); // "WAVE"
  let at = 12;
  for (const chunk of chunks) {
    file.set(chunk, at);
    at += chunk.length;
  }
  return file;
}

function int16Bytes(values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 2);
  values.forEach((value, i) => new DataView(bytes.buffer).setInt16(i * 2, value, true));
  return bytes;
}

function float32Bytes(values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  values.forEach((value, i) => new DataView(bytes.buffer).setFloat32(i * 4, value, true));
  return bytes;
}

function problemOf(bytes: Uint8Array): string {
  const read = readWav(bytes, 'narration/slide-01.wav');
  if (read.ok) throw new Error('expected a refusal');
  expect(read.error.code).toBe('invalid-request');
  // Every refusal names the file and says how to convert it.
  expect(read.error.message.startsWith('narration/slide-01.wav: ')).toBe(true);
  expect(read.error.hint).toContain('pcm_s16le');
  return read.error.message;
}

describe('readWav', () => {
  it('reads 16-bit mono PCM as it is, with its rate and length', () => {
    const read = readWav(encodeWavPcm16(new Int16Array([0, 1000, -32768, 32767]), 22_050), 'a.wav');
    if (!read.ok) throw new Error(read.error.message);
    expect(read.value.format).toEqual({
      encoding: 'pcm16',
      channels: 1,
      sampleRateHz: 22_050,
      blockAlign: 2,
    });
    expect([...read.value.mono]).toEqual([0, 1000, -32768, 32767]);
    expect(read.value.durationMs).toBeCloseTo((4 / 22_050) * 1000, 9);
  });

  it('mixes stereo to mono by averaging the channels', () => {
    const bytes = wavFile({ channels: 2, data: int16Bytes([1000, 3000, -200, 200, 32767, 32767]) });
    const read = readWav(bytes, 'a.wav');
    if (!read.ok) throw new Error(read.error.message);
    expect([...read.value.mono]).toEqual([2000, 0, 32767]);
    expect(read.value.frames).toBe(3);
  });

  it('reads 32-bit float (plain and extensible) in 16-bit units, damage heard as silence', () => {
    for (const bytes of [
      wavFile({ format: 3, bits: 32, data: float32Bytes([0.5, -1, Number.NaN, 2]) }),
      wavFile({ extensibleSubformat: 3, bits: 32, data: float32Bytes([0.5, -1, Number.NaN, 2]) }),
    ]) {
      const read = readWav(bytes, 'a.wav');
      if (!read.ok) throw new Error(read.error.message);
      expect(read.value.format.encoding).toBe('float32');
      expect([...read.value.mono]).toEqual([16384, -32768, 0, 65536]);
    }
  });

  it('skips chunks it does not use, odd-sized ones padded', () => {
    const list = new Uint8Array([0x4c, 0x49, 0x53, 0x54, 3, 0, 0, 0, 1, 2, 3, 0]); // "LIST", 3 + pad
    const read = readWav(wavFile({ before: [list], data: int16Bytes([7, 8]) }), 'a.wav');
    if (!read.ok) throw new Error(read.error.message);
    expect([...read.value.mono]).toEqual([7, 8]);
  });

  it('reads a data chunk whose size was never patched up to the last whole frame', () => {
    const bytes = wavFile({
      channels: 2,
      data: int16Bytes([1, 3, 5, 7, 9]),
      dataSizeField: 0xffffffff,
    });
    const read = readWav(bytes, 'a.wav');
    if (!read.ok) throw new Error(read.error.message);
    expect([...read.value.mono]).toEqual([2, 6]);
  });

  it('finds the layout from the first bytes of a longer file', () => {
    const whole = encodeWavPcm16(new Int16Array(16_000), 16_000);
    const layout = readWavLayout(whole.subarray(0, 64), whole.length, 'a.wav');
    if (!layout.ok) throw new Error(layout.error.message);
    expect(layout.value).toMatchObject({ dataOffset: 44, frames: 16_000, durationMs: 1000 });
  });

  it('refuses what it cannot read, naming the file and the problem', () => {
    expect(problemOf(new TextEncoder().encode('ID3\u0003 an mp3 file'))).toContain(
      'not a WAV file',
    );
    expect(problemOf(wavFile({ bits: 24, data: new Uint8Array(6) }))).toContain(
      '24-bit PCM is not supported',
    );
    expect(problemOf(wavFile({ bits: 8, data: new Uint8Array(6) }))).toContain('8-bit PCM');
    expect(problemOf(wavFile({ format: 3, bits: 64, data: new Uint8Array(8) }))).toContain(
      '64-bit float',
    );
    expect(problemOf(wavFile({ format: 0x55, data: new Uint8Array(6) }))).toContain('MP3 audio');
    expect(problemOf(wavFile({ format: 2, data: new Uint8Array(6) }))).toContain('ADPCM');
    expect(problemOf(wavFile({ extensibleSubformat: 0x55, data: new Uint8Array(6) }))).toContain(
      'not supported',
    );
    expect(problemOf(wavFile({ channels: 6, data: new Uint8Array(12) }))).toContain('6 channels');
    expect(problemOf(wavFile({ rateHz: 500, data: new Uint8Array(2) }))).toContain('500 Hz');
    expect(problemOf(wavFile({ blockAlign: 3, data: new Uint8Array(6) }))).toContain('block size');
    expect(problemOf(wavFile({ fmtSize: 8 }))).toContain('too short');
    const noData = encodeWavPcm16(new Int16Array(0), 16_000).subarray(0, 36);
    expect(problemOf(noData)).toContain('no "data" chunk');
    const rf64 = encodeWavPcm16(new Int16Array(2), 16_000);
    rf64.set([0x52, 0x46, 0x36, 0x34]);
    expect(problemOf(rf64)).toContain('RF64');
  });
});
