import { describe, expect, test } from 'vitest';
import { decodeFrameMessage, encodeFrameMessage, type FrameMessage } from './frame-message.ts';

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index++) {
    bytes[index] = parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  }
  return bytes;
}

function decoded(bytes: Uint8Array): FrameMessage {
  const result = decodeFrameMessage(bytes);
  if (!result.ok) throw new Error(`expected a message, got: ${result.reason}`);
  return result.message;
}

describe('FrameMessage codec', () => {
  test('a frame round-trips with its exact video and audio bytes', () => {
    const video = new Uint8Array(4 * 4 * 3).map((_, index) => (index * 7) % 256);
    const audio = new Uint8Array(1280).map((_, index) => (index * 13 + 1) % 256);
    const message = decoded(encodeFrameMessage({ video_bytes: video, audio_bytes: audio }));
    expect(Array.from(message.video_bytes!)).toEqual(Array.from(video));
    expect(Array.from(message.audio_bytes!)).toEqual(Array.from(audio));
    expect(message.start_speech).toBeUndefined();
    expect(message.end_speech).toBeUndefined();
  });

  test('marker-only messages carry no video or audio field', () => {
    const start = decoded(encodeFrameMessage({ start_speech: true }));
    expect(start).toEqual({ start_speech: true });
    const end = decoded(encodeFrameMessage({ end_speech: true }));
    expect(end).toEqual({ end_speech: true });
  });

  test('wire bytes match the server proto (field numbers and types)', () => {
    expect(Array.from(encodeFrameMessage({ start_speech: true }))).toEqual([0x18, 0x01]);
    expect(Array.from(encodeFrameMessage({ end_speech: true }))).toEqual([0x20, 0x01]);
    const frame = encodeFrameMessage({
      video_bytes: Uint8Array.of(1, 2, 3),
      audio_bytes: Uint8Array.of(9, 8),
    });
    expect(Array.from(frame)).toEqual([0x0a, 3, 1, 2, 3, 0x12, 2, 9, 8]);
  });

  test('proto3 optional keeps an explicit false apart from an absent field', () => {
    expect(decoded(encodeFrameMessage({ start_speech: false }))).toEqual({ start_speech: false });
    expect(decoded(new Uint8Array(0))).toEqual({});
  });

  test('unknown fields are skipped, as protobuf requires', () => {
    // field 9 varint 1, then end_speech
    expect(decoded(fromHex('48012001'))).toEqual({ end_speech: true });
  });

  test.each([
    ['an invalid wire type', '0f'],
    ['a length running past the end', '0a05'],
    ['a truncated field', '0a050102'],
    ['an unterminated varint', 'ff'],
    ['an over-long length varint', '0a80808080808080808001'],
    ['a client marker echoed back as if it were a frame', '73746172745f6f665f73747265616d'],
  ])('malformed bytes (%s) are a value, not a throw', (_label, hex) => {
    const result = decodeFrameMessage(fromHex(hex));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
  });

  test('encoding refuses a message that does not fit the schema', () => {
    const notBytes = { video_bytes: 5 } as unknown as FrameMessage;
    expect(() => encodeFrameMessage(notBytes)).toThrow(/video_bytes/);
  });
});
