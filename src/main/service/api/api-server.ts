import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createCappedListener } from '../../hosts/headless/headless-guard.ts';
import type { Logger } from '../../services/logging/logger.ts';
import type { Environment } from '../../services/platform/config/environment.ts';
import { bearerToken } from '../auth/api-token.ts';
import type { RenderQueue } from '../jobs/render-queue.ts';
import { matchPath, type ApiServices, type Route } from './api-context.ts';
import { createApiGate, refuseOnSocket, requestUrl } from './api-gate.ts';
import { ApiError, sendError } from './api-http.ts';
import { defaultArchiveLimits, type ArchiveLimits } from './archive-unpack.ts';
import { createUpgradeHandler } from './api-upgrade.ts';
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

  const gate = createApiGate({ secret, rateLimiter, logger });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let predecessor = false;
    try {
      const url = requestUrl(request);
      const candidates = allRoutes
        .map((route) => ({ route, params: matchPath(route.pattern, url.pathname) }))
        .filter((match) => match.params !== null);
      const found = candidates.find((match) => match.route.method === request.method);
      if (!found) {
        await gate.admit(request, null, null, false);
        if (candidates.length === 0)
          throw new ApiError(404, 'not-found', 'There is no such route.');
        const allow = [...new Set(candidates.map((match) => match.route.method))].join(', ');
        throw new ApiError(405, 'method-not-allowed', `This route takes ${allow}.`, { allow });
      }
      predecessor = found.route.predecessor === true;
      const claims = await gate.admit(
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
      const refusal = gate.failure(
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

  const sockets = createUpgradeHandler(gate, services);

  const server = createServer((request, response) => void handle(request, response));
  server.requestTimeout = 600_000;
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    void sockets.upgrade(request, socket, head);
  });
  // Bytes that are not HTTP (or a body with no length on a GET, read as the next request).
  server.on('clientError', (_error, socket: Duplex) => {
    if (socket.writable) {
      refuseOnSocket(
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
      sockets.close();
      await new Promise<void>((resolveClose) => {
        capped.listener.close(() => resolveClose());
        capped.destroyAll();
      });
    },
  };
}
