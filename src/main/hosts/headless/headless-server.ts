import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { EventChannel, EventPayload } from '../../../shared/ipc/contract.ts';
import { decodeWireMessage, encodeWireMessage } from '../../../shared/ipc/wire.ts';
import { err } from '../../../shared/result.ts';
import type { Dispatcher } from '../../services/ipc/dispatcher.ts';
import type { Logger } from '../../services/logging/logger.ts';
import {
  answer,
  appContentSecurityPolicy,
  createCappedListener,
  createSessionKeeper,
  createTokenBucket,
  defaultHeadlessLimits,
  rawResponse,
  securityHeaders,
  type HeadlessLimits,
} from './headless-guard.ts';

/**
 * The headless host's transport: serves the built renderer and carries the IPC contract over a
 * binary WebSocket on loopback. A session token (bought once with a one-time link, never logged,
 * printed or put on a command line) and an Origin check keep other local pages and processes
 * out; caps and rate limits keep a flood from starving the host (headless-guard.ts).
 */
export interface HeadlessServer {
  /**
   * A fresh one-time link for a browser: each read mints a new bootstrap nonce (in the
   * fragment), burned when the page trades it for its session token.
   */
  readonly appUrl: string;
  readonly origin: string;
  emit<C extends EventChannel>(channel: C, payload: EventPayload<C>): void;
  /** To one client only (the clientId its calls carried); dropped when it has gone. */
  emitTo<C extends EventChannel>(clientId: string, channel: C, payload: EventPayload<C>): void;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
};

export const ipcPath = '/rapido-ipc';
/** Where a page trades its one-time link's nonce (in `x-rapido-bootstrap`) for a session token. */
export const sessionPath = '/rapido-session';
const maxMessageBytes = 64 * 1024 * 1024;

/** The request's URL, or null when it cannot be parsed (a client must not crash the host). */
function parseRequestUrl(request: IncomingMessage, base: string): URL | null {
  try {
    return new URL(request.url ?? '/', base);
  } catch {
    return null;
  }
}

/** The file path a URL names below the renderer folder, or null when it is malformed. */
function relativeFilePath(url: URL): string | null {
  if (url.pathname === '/') return 'index.html';
  try {
    return decodeURIComponent(url.pathname).slice(1);
  } catch {
    return null;
  }
}

/** Logs the first of a run of refusals only: a flood must not flood the log too. */
function createRefusalLog(logger: Logger, message: string, eventType: string) {
  let refusedInRun = 0;
  return {
    refused() {
      refusedInRun += 1;
      if (refusedInRun === 1) logger.warn(message, { event_type: eventType });
    },
    admitted() {
      if (refusedInRun > 1) {
        logger.warn(`${message}: ${refusedInRun} in all`, {
          event_type: eventType,
          refused: refusedInRun,
        });
      }
      refusedInRun = 0;
    },
  };
}

/**
 * One IPC frame from a page: checked (binary, decodable, within the session's rate), then
 * dispatched; an invoke always gets an answer, a refusal included.
 */
function handleIpcMessage(
  ws: WebSocket,
  data: RawData,
  isBinary: boolean,
  on: {
    dispatcher: Dispatcher;
    logger: Logger;
    bucket: { take(): boolean };
    refusals: { admitted(): void; refused(): void };
    context: { transport: 'websocket'; clientId: string };
  },
): void {
  const { dispatcher, logger, bucket, refusals, context } = on;
  if (!isBinary || !(data instanceof Buffer)) {
    logger.warn('dropped a non-binary IPC message', { event_type: 'ipc_rejected' });
    return;
  }
  const admitted = bucket.take();
  if (admitted) refusals.admitted();
  else refusals.refused();
  let message;
  try {
    message = decodeWireMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } catch (error) {
    logger.warn('dropped a malformed IPC frame', { event_type: 'ipc_rejected', error });
    return;
  }
  if (!admitted) {
    // An invoke still gets its answer, so the page's caller is not left waiting.
    if (message.kind === 'invoke') {
      ws.send(
        encodeWireMessage({
          kind: 'result',
          id: message.id,
          value: err('not-available', 'Too many calls to the Rapido host at once.', {
            hint: 'Slow down; calls are accepted again within a second.',
          }),
        }),
      );
    }
    return;
  }
  if (message.kind === 'invoke') {
    const { id, channel } = message;
    void dispatcher.invoke(channel, message.payload, context).then((value) => {
      if (ws.readyState !== ws.OPEN) return;
      let frame: Uint8Array;
      try {
        frame = encodeWireMessage({ kind: 'result', id, value });
      } catch (error) {
        // A handler answered with something the wire cannot carry: a bug, but the caller
        // still gets an answer and the host keeps running.
        logger.error(`could not encode the answer to ${channel}`, {
          event_type: 'ipc_handler_bug',
          error,
        });
        frame = encodeWireMessage({
          kind: 'result',
          id,
          value: err('internal', `Rapido could not send the answer to ${channel}.`),
        });
      }
      ws.send(frame);
    });
  } else if (message.kind === 'send') {
    dispatcher.send(message.channel, message.payload, context);
  }
}

export async function startHeadlessServer(options: {
  rendererDir: string;
  dispatcher: Dispatcher;
  logger: Logger;
  port?: number;
  limits?: Partial<HeadlessLimits>;
  /** The rate limits' clock, in milliseconds (tests step it). */
  now?: () => number;
}): Promise<HeadlessServer> {
  const { dispatcher, logger } = options;
  const limits = { ...defaultHeadlessLimits, ...options.limits };
  const now = options.now ?? (() => performance.now());
  // Absolute and without a trailing separator, so the containment check below holds.
  const rendererDir = resolve(options.rendererDir);
  const appPolicy = appContentSecurityPolicy(
    await readFile(join(rendererDir, 'index.html'), 'utf8').catch(() => ''),
  );
  const keeper = createSessionKeeper(limits.maxPendingLinks);
  const httpBucket = createTokenBucket(limits.httpBurst, limits.httpPerSecond, now);
  // Per session: a page that reloads keeps its bucket, and one page's flood is its own.
  const callLimits = new Map<
    string,
    { bucket: ReturnType<typeof createTokenBucket>; refusals: ReturnType<typeof createRefusalLog> }
  >();
  const httpRefusals = createRefusalLog(
    logger,
    'refused HTTP requests over the rate limit',
    'http_rate_limited',
  );
  const sockets = new Set<WebSocket>();
  const clients = new Map<string, WebSocket>();
  let nextClient = 1;

  async function serveStatic(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = parseRequestUrl(request, 'http://127.0.0.1');
    const relative = url === null ? null : relativeFilePath(url);
    if (relative === null) {
      answer(response, 400, 'Bad request.\n');
      return;
    }
    const target = normalize(join(rendererDir, relative));
    if (!target.startsWith(rendererDir + sep) || request.method !== 'GET') {
      answer(response, 404, 'Not found.\n');
      return;
    }
    try {
      const body = await readFile(target);
      response.writeHead(200, {
        ...securityHeaders(appPolicy),
        'content-type': contentTypes[extname(target)] ?? 'application/octet-stream',
      });
      response.end(body);
    } catch {
      answer(response, 404, 'Not found.\n');
    }
  }

  /** The one-time link's nonce for a session token; only this origin's pages may ask. */
  function startSession(request: IncomingMessage, response: ServerResponse): void {
    const nonce = request.headers['x-rapido-bootstrap'];
    const token =
      request.method === 'POST' && request.headers.origin === origin && typeof nonce === 'string'
        ? keeper.redeem(nonce)
        : null;
    if (token === null) {
      logger.warn('refused a session bootstrap (used or unknown link, or another origin)', {
        event_type: 'ipc_rejected',
      });
      answer(
        response,
        403,
        'This link was already used or is not valid: ask Rapido for a new one.\n',
      );
      return;
    }
    response.writeHead(200, {
      ...securityHeaders(appPolicy),
      'content-type': 'application/json',
    });
    response.end(JSON.stringify({ token }));
  }

  const server = createServer((request, response) => {
    if (!httpBucket.take()) {
      httpRefusals.refused();
      answer(response, 429, 'Too many requests: slow down and retry.\n', { 'retry-after': '1' });
      return;
    }
    httpRefusals.admitted();
    if (parseRequestUrl(request, 'http://127.0.0.1')?.pathname === sessionPath) {
      startSession(request, response);
      return;
    }
    serveStatic(request, response).catch((error: unknown) => {
      logger.error('static file request failed', { event_type: 'http_error', error });
      if (!response.headersSent) answer(response, 500, 'Internal error.\n');
      else response.end();
    });
  });
  const capped = createCappedListener(server, limits.maxSockets, () =>
    logger.warn('refused a connection over the cap', { event_type: 'connection_refused' }),
  );
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });
  await new Promise<void>((resolve, reject) => {
    capped.listener.once('error', reject);
    capped.listener.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = capped.listener.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  server.on('upgrade', (request, socket, head) => {
    const url = parseRequestUrl(request, origin);
    const session =
      url !== null && url.pathname === ipcPath && request.headers.origin === origin
        ? keeper.sessionOf(url.searchParams.get('token'))
        : null;
    if (session === null) {
      logger.warn('refused a WebSocket connection (bad path, origin or token)', {
        event_type: 'ipc_rejected',
      });
      socket.end(rawResponse(403, 'Forbidden', 'Not a Rapido page of this host.\n'));
      return;
    }
    if (sockets.size >= limits.maxClients) {
      logger.warn('refused a WebSocket over the cap', { event_type: 'connection_refused' });
      socket.end(
        rawResponse(
          429,
          'Too Many Requests',
          `Rapido serves at most ${limits.maxClients} pages at once; close one and retry.\n`,
        ),
      );
      return;
    }
    let calls = callLimits.get(session);
    if (calls === undefined) {
      calls = {
        bucket: createTokenBucket(limits.callBurst, limits.callsPerSecond, now),
        refusals: createRefusalLog(
          logger,
          'refused IPC calls over the rate limit',
          'ipc_rate_limited',
        ),
      };
      callLimits.set(session, calls);
    }
    const { bucket, refusals } = calls;
    wss.handleUpgrade(request, socket, head, (ws) => {
      const clientId = `ws-${nextClient++}`;
      sockets.add(ws);
      clients.set(clientId, ws);
      const context = { transport: 'websocket' as const, clientId };
      ws.on('message', (data, isBinary) =>
        handleIpcMessage(ws, data, isBinary, { dispatcher, logger, bucket, refusals, context }),
      );
      // Protocol errors (bad UTF-8, oversized frames) close this socket; unheard, they would
      // be thrown as an uncaught 'error' event and take the whole host down.
      ws.on('error', (error) =>
        logger.warn('closed a WebSocket after a protocol error', {
          event_type: 'ipc_rejected',
          error,
        }),
      );
      ws.on('close', () => {
        sockets.delete(ws);
        clients.delete(clientId);
      });
    });
  });

  return {
    get appUrl() {
      return `${origin}/#boot=${keeper.mintNonce()}`;
    },
    origin,
    emit(channel, payload) {
      const frame = encodeWireMessage({ kind: 'event', channel, payload });
      for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
    },
    emitTo(clientId, channel, payload) {
      const ws = clients.get(clientId);
      if (ws?.readyState !== ws?.OPEN || !ws) return;
      ws.send(encodeWireMessage({ kind: 'event', channel, payload }));
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      capped.destroyAll();
      await new Promise<void>((resolve) => capped.listener.close(() => resolve()));
    },
  };
}
