import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../services/logging/logger.ts';
import {
  verifyToken,
  type ApiScope,
  type TokenCheck,
  type TokenClaims,
} from '../auth/api-token.ts';
import { ApiError, apiHeaders } from './api-http.ts';
import type { ApiRateLimiter } from './rate-limit.ts';

/**
 * The gate every request and WebSocket upgrade passes: the token is read first (so a client
 * with a valid one is counted by its subject), the request counted against its client's rate
 * limit (429 + Retry-After), then a missing or bad token refused (401) and a missing scope
 * (403). Anything else that goes wrong is logged (the logger redacts secrets) and answered as
 * a bare 500 whose message says nothing of the cause.
 */
export interface ApiGate {
  admit(
    request: IncomingMessage,
    scope: ApiScope | null,
    token: string | null,
    submits: boolean,
  ): Promise<TokenClaims | null>;
  failure(error: unknown, where: string): ApiError;
}

/**
 * The request's URL. The request line's target is a path, taken as such (`//x` is no host);
 * one that still fails to parse is the client's fault (400), never a crash.
 */
export function requestUrl(request: IncomingMessage): URL {
  const target = request.url ?? '/';
  try {
    return new URL(`http://api.invalid${target.startsWith('/') ? target : `/${target}`}`);
  } catch {
    throw new ApiError(400, 'bad-request', 'The request target is not a valid path.');
  }
}

function remoteKey(request: IncomingMessage): string {
  return `ip:${request.socket.remoteAddress ?? 'unknown'}`;
}

function authError(check: TokenCheck & { ok: false }): ApiError {
  const code =
    check.reason === 'expired'
      ? 'token-expired'
      : check.reason === 'missing'
        ? 'token-missing'
        : 'token-invalid';
  const challenge =
    check.reason === 'missing'
      ? 'Bearer realm="rapido"'
      : 'Bearer realm="rapido", error="invalid_token"';
  return new ApiError(401, code, check.message, { 'www-authenticate': challenge });
}

function scopeError(scope: ApiScope): ApiError {
  return new ApiError(
    403,
    'insufficient-scope',
    `This request needs a token with the ${scope} scope.`,
    { 'www-authenticate': `Bearer realm="rapido", error="insufficient_scope", scope="${scope}"` },
  );
}

export function createApiGate(options: {
  secret: string;
  rateLimiter: ApiRateLimiter;
  logger: Logger;
}): ApiGate {
  return {
    async admit(request, scope, token, submits) {
      const check = scope === null ? null : await verifyToken(options.secret, token);
      const client = check?.ok ? `sub:${check.claims.subject}` : remoteKey(request);
      const decision = await options.rateLimiter.take(client, submits ? 'submit' : 'request');
      if (!decision.ok) {
        const seconds = decision.retryAfterSeconds;
        throw new ApiError(429, 'rate-limited', `Too many requests; retry in ${seconds} s.`, {
          'retry-after': String(seconds),
        });
      }
      if (check === null || scope === null) return null;
      if (!check.ok) throw authError(check);
      if (!check.claims.scopes.includes(scope)) throw scopeError(scope);
      return check.claims;
    },
    failure(error, where) {
      if (error instanceof ApiError) return error;
      options.logger.error('API request failed', { event_type: 'api_error', where, error });
      return new ApiError(500, 'internal', 'The server could not complete this request.');
    },
  };
}

/** Refuses on the bare socket (an upgrade, malformed HTTP) with the JSON answer of any other. */
export function refuseOnSocket(socket: Duplex, error: ApiError): void {
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  const headers = {
    ...apiHeaders(error.headers),
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  socket.end(`HTTP/1.1 ${error.status} Refused\r\n${head.join('\r\n')}\r\n\r\n${body}`);
}
