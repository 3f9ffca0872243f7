import { AccessToken } from 'livekit-server-sdk';
import { z } from 'zod';
import { err, ok, type Result } from '../../../shared/result.ts';

/**
 * LiveKit access tokens, minted in main so the API secret never leaves it: short-lived, for one
 * room, allowed to publish tracks and data and nothing else. A pasted token is checked before use
 * (expiry, room, grants) so the user hears what is wrong with it instead of a bare refusal.
 */
export const tokenLifetimeSeconds = 15 * 60;

export interface MintRequest {
  apiKey: string;
  apiSecret: string;
  room: string;
  identity: string;
  displayName: string;
  ttlSeconds?: number;
}

export async function mintPublisherToken(request: MintRequest): Promise<string> {
  const token = new AccessToken(request.apiKey, request.apiSecret, {
    identity: request.identity,
    name: request.displayName,
    ttl: request.ttlSeconds ?? tokenLifetimeSeconds,
  });
  token.addGrant({
    roomJoin: true,
    room: request.room,
    canPublish: true,
    canPublishData: true,
    // The presenter only sends: no subscription, no room administration.
    canSubscribe: false,
  });
  return token.toJwt();
}

/** The largest time a Date holds (ECMAScript: ±100,000,000 days around 1970). */
const maxDateMs = 8.64e15;

const claimsSchema = z.object({
  exp: z.number().optional(),
  sub: z.string().optional(),
  video: z
    .object({
      roomJoin: z.boolean().optional(),
      room: z.string().optional(),
      canPublish: z.boolean().optional(),
      canPublishData: z.boolean().optional(),
    })
    .loose()
    .optional(),
});

export interface TokenFacts {
  identity: string | null;
  room: string | null;
  expiresAtMs: number | null;
}

/** Reads a pasted token's claims (not its signature: only the server can check that). */
export function inspectPublisherToken(
  token: string,
  nowMs: number = Date.now(),
): Result<TokenFacts> {
  const parts = token.trim().split('.');
  const payload = parts[1];
  if (parts.length !== 3 || !payload) {
    return err(
      'invalid-request',
      'That is not a LiveKit token (a JWT has three dot-separated parts).',
      {
        hint: 'Paste the whole token, or enter the API key and secret instead.',
      },
    );
  }
  let claims: z.infer<typeof claimsSchema>;
  try {
    claims = claimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return err('invalid-request', 'The LiveKit token could not be read.', {
      hint: 'Paste the whole token, or enter the API key and secret instead.',
    });
  }
  const expiresAtMs = claims.exp === undefined ? null : claims.exp * 1000;
  // An exp outside what a Date can hold (far past, far future) made toISOString throw a
  // RangeError out of this function; it is the token's fault, so say so like any other fault.
  if (expiresAtMs !== null && !(Math.abs(expiresAtMs) <= maxDateMs)) {
    return err(
      'invalid-request',
      `The LiveKit token's expiry (exp ${String(claims.exp)}) is not a date Rapido can use.`,
      {
        hint: 'Mint a new token (or enter the API key and secret, and Rapido mints its own).',
      },
    );
  }
  if (expiresAtMs !== null && expiresAtMs <= nowMs) {
    return err(
      'invalid-request',
      `The LiveKit token expired at ${new Date(expiresAtMs).toISOString()}.`,
      {
        hint: 'Mint a new token (or enter the API key and secret, and Rapido mints its own).',
      },
    );
  }
  const video = claims.video;
  if (!video?.roomJoin) {
    return err(
      'invalid-request',
      'The LiveKit token does not allow joining a room (no roomJoin grant).',
      {
        hint: 'Mint it with roomJoin, canPublish and canPublishData for the room.',
      },
    );
  }
  if (video.canPublish === false) {
    return err(
      'invalid-request',
      'The LiveKit token does not allow publishing (canPublish is false).',
      {
        hint: 'Mint it with canPublish and canPublishData for the room.',
      },
    );
  }
  return ok({ identity: claims.sub ?? null, room: video.room ?? null, expiresAtMs });
}
