import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventChannel, EventPayload } from '../../../shared/ipc/contract.ts';
import { decodeWireMessage, encodeWireMessage } from '../../../shared/ipc/wire.ts';
import { err } from '../../../shared/result.ts';
import type { Dispatcher } from '../../services/ipc/dispatcher.ts';
import type { Logger } from '../../services/logging/logger.ts';

/**
 * The headless host's transport: serves the built renderer and carries the IPC contract over a
 * binary WebSocket on loopback. A random token (in the page URL's fragment, never logged by the
 * server) and an Origin check keep other local pages and processes out.
 */
export interface HeadlessServer {
  /** Open this in a browser; it carries the token in its fragment. */
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

function tokensMatch(expected: string, given: string | null): boolean {
  if (given === null) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startHeadlessServer(options: {
  rendererDir: string;
  dispatcher: Dispatcher;
  logger: Logger;
  port?: number;
  token?: string;
}): Promise<HeadlessServer> {
  const { dispatcher, logger } = options;
  // Absolute and without a trailing separator, so the containment check below holds.
  const rendererDir = resolve(options.rendererDir);
  const token = options.token ?? randomBytes(24).toString('base64url');
  const sockets = new Set<WebSocket>();
  const clients = new Map<string, WebSocket>();
  let nextClient = 1;

  async function serveStatic(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = parseRequestUrl(request, 'http://127.0.0.1');
    const relative = url === null ? null : relativeFilePath(url);
    if (relative === null) {
      response.writeHead(400).end();
      return;
    }
    const target = normalize(join(rendererDir, relative));
    if (!target.startsWith(rendererDir + sep) || request.method !== 'GET') {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(target);
      response.writeHead(200, {
        'content-type': contentTypes[extname(target)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  }

  const server = createServer((request, response) => {
    serveStatic(request, response).catch((error: unknown) => {
      logger.error('static file request failed', { event_type: 'http_error', error });
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  server.on('upgrade', (request, socket, head) => {
    const url = parseRequestUrl(request, origin);
    const allowed =
      url !== null &&
      url.pathname === ipcPath &&
      request.headers.origin === origin &&
      tokensMatch(token, url.searchParams.get('token'));
    if (!allowed) {
      logger.warn('refused a WebSocket connection (bad path, origin or token)', {
        event_type: 'ipc_rejected',
      });
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const clientId = `ws-${nextClient++}`;
      sockets.add(ws);
      clients.set(clientId, ws);
      const context = { transport: 'websocket' as const, clientId };
      ws.on('message', (data, isBinary) => {
        if (!isBinary || !(data instanceof Buffer)) {
          logger.warn('dropped a non-binary IPC message', { event_type: 'ipc_rejected' });
          return;
        }
        let message;
        try {
          message = decodeWireMessage(
            new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
          );
        } catch (error) {
          logger.warn('dropped a malformed IPC frame', { event_type: 'ipc_rejected', error });
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
      });
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
    appUrl: `${origin}/#token=${token}`,
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
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
