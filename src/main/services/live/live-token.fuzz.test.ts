import fc from 'fast-check';
import { describe, expect } from 'vitest';
import {
  awkwardText,
  editText,
  expectPlainData,
  fuzz,
  jsonValue,
  textEdit,
} from '../../../../testing/fuzz.ts';
import { rapidoErrorSchema } from '../../../shared/result.ts';
import { inspectPublisherToken } from './live-token.ts';

const now = Date.parse('2026-12-07T12:00:00Z');

const base64url = (text: string) => Buffer.from(text).toString('base64url');

/** Claims shaped like LiveKit's, each field sometimes of the wrong type or out of range. */
const claims = fc.record(
  {
    exp: fc.oneof(
      fc.integer({ min: now / 1000 - 1e6, max: now / 1000 + 1e6 }),
      fc.double(),
      fc.constantFrom(-1e13, 1e13, Number.MAX_VALUE, 0),
      jsonValue(1),
    ),
    sub: fc.oneof(awkwardText(), jsonValue(1)),
    nbf: jsonValue(1),
    video: fc.oneof(
      fc.record(
        {
          roomJoin: fc.oneof(fc.boolean(), jsonValue(0)),
          room: fc.oneof(awkwardText(), jsonValue(0)),
          canPublish: fc.oneof(fc.boolean(), jsonValue(0)),
          canPublishData: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
      jsonValue(2),
    ),
  },
  { requiredKeys: [] },
);

/** JSON text of claims; '1e400' style numbers JSON.parse reads as Infinity are in there too. */
const payloadText = fc.oneof(
  { weight: 4, arbitrary: claims.map((c) => JSON.stringify(c)) },
  {
    weight: 2,
    arbitrary: fc.tuple(claims, textEdit).map(([c, e]) => editText(JSON.stringify(c), e)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('1e400', '-1e400', '{"exp":1e400,"video":{"roomJoin":true}}'),
  },
  { weight: 1, arbitrary: jsonValue(3).map((v) => JSON.stringify(v)) },
);

const token = fc.oneof(
  { weight: 6, arbitrary: payloadText.map((p) => `e30.${base64url(p)}.c2ln`) },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 60 })
      .map((b) => `e30.${Buffer.from(b).toString('base64url')}.x`),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  {
    weight: 1,
    arbitrary: fc.array(awkwardText(12), { maxLength: 5 }).map((parts) => parts.join('.')),
  },
);

describe('LiveKit token inspection (properties)', () => {
  fuzz(
    'LiveKit token: any pasted text gives facts or a readable error, never a throw',
    token,
    (text) => {
      const result = inspectPublisherToken(text, now);
      expectPlainData(result);
      if (!result.ok) {
        expect(rapidoErrorSchema.safeParse(result.error).success).toBe(true);
        expect(result.error.code).toBe('invalid-request');
        expect(result.error.message).toMatch(/token/i);
        return;
      }
      const { identity, room, expiresAtMs } = result.value;
      expect(identity === null || typeof identity === 'string').toBe(true);
      expect(room === null || typeof room === 'string').toBe(true);
      // A token the inspector accepts is not expired and has a date a Date can hold.
      if (expiresAtMs !== null) {
        expect(expiresAtMs).toBeGreaterThan(now);
        expect(Number.isNaN(new Date(expiresAtMs).getTime())).toBe(false);
      }
    },
  );
});
