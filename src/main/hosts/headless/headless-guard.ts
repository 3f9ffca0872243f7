import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Server as HttpServer, ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';

/**
 * What keeps the headless host's loopback server civil with every other local process: security
 * headers on every answer, a cap on open sockets and WebSockets, a token bucket on HTTP requests
 * and IPC calls, and the one-time bootstrap that hands a page its session token without the
 * token ever appearing on a command line or a terminal.
 */

export interface HeadlessLimits {
  /** Open TCP connections (HTTP keep-alive and WebSockets together); more get a 429 and close. */
  maxSockets: number;
  /** Open IPC WebSockets; a further upgrade gets a 429. */
  maxClients: number;
  /** IPC calls (invoke and send) one session may make at once after being quiet. */
  callBurst: number;
  /** IPC calls per second one session may make in the long run. */
  callsPerSecond: number;
  /** HTTP requests (files and the bootstrap) the server answers at once, for all clients. */
  httpBurst: number;
  httpPerSecond: number;
  /** Unused bootstrap links kept at once; the oldest is forgotten past this. */
  maxPendingLinks: number;
}

/**
 * Sized from use: a page load is about 20 requests; opening a 1,000-slide lesson asks for every
 * slide image at once (1,000 calls); a live avatar credits 25-30 frames a second; an export
 * writes in 1 MB chunks. The audit's flood was 10,000 calls in 0.98 s and 200 sockets.
 */
export const defaultHeadlessLimits: HeadlessLimits = {
  maxSockets: 64,
  maxClients: 16,
  callBurst: 2000,
  callsPerSecond: 1000,
  httpBurst: 300,
  httpPerSecond: 100,
  maxPendingLinks: 32,
};

/** For answers that are not app files (errors, refusals, the bootstrap): nothing may load. */
export const strictContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

/**
 * The app's own policy, as the built index.html declares it in its meta tag, sent as a header
 * too: only a header can carry frame-ancestors, and a worker script takes its policy from its
 * own response's header, so every app file gets the page's policy. Without a meta tag (a test
 * renderer), files may load only from this origin.
 */
export function appContentSecurityPolicy(indexHtml: string): string {
  const marker = indexHtml.search(/http-equiv=["']?Content-Security-Policy/i);
  const tagEnd = marker < 0 ? -1 : indexHtml.indexOf('>', marker);
  const tag = tagEnd < 0 ? '' : indexHtml.slice(indexHtml.lastIndexOf('<', marker), tagEnd);
  const contentAt = tag.indexOf('content="');
  const policy =
    contentAt < 0
      ? "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
      : tag.slice(contentAt + 'content="'.length, tag.indexOf('"', contentAt + 'content="'.length));
  return policy.includes('frame-ancestors') ? policy : `${policy}; frame-ancestors 'none'`;
}

/** Headers every answer carries, whatever its status. Nothing is cached: answers may hold a token. */
export function securityHeaders(contentSecurityPolicy: string): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
  };
}

/** A whole HTTP response as bytes, for sockets the HTTP layer never sees (refused ones). */
export function rawResponse(status: number, reason: string, message: string): string {
  const headers = {
    ...securityHeaders(strictContentSecurityPolicy),
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(message)),
    connection: 'close',
    ...(status === 429 ? { 'retry-after': '1' } : {}),
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `HTTP/1.1 ${status} ${reason}\r\n${lines.join('\r\n')}\r\n\r\n${message}`;
}

export function answer(
  response: ServerResponse,
  status: number,
  message: string,
  extra: Record<string, string> = {},
): void {
  response.writeHead(status, {
    ...securityHeaders(strictContentSecurityPolicy),
    'content-type': 'text/plain; charset=utf-8',
    ...extra,
  });
  response.end(message);
}

/**
 * A token bucket: `take()` is true while tokens are left. Buckets are small enough that one
 * per session is cheap; a session refused stays refused until the bucket refills.
 */
export function createTokenBucket(
  burst: number,
  perSecond: number,
  now: () => number,
): { take(): boolean } {
  let tokens = burst;
  let updatedMs = now();
  return {
    take() {
      const at = now();
      tokens = Math.min(burst, tokens + (Math.max(0, at - updatedMs) / 1000) * perSecond);
      updatedMs = at;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

/**
 * Puts a plain TCP listener in front of the HTTP server so that a connection over the cap is
 * answered (a 429 with a reason) and closed before the HTTP layer or a file descriptor's worth
 * of parser state is spent on it. Refused sockets are not counted, so the count is exactly the
 * connections being served.
 */
export function createCappedListener(
  http: HttpServer,
  maxSockets: number,
  onRefused: () => void,
): { listener: NetServer; destroyAll: () => void } {
  // The HTTP server never listens itself, so it tracks no connections: this set does.
  const open = new Set<Socket>();
  const refused = new Set<Socket>();
  const refusal = rawResponse(
    429,
    'Too Many Requests',
    `Rapido serves at most ${maxSockets} connections at once; close some and retry.\n`,
  );
  const listener = createNetServer((socket: Socket) => {
    if (open.size >= maxSockets) {
      onRefused();
      // Read and discard what the client sends, so closing does not reset the connection
      // before the client has read the answer; give up on clients that never close.
      refused.add(socket);
      socket.once('close', () => refused.delete(socket));
      socket.on('error', () => undefined);
      socket.resume();
      socket.setTimeout(2000, () => socket.destroy());
      socket.end(refusal);
      return;
    }
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    http.emit('connection', socket);
  });
  return {
    listener,
    destroyAll() {
      for (const socket of [...open, ...refused]) socket.destroy();
    },
  };
}

/** The key a session token is kept under: a lookup by digest leaks nothing about the token. */
function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/**
 * One-time bootstrap links and the session tokens they buy. A link's nonce (in the URL fragment,
 * never sent to a server by a browser's navigation) is burned on first use; the page trades it
 * for a session token over a same-origin POST and keeps that token in its tab's sessionStorage.
 * So what a command line or a terminal shows is worthless once the page has loaded, and a
 * process that raced the page to it is noticed: the page then cannot start.
 */
export function createSessionKeeper(maxPendingLinks: number) {
  const pendingNonces = new Set<string>();
  const sessions = new Set<string>();
  return {
    /** A fresh nonce for one link. */
    mintNonce(): string {
      const nonce = randomBytes(24).toString('base64url');
      pendingNonces.add(digest(nonce));
      if (pendingNonces.size > maxPendingLinks) {
        const oldest = pendingNonces.values().next().value;
        if (oldest !== undefined) pendingNonces.delete(oldest);
      }
      return nonce;
    },
    /** Burns the nonce and returns a new session token, or null when it is unknown or used. */
    redeem(nonce: string | undefined): string | null {
      if (nonce === undefined || !pendingNonces.delete(digest(nonce))) return null;
      const token = randomBytes(32).toString('base64url');
      sessions.add(digest(token));
      return token;
    },
    /** The session's key (for its rate limit), or null when the token is not a session's. */
    sessionOf(token: string | null): string | null {
      if (token === null) return null;
      const key = digest(token);
      return sessions.has(key) ? key : null;
    },
  };
}
