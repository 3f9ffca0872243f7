import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { expectPlainData, fuzz } from '../../../testing/fuzz.ts';
import { decodeFrameMessage, encodeFrameMessage, type FrameMessage } from './frame-message.ts';

const message: fc.Arbitrary<FrameMessage> = fc.record(
  {
    video_bytes: fc.uint8Array({ maxLength: 300 }),
    audio_bytes: fc.uint8Array({ maxLength: 300 }),
    start_speech: fc.boolean(),
    end_speech: fc.boolean(),
  },
  { requiredKeys: [] },
);

/** What a server (or a proxy in between) may send: real messages damaged, and raw bytes. */
const received = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.tuple(message, fc.nat(), fc.nat(255), fc.nat()).map(([sent, at, byte, cut]) => {
    const bytes = Uint8Array.from(encodeFrameMessage(sent));
    if (bytes.length === 0) return bytes;
    bytes[at % bytes.length] = byte;
    return bytes.subarray(0, bytes.length - (cut % (bytes.length + 1)));
  }),
  // Unknown fields and wire types: a newer server's message.
  fc
    .tuple(fc.integer({ min: 5, max: 2000 }), fc.nat(7), fc.uint8Array({ maxLength: 20 }), message)
    .map(([field, wireType, tail, sent]) => {
      const tag = (field << 3) | wireType;
      const varint: number[] = [];
      for (let rest = tag; ; rest >>>= 7) {
        if (rest < 0x80) {
          varint.push(rest);
          break;
        }
        varint.push((rest & 0x7f) | 0x80);
      }
      return Uint8Array.from([...encodeFrameMessage(sent), ...varint, ...tail]);
    }),
);

const fields = ['video_bytes', 'audio_bytes', 'start_speech', 'end_speech'];

describe('SyncTalk FrameMessage decoding (properties)', () => {
  fuzz('FrameMessage: encode then decode gives the message back', message, (sent) => {
    const decoded = decodeFrameMessage(encodeFrameMessage(sent));
    if (!decoded.ok) throw new Error(decoded.reason);
    // Under Node protobufjs answers bytes as Buffers (a Uint8Array subclass): compare contents.
    const plain = Object.fromEntries(
      Object.entries(decoded.message).map(([key, value]) => [
        key,
        value instanceof Uint8Array ? Uint8Array.from(value) : value,
      ]),
    );
    expect(plain).toEqual(sent);
  });

  fuzz(
    'FrameMessage: any bytes decode to typed fields or a reason, never a throw',
    received,
    (bytes) => {
      const decoded = decodeFrameMessage(bytes);
      expectPlainData(decoded);
      if (!decoded.ok) {
        expect(typeof decoded.reason).toBe('string');
        expect(decoded.reason.length).toBeGreaterThan(0);
        return;
      }
      const { message: got } = decoded;
      for (const key of Object.keys(got)) expect(fields).toContain(key);
      if (got.video_bytes !== undefined) expect(got.video_bytes).toBeInstanceOf(Uint8Array);
      if (got.audio_bytes !== undefined) expect(got.audio_bytes).toBeInstanceOf(Uint8Array);
      for (const flag of [got.start_speech, got.end_speech]) {
        expect(flag === undefined || typeof flag === 'boolean').toBe(true);
      }
    },
  );
});
