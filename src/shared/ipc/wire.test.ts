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

  // fast-check is not installed; a seeded loop of mangled frames stands in for its property.
  it('decodes or refuses 10,000 mangled frames, never with a prototype set', () => {
    let state = 5;
    const random = () => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state / 2_147_483_648;
    };
    const good = encodeWireMessage({
      kind: 'invoke',
      id: 1,
      channel: 'lesson:save',
      payload: { a: [1, { b: new Uint8Array(3) }], c: 'x', __proto__x: 1 },
    });
    const text = new TextDecoder().decode(
      good.subarray(4, 4 + new DataView(good.buffer).getUint32(0, true)),
    );
    const pieces = [
      '"__proto__":{"kind":"send"},',
      '"constructor":{},',
      '{',
      '}',
      ',',
      '"',
      '1',
      '[',
      ']',
    ];
    const visit = (value: unknown): void => {
      if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
      if (!Array.isArray(value)) expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      for (const item of Object.values(value)) visit(item);
    };
    for (let round = 0; round < 10_000; round += 1) {
      const at = Math.floor(random() * text.length);
      const piece = pieces[Math.floor(random() * pieces.length)] ?? '';
      const mangled = new TextEncoder().encode(text.slice(0, at) + piece + text.slice(at));
      const frame = new Uint8Array(4 + mangled.byteLength + 3);
      new DataView(frame.buffer).setUint32(0, mangled.byteLength, true);
      frame.set(mangled, 4);
      let decoded: unknown;
      try {
        decoded = decodeWireMessage(frame);
      } catch {
        continue;
      }
      visit(decoded);
    }
  });
});
