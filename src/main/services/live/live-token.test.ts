import { describe, expect, test } from 'vitest';
import { inspectPublisherToken, mintPublisherToken } from './live-token.ts';

/** An unsigned JWT with `claims` as its payload: the inspector reads claims, not signatures. */
function tokenWith(claims: unknown): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2ln`;
}

const now = Date.parse('2026-12-07T12:00:00Z');
const grants = { roomJoin: true, room: 'r', canPublish: true, canPublishData: true };

describe('inspectPublisherToken', () => {
  test('reads a minted token', async () => {
    const token = await mintPublisherToken({
      apiKey: 'key',
      apiSecret: 'secret-secret-secret-secret-secret',
      room: 'lesson-1',
      identity: 'presenter',
      displayName: 'Presenter',
    });
    const facts = inspectPublisherToken(token);
    expect(facts).toMatchObject({ ok: true, value: { identity: 'presenter', room: 'lesson-1' } });
  });

  test('an expired token says when it expired', () => {
    const result = inspectPublisherToken(tokenWith({ exp: now / 1000 - 60, video: grants }), now);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/expired at 2026-12-07T11:59:00/);
  });

  test.each([
    ['far past', -1e13],
    ['far future', 1e13],
    ['beyond any number', '1e400'],
    ['largest double', Number.MAX_VALUE],
  ])('an exp in the %s is a clear error, not a RangeError', (_name, exp) => {
    // '1e400' goes into the JSON text as written: JSON.parse reads it as Infinity.
    const claims = JSON.stringify({ video: grants, exp: 0 }).replace(
      '"exp":0',
      `"exp":${String(exp)}`,
    );
    const token = `e30.${Buffer.from(claims).toString('base64url')}.c2ln`;
    const result = inspectPublisherToken(token, now);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/LiveKit token/);
  });
  // Generated payloads (10,000+ under `npm run test:fuzz`): live-token.fuzz.test.ts.
});
