import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { z } from 'zod';
import {
  awkwardText,
  editText,
  expectPlainData,
  fuzz,
  jsonValue,
  textEdit,
} from '../../../testing/fuzz.ts';
import {
  decodeWireMessage,
  encodeWireMessage,
  WireDecodeError,
  wireMessageSchema,
  type WireMessage,
} from './wire.ts';

/** A payload Rapido could send: JSON data with binaries anywhere, no `__proto__` keys. */
const payload: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
    awkwardText(10),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.string({ maxLength: 6 }).filter((key) => key !== '__proto__'),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

const message: fc.Arbitrary<WireMessage> = fc.oneof(
  fc.record({
    kind: fc.constant('invoke' as const),
    id: fc.integer(),
    channel: awkwardText(20),
    payload,
  }),
  fc.record({ kind: fc.constant('send' as const), channel: awkwardText(20), payload }),
  fc.record({ kind: fc.constant('result' as const), id: fc.integer(), value: payload }),
  fc.record({ kind: fc.constant('event' as const), channel: awkwardText(20), payload }),
);

function headerText(frame: Uint8Array): string {
  const length = new DataView(frame.buffer, frame.byteOffset).getUint32(0, true);
  return new TextDecoder().decode(frame.subarray(4, 4 + length));
}

function frameWith(header: string, extra: Uint8Array): Uint8Array {
  const bytes = new TextEncoder().encode(header);
  const frame = new Uint8Array(4 + bytes.byteLength + extra.byteLength);
  new DataView(frame.buffer).setUint32(0, bytes.byteLength, true);
  frame.set(bytes, 4);
  frame.set(extra, 4 + bytes.byteLength);
  return frame;
}

/** What a hostile peer can send: real frames edited, foreign headers, raw bytes. */
const hostileFrame: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc
    .tuple(message, textEdit, fc.uint8Array({ maxLength: 8 }))
    .map(([m, edit, extra]) => frameWith(editText(headerText(encodeWireMessage(m)), edit), extra)),
  fc
    .tuple(jsonValue(4), jsonValue(2), fc.uint8Array({ maxLength: 8 }))
    .map(([m, sizes, extra]) => frameWith(JSON.stringify({ message: m, sizes }), extra)),
  fc
    .tuple(
      fc.constantFrom('send', 'invoke', 'result', 'event'),
      jsonValue(4),
      fc.array(fc.nat(12), { maxLength: 3 }),
      fc.uint8Array({ maxLength: 30 }),
    )
    .map(([kind, body, sizes, extra]) =>
      frameWith(
        `{"message":{"kind":"${kind}","id":1,"channel":"c","payload":${JSON.stringify(body)},"value":${JSON.stringify(body)}},"sizes":${JSON.stringify(sizes)}}`,
        extra,
      ),
    ),
  fc.uint8Array({ maxLength: 64 }),
);

/** A refusal is a WireDecodeError; a cause, when there is one, is bad JSON or a schema miss. */
function decodeOrRefuse(frame: Uint8Array): WireMessage | null {
  try {
    return decodeWireMessage(frame);
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(WireDecodeError);
    const { message, cause } = error as WireDecodeError;
    expect(message).toMatch(
      /^(invalid wire message: |frame|header|attachment|trailing|refused|missing|message nests)/,
    );
    if (cause !== undefined) {
      expect(cause instanceof SyntaxError || cause instanceof z.ZodError, String(error)).toBe(true);
    }
    return null;
  }
}

describe('wire decoder (properties)', () => {
  fuzz('wire: encode then decode gives the message back', message, (sent) => {
    expect(decodeWireMessage(encodeWireMessage(sent))).toEqual(sent);
  });

  fuzz(
    'wire: hostile frames decode to a schema-valid message or a WireDecodeError',
    hostileFrame,
    (frame) => {
      const decoded = decodeOrRefuse(frame);
      if (decoded === null) return;
      expect(wireMessageSchema.safeParse(decoded).success).toBe(true);
      // No "__proto__" ever became a prototype a schema could read fields through.
      expectPlainData(decoded);
    },
  );
});
