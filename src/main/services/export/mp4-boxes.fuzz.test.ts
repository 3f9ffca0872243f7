import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { expectPlainData, fuzz } from '../../../../testing/fuzz.ts';
import { rapidoErrorSchema } from '../../../shared/result.ts';
import { chplBox, readBoxHeader, withChapters } from './mp4-chapters.ts';

function box(type: string, payload: Uint8Array, sizeField?: number): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  new DataView(out.buffer).setUint32(0, sizeField ?? out.length);
  out.set(new TextEncoder().encode(type.padEnd(4, ' ').slice(0, 4)), 4);
  out.set(payload, 8);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** moov boxes as a muxer (or a damaged file) has them: children, udta, chpl, bad sizes. */
const child = fc.oneof(
  fc.uint8Array({ maxLength: 12 }).map((p) => box('trak', p)),
  fc.uint8Array({ maxLength: 12 }).map((p) => box('udta', concat([box('meta', p)]))),
  fc
    .uint8Array({ maxLength: 12 })
    .map((p) => box('udta', concat([box('chpl', p), box('name', p)]))),
  fc
    .tuple(fc.uint8Array({ maxLength: 8 }), fc.constantFrom(0, 1, 7, 9, 0xffffffff))
    .map(([p, size]) => box('free', p, size)),
);
const moov = fc.oneof(
  fc.array(child, { maxLength: 4 }).map((children) => box('moov', concat(children))),
  fc.tuple(fc.array(child, { maxLength: 3 }), fc.nat(), fc.nat(255)).map(([children, at, byte]) => {
    const bytes = box('moov', concat(children));
    bytes[at % bytes.length] = byte;
    return bytes;
  }),
  fc.uint8Array({ maxLength: 40 }),
);

const chapters = fc
  .array(fc.record({ startMs: fc.nat(1e7), title: fc.string({ maxLength: 10 }) }), { maxLength: 4 })
  .map((list) => [...list].sort((a, b) => a.startMs - b.startMs));

describe('MP4 box reading (properties)', () => {
  fuzz(
    'MP4 boxes: any moov bytes take chapters or give an export error, never a throw',
    fc.tuple(moov, chapters),
    ([bytes, list]) => {
      const chpl = chplBox(list);
      if (!chpl.ok) throw new Error(chpl.error.message);
      const result = withChapters(bytes, list.length > 0 ? chpl.value.bytes : null);
      expectPlainData(result.ok ? null : result);
      if (!result.ok) {
        expect(rapidoErrorSchema.safeParse(result.error).success).toBe(true);
        return;
      }
      // The answer is one whole moov box again.
      const header = readBoxHeader(result.value, 0, result.value.length);
      expect(header.ok && header.value.type).toBe('moov');
      expect(header.ok && header.value.size).toBe(result.value.length);
    },
  );
});
