import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeWireMessage, encodeWireMessage } from './wire.ts';

describe('wire framing', () => {
  it('round-trips nested binaries without JSON-encoding them', () => {
    const pcm = new Uint8Array([1, 2, 3, 4, 250]);
    const image = new Uint8Array(1000).fill(7);
    const frame = encodeWireMessage({
      kind: 'result',
      id: 3,
      value: { ok: true, value: { pcm, nested: [{ image }], n: 1.5, s: 'x' } },
    });
    // The binary bytes are not inside the JSON header.
    const headerLength = new DataView(frame.buffer).getUint32(0, true);
    expect(frame.byteLength).toBe(4 + headerLength + pcm.byteLength + image.byteLength);
    const decoded = decodeWireMessage(frame);
    expect(decoded).toEqual({
      kind: 'result',
      id: 3,
      value: { ok: true, value: { pcm, nested: [{ image }], n: 1.5, s: 'x' } },
    });
  });

  it('gives attachments their own aligned buffers', () => {
    const frame = encodeWireMessage({
      kind: 'event',
      channel: 'c',
      payload: { a: new Uint8Array(3), b: new Uint8Array(4) },
    });
    const decoded = decodeWireMessage(frame);
    const payload = decoded.kind === 'event' ? (decoded.payload as { b: Uint8Array }) : null;
    expect(payload?.b.byteOffset).toBe(0);
  });

  it('rejects malformed frames cleanly', () => {
    expect(() => decodeWireMessage(new Uint8Array([1]))).toThrow(/shorter/);
    const bad = new Uint8Array(8);
    new DataView(bad.buffer).setUint32(0, 100, true);
    expect(() => decodeWireMessage(bad)).toThrow(/exceeds/);
    const good = encodeWireMessage({
      kind: 'send',
      channel: 'x',
      payload: { a: new Uint8Array(2) },
    });
    expect(() => decodeWireMessage(good.subarray(0, good.byteLength - 1))).toThrow(/exceeds/);
    const trailing = new Uint8Array(good.byteLength + 1);
    trailing.set(good);
    expect(() => decodeWireMessage(trailing)).toThrow(/trailing/);
    const notAMessage = new TextEncoder().encode(
      JSON.stringify({ message: { kind: 'nope' }, sizes: [] }),
    );
    const frame = new Uint8Array(4 + notAMessage.byteLength);
    new DataView(frame.buffer).setUint32(0, notAMessage.byteLength, true);
    frame.set(notAMessage, 4);
    expect(() => decodeWireMessage(frame)).toThrow();
  });

  it('refuses typed arrays other than Uint8Array', () => {
    expect(() =>
      encodeWireMessage({ kind: 'send', channel: 'x', payload: new Int16Array(2) }),
    ).toThrow(/Uint8Array/);
  });

  it('never turns a "__proto__" key into a prototype a schema could read through', () => {
    const frameOf = (json: string) => {
      const header = new TextEncoder().encode(json);
      const frame = new Uint8Array(4 + header.byteLength);
      new DataView(frame.buffer).setUint32(0, header.byteLength, true);
      frame.set(header, 4);
      return frame;
    };
    const needsAdmin = z.object({ admin: z.literal(true) });
    const attack =
      '{"message":{"kind":"send","channel":"x","payload":{"__proto__":{"admin":true}}},"sizes":[]}';
    let decoded: unknown = null;
    try {
      decoded = decodeWireMessage(frameOf(attack));
    } catch (error) {
      expect(String(error)).toMatch(/__proto__/);
    }
    const payload = (decoded as { payload?: unknown } | null)?.payload;
    expect(needsAdmin.safeParse(payload).success).toBe(false);
    // Nested deeper, and inside arrays, the same.
    const nested =
      '{"message":{"kind":"send","channel":"x","payload":{"list":[{"__proto__":{"admin":true}}]}},"sizes":[]}';
    expect(() => decodeWireMessage(frameOf(nested))).toThrow(/__proto__/);
    // "constructor" and "prototype" stay plain own data.
    const own = decodeWireMessage(
      frameOf(
        '{"message":{"kind":"send","channel":"x","payload":{"constructor":1,"prototype":2}},"sizes":[]}',
      ),
    );
    const ownPayload = own.kind === 'send' ? (own.payload as object) : {};
    expect(Object.getPrototypeOf(ownPayload)).toBe(Object.prototype);
    expect(Object.keys(ownPayload)).toEqual(['constructor', 'prototype']);
  });
  // Generated frames (10,000+ under `npm run test:fuzz`): wire.fuzz.test.ts.
});
