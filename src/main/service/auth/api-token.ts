import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';

/**
 * The API's bearer tokens (issue 18, item 3): HS256 JWTs signed with JWT_SECRET, the
 * predecessor's variable and algorithm (rapido/src/core/security.py:18-22 at 534b6f6). Unlike
 * the predecessor, `exp` is required (a token without it is refused, not valid forever) and a
 * token carries scopes, so a platform can hold a read-only token apart from its submitting one.
 */
export const apiScopes = ['jobs:submit', 'jobs:read', 'jobs:cancel'] as const;
export const apiScopeSchema = z.enum(apiScopes);
export type ApiScope = z.infer<typeof apiScopeSchema>;

export const tokenAlgorithm = 'HS256';
/** Tokens longer than this are not ours (and would make a header parser work for nothing). */
export const maxTokenLength = 4096;
/** The longest life `rapido token` mints: a leaked token should not outlive a quarter. */
export const maxTokenLifeSeconds = 90 * 24 * 3600;

export interface TokenClaims {
  subject: string;
  scopes: ApiScope[];
  expiresAtMs: number;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'missing' | 'invalid' | 'expired'; message: string };

const subjectSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.@:-]{1,100}$/, 'use letters, digits, ".", "_", "@", ":" and "-" only');

/** What a verified token's payload must hold beyond the signature and `exp`. */
const claimsSchema = z.object({
  sub: subjectSchema,
  exp: z.number(),
  /** Space-separated, as OAuth 2.0 writes scopes (RFC 8693 section 4.2). */
  scope: z.string().max(200),
});

function keyOf(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** "90s", "15m", "1h", "7d" (or plain seconds) to seconds; null when it is none of those. */
export function parseLifetime(text: string): number | null {
  const match = /^(\d{1,7})([smhd]?)$/.exec(text.trim());
  if (!match) return null;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] ?? ''] ?? 1;
  const seconds = Number(match[1]) * unit;
  return seconds > 0 ? seconds : null;
}

export async function mintToken(options: {
  secret: string;
  subject: string;
  scopes: readonly ApiScope[];
  lifetimeSeconds: number;
  nowMs?: number;
}): Promise<string> {
  const subject = subjectSchema.safeParse(options.subject);
  if (!subject.success) throw new Error(`subject: ${subject.error.issues[0]?.message ?? ''}`);
  if (options.scopes.length === 0) throw new Error('a token needs at least one scope');
  if (options.lifetimeSeconds <= 0 || options.lifetimeSeconds > maxTokenLifeSeconds) {
    throw new Error(`a token lives at most ${maxTokenLifeSeconds / 86_400} days`);
  }
  const nowSeconds = Math.floor((options.nowMs ?? Date.now()) / 1000);
  return new SignJWT({ scope: [...new Set(options.scopes)].join(' ') })
    .setProtectedHeader({ alg: tokenAlgorithm, typ: 'JWT' })
    .setSubject(subject.data)
    .setIssuer('rapido')
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + options.lifetimeSeconds)
    .sign(keyOf(options.secret));
}

/**
 * Checks a token: signature (HS256 only: `alg: none` and every other algorithm are refused),
 * `exp` present and in the future, a subject, and scopes we know (unknown ones are ignored, so
 * a newer platform's token still works for what it may do here). Messages never echo the token.
 */
export async function verifyToken(secret: string, token: string | null): Promise<TokenCheck> {
  if (token === null || token.length === 0) {
    return { ok: false, reason: 'missing', message: 'This request needs a bearer token.' };
  }
  if (token.length > maxTokenLength) {
    return { ok: false, reason: 'invalid', message: 'The bearer token is not valid.' };
  }
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), {
      algorithms: [tokenAlgorithm],
      requiredClaims: ['exp', 'sub'],
    });
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      return {
        ok: false,
        reason: 'invalid',
        message: 'The bearer token lacks a subject or scope.',
      };
    }
    const scopes = claims.data.scope
      .split(' ')
      .filter((scope): scope is ApiScope => apiScopeSchema.safeParse(scope).success);
    return {
      ok: true,
      claims: { subject: claims.data.sub, scopes, expiresAtMs: claims.data.exp * 1000 },
    };
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      return { ok: false, reason: 'expired', message: 'The bearer token has expired.' };
    }
    return { ok: false, reason: 'invalid', message: 'The bearer token is not valid.' };
  }
}

/** The token of `Authorization: Bearer <token>`, or null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
