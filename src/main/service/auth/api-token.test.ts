import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { bearerToken, mintToken, parseLifetime, verifyToken } from './api-token.ts';

const secret = 'a-test-secret-of-at-least-32-characters!';
const key = new TextEncoder().encode(secret);

describe('API tokens', () => {
  it('a minted token verifies with its subject, scopes and expiry', async () => {
    const nowMs = Date.now();
    const token = await mintToken({
      secret,
      subject: 'platform-a',
      scopes: ['jobs:read', 'jobs:submit', 'jobs:read'],
      lifetimeSeconds: 600,
      nowMs,
    });
    const check = await verifyToken(secret, token);
    expect(check).toEqual({
      ok: true,
      claims: {
        subject: 'platform-a',
        scopes: ['jobs:read', 'jobs:submit'],
        expiresAtMs: Math.floor(nowMs / 1000) * 1000 + 600_000,
      },
    });
  });

  it('refuses a wrong secret, an expired token, alg none, no exp, no subject, garbage', async () => {
    const reason = async (token: string | null) => {
      const check = await verifyToken(secret, token);
      return check.ok ? 'ok' : check.reason;
    };
    const other = await mintToken({
      secret: 'another-secret-another-secret-another!',
      subject: 'x',
      scopes: ['jobs:read'],
      lifetimeSeconds: 60,
    });
    expect(await reason(other)).toBe('invalid');
    const expired = await mintToken({
      secret,
      subject: 'x',
      scopes: ['jobs:read'],
      lifetimeSeconds: 60,
      nowMs: Date.now() - 3600_000,
    });
    expect(await reason(expired)).toBe('expired');
    const none = new UnsecuredJWT({ sub: 'x', scope: 'jobs:read' })
      .setExpirationTime('1h')
      .encode();
    expect(await reason(none)).toBe('invalid');
    const noExp = await new SignJWT({ sub: 'x', scope: 'jobs:read' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(key);
    expect(await reason(noExp)).toBe('invalid');
    const noSub = await new SignJWT({ scope: 'jobs:read' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(key);
    expect(await reason(noSub)).toBe('invalid');
    const hs512 = await new SignJWT({ sub: 'x', scope: 'jobs:read' })
      .setProtectedHeader({ alg: 'HS512' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret.repeat(2)));
    expect(await reason(hs512)).toBe('invalid');
    expect(await reason(null)).toBe('missing');
    expect(await reason('a.b.c')).toBe('invalid');
    expect(await reason('x'.repeat(5000))).toBe('invalid');
  });

  it('keeps only the scopes it knows', async () => {
    const token = await new SignJWT({ sub: 'x', scope: 'jobs:read admin jobs:everything' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(key);
    const check = await verifyToken(secret, token);
    expect(check.ok && check.claims.scopes).toEqual(['jobs:read']);
  });

  it('reads lifetimes and bearer headers', () => {
    expect([
      parseLifetime('90s'),
      parseLifetime('15m'),
      parseLifetime('1h'),
      parseLifetime('7d'),
    ]).toEqual([90, 900, 3600, 604_800]);
    expect([
      parseLifetime('0'),
      parseLifetime('1w'),
      parseLifetime('-1h'),
      parseLifetime(''),
    ]).toEqual([null, null, null, null]);
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer  abc')).toBe('abc');
    expect([bearerToken(undefined), bearerToken('Basic abc'), bearerToken('Bearer a b')]).toEqual([
      null,
      null,
      null,
    ]);
  });

  it('`rapido token` prints one token, which the API accepts', async () => {
    const run = spawnSync(
      process.execPath,
      [
        join(import.meta.dirname, '../../../../node_modules/tsx/dist/cli.mjs'),
        join(import.meta.dirname, '../../hosts/cli/rapido.ts'),
        'token',
        '--scope',
        'jobs:submit,jobs:cancel',
        '--expires',
        '2h',
        '--subject',
        'ci-bot',
      ],
      { encoding: 'utf8', env: { ...process.env, JWT_SECRET: secret }, timeout: 60_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const check = await verifyToken(secret, lines[0] ?? '');
    expect(check.ok && check.claims.subject).toBe('ci-bot');
    expect(check.ok && check.claims.scopes).toEqual(['jobs:submit', 'jobs:cancel']);
    expect(check.ok && check.claims.expiresAtMs - Date.now()).toBeGreaterThan(7000_000);
  });
});
