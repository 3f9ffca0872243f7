import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { createCappedListener } from '../../hosts/headless/headless-guard.ts';
import type { Logger } from '../../services/logging/logger.ts';
import type { Environment } from '../../services/platform/config/environment.ts';
import { bearerToken, verifyToken, type ApiScope, type TokenCheck } from '../auth/api-token.ts';
import type { RenderQueue } from '../jobs/render-queue.ts';
import { matchPath, type ApiServices, type Route } from './api-context.ts';
import { ApiError, apiHeaders, sendError } from './api-http.ts';
import { defaultArchiveLimits, type ArchiveLimits } from './archive-unpack.ts';
import { jobIdSchema } from './api-schemas.ts';
import { serveJobEvents, serveLessonUpdates } from './job-sockets.ts';
import { jobRoutes } from './job-routes.ts';
import { cliSlideDataImporter, type SlideDataImporter } from './lesson-source.ts';
import { predecessorRoutes } from './predecessor-routes.ts';
import { createProviderStatusCache, type ProviderProbe } from './provider-status.ts';
import {
  createApiRateLimiter,
  defaultRateLimits,
  type RateLimits,
  type RedisStoreClient,
} from './rate-limit.ts';

/**
 * `rapido api`: the farm's HTTP + WebSocket API on node:http and `ws`, no framework. The
 * pipeline of every request: match the route; read the token (HS256 JWT, api-token.ts); count
 * the request against its client's rate limit (the token's subject, else the address); refuse
 * a missing or bad token (401) or a missing scope (403); run the handler. Anything a handler
 * throws that is not an ApiError is logged (secrets redacted by the logger) and answered as a
 * bare 500: no message, stack or path of it leaves the server.
 */
export interface ApiLimits extends RateLimits, ArchiveLimits {
  jsonBodyBytes: number;
  archiveBodyBytes: number;
  maxConnections: number;
  /** How old the providers' reachability may be before /status asks again. */
  providerStatusMaxAgeMs: number;
}

export const defaultApiLimits: ApiLimits = {
  ...defaultRateLimits,
  ...defaultArchiveLimits,
  jsonBodyBytes: 64 * 1024,
  archiveBodyBytes: 200 * 1024 * 1024,
  maxConnections: 256,
  providerStatusMaxAgeMs: 30_000,
};

export interface ApiServerOptions {
  queue: RenderQueue;
  /** JWT_SECRET (required) and LIVEKIT_URL are read from it. */
  environment: Environment;
  /** RAPIDO_LESSON_ROOT: lessons named by path are read only from under it. */
  lessonRoot: string;
  /** RAPIDO_DATA_DIR: unpacked archives and imported slide data go under its farm/lessons. */
  dataDir: string;
  logger: Logger;
  host?: string;
  port?: number;
  limits?: Partial<ApiLimits>;
  /** A Redis client (ioredis) for rate limits shared by every API process; null: in memory. */
  redis?: RedisStoreClient | null;
  /** Key prefix of the rate-limit counters (default rapido-api). */
  rateLimitPrefix?: string;
  /** Each provider's reachability for /status (rapido api passes `rapido status`'s probes). */
  providerProbe?: ProviderProbe;
  importSlideData?: SlideDataImporter;
  now?: () => number;
}

export interface ApiServer {
  /** http://host:port */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const allRoutes: Route[] = [...jobRoutes, ...predecessorRoutes];

/** The WebSocket subprotocol a browser offers beside its token: `['rapido-jwt', token]`. */
export const tokenProtocol = 'rapido-jwt';

/**
 * The request's URL. The request line's target is a path, taken as such (`//x` is no host);
 * one that still fails to parse is the client's fault (400), never a crash.
 */
function requestUrl(request: IncomingMessage): URL {
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

/** The token of a WebSocket upgrade: `?access_token=` or Sec-WebSocket-Protocol. */
function socketToken(request: IncomingMessage, url: URL): string | null {
  const fromQuery = url.searchParams.get('access_token');
  if (fromQuery !== null) return fromQuery;
  const offered = (request.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((item) => item.trim());
  const at = offered.indexOf(tokenProtocol);
  return at >= 0 ? (offered[at + 1] ?? null) : null;
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
    {
      'www-authenticate': `Bearer realm="rapido", error="insufficient_scope", scope="${scope}"`,
    },
  );
}

export async function createApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const secret = options.environment.JWT_SECRET;
  if (secret === undefined)
    throw new Error('JWT_SECRET is not set: the API signs and checks tokens with it');
  const limits = { ...defaultApiLimits, ...options.limits };
  const now = options.now ?? Date.now;
  const logger = options.logger;
  const rateLimiter = createApiRateLimiter(limits, options.redis ?? null, options.rateLimitPrefix);
  const services: ApiServices = {
    queue: options.queue,
    logger,
    lessons: {
      lessonRoot: options.lessonRoot,
      dataDir: options.dataDir,
      archiveLimits: { maxEntries: limits.maxEntries, maxTotalBytes: limits.maxTotalBytes },
      importSlideData: options.importSlideData ?? cliSlideDataImporter(),
    },
    providers: createProviderStatusCache(options.providerProbe ?? (() => Promise.resolve([])), {
      maxAgeMs: limits.providerStatusMaxAgeMs,
      now,
    }),
    liveKitConfigured: options.environment.LIVEKIT_URL !== undefined,
    limits: { jsonBodyBytes: limits.jsonBodyBytes, archiveBodyBytes: limits.archiveBodyBytes },
    now,
  };

  /** Token, rate limit, scope: the same gate for requests and WebSocket upgrades. */
  async function admit(
    request: IncomingMessage,
    scope: ApiScope | null,
    token: string | null,
    submits: boolean,
  ) {
    const check = scope === null ? null : await verifyToken(secret ?? '', token);
    const client = check?.ok ? `sub:${check.claims.subject}` : remoteKey(request);
    const decision = await rateLimiter.take(client, submits ? 'submit' : 'request');
    if (!decision.ok) {
      throw new ApiError(
        429,
        'rate-limited',
        `Too many requests; retry in ${decision.retryAfterSeconds} s.`,
        {
          'retry-after': String(decision.retryAfterSeconds),
        },
      );
    }
    if (check === null || scope === null) return null;
    if (!check.ok) throw authError(check);
    if (!check.claims.scopes.includes(scope)) throw scopeError(scope);
    return check.claims;
  }

  function failure(error: unknown, where: string): ApiError {
    if (error instanceof ApiError) return error;
    logger.error('API request failed', { event_type: 'api_error', where, error });
    return new ApiError(500, 'internal', 'The server could not complete this request.');
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let predecessor = false;
    try {
      const url = requestUrl(request);
      const candidates = allRoutes
        .map((route) => ({ route, params: matchPath(route.pattern, url.pathname) }))
        .filter((match) => match.params !== null);
      const found = candidates.find((match) => match.route.method === request.method);
      if (!found) {
        await admit(request, null, null, false);
        if (candidates.length === 0)
          throw new ApiError(404, 'not-found', 'There is no such route.');
        const allow = [...new Set(candidates.map((match) => match.route.method))].join(', ');
        throw new ApiError(405, 'method-not-allowed', `This route takes ${allow}.`, { allow });
      }
      predecessor = found.route.predecessor === true;
      const claims = await admit(
        request,
        found.route.scope,
        bearerToken(request.headers.authorization),
        found.route.submits === true,
      );
      await found.route.handle({
        request,
        response,
        url,
        params: found.params ?? {},
        claims,
        services,
      });
    } catch (error) {
      const refusal = failure(
        error,
        `${request.method ?? '?'} ${request.url?.split('?')[0] ?? ''}`,
      );
      if (response.headersSent) {
        response.destroy();
        return;
      }
      sendError(response, refusal, { withDetail: predecessor });
    }
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4096,
    handleProtocols: (protocols) => (protocols.has(tokenProtocol) ? tokenProtocol : false),
  });

  /** Refuses on the bare socket (an upgrade, malformed HTTP) with the JSON answer of any other. */
  function refuseUpgrade(socket: Duplex, error: ApiError): void {
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

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    try {
      const url = requestUrl(request);
      const lesson = matchPath('/ws/lesson/:lesson_id', url.pathname);
      const job = matchPath('/v1/jobs/:id/events', url.pathname);
      if (lesson === null && job === null) {
        await admit(request, null, null, false);
        throw new ApiError(404, 'not-found', 'There is no such WebSocket route.');
      }
      await admit(request, 'jobs:read', socketToken(request, url), false);
      if (lesson !== null) {
        const lessonId = lesson.lesson_id ?? '';
        if (!/^[A-Za-z0-9_.-]{1,100}$/.test(lessonId)) {
          throw new ApiError(
            400,
            'invalid-request',
            'lesson_id: use letters, digits, ".", "_" and "-" only',
          );
        }
        wss.handleUpgrade(request, socket, head, (ws) => {
          void serveLessonUpdates(ws, services, lessonId).catch((error: unknown) => {
            failure(error, 'ws lesson');
            ws.close(1011, 'internal error');
          });
        });
        return;
      }
      const id = jobIdSchema.safeParse(job?.id);
      if (!id.success || (await services.queue.get(id.data)) === null) {
        throw new ApiError(404, 'job-not-found', 'There is no such job.');
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        void serveJobEvents(ws, services, id.data).catch((error: unknown) => {
          failure(error, 'ws job');
          ws.close(1011, 'internal error');
        });
      });
    } catch (error) {
      refuseUpgrade(socket, failure(error, 'ws upgrade'));
    }
  }

  const server = createServer((request, response) => void handle(request, response));
  server.requestTimeout = 600_000;
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    void upgrade(request, socket, head);
  });
  // Bytes that are not HTTP (or a body with no length on a GET, read as the next request).
  server.on('clientError', (_error, socket: Duplex) => {
    if (socket.writable) {
      refuseUpgrade(
        socket,
        new ApiError(400, 'bad-request', 'The request is not well-formed HTTP.'),
      );
    } else socket.destroy();
  });
  const capped = createCappedListener(server, limits.maxConnections, () =>
    logger.warn('API connection refused: too many open', { event_type: 'api_connections_full' }),
  );
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolveListen, rejectListen) => {
    capped.listener.once('error', rejectListen);
    capped.listener.listen(options.port ?? 8080, host, () => resolveListen());
  });
  const port = (capped.listener.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  // Probes start now, so the first /status need not wait for them.
  void services.providers.current();
  logger.info('API listening', { event_type: 'api_listening', host, port });
  return {
    url: `http://${shownHost}:${port}`,
    port,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolveClose) => {
        capped.listener.close(() => resolveClose());
        capped.destroyAll();
      });
    },
  };
}
