import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createMemoryLogger } from '../../src/main/services/logging/logger.ts';
import type { Environment } from '../../src/main/services/platform/config/environment.ts';
import { mintToken, type ApiScope } from '../../src/main/service/auth/api-token.ts';
import {
  createApiServer,
  type ApiLimits,
  type ApiServer,
  type ApiServerOptions,
} from '../../src/main/service/api/api-server.ts';
import type { SlideDataImporter } from '../../src/main/service/api/lesson-source.ts';
import { tempRoot } from '../lesson-files.ts';
import { createMemoryRenderQueue, type MemoryRenderQueue } from './memory-render-queue.ts';

/**
 * Test support: the real API server on a free loopback port, over the in-memory queue double,
 * with a lesson root holding a copy of the sample lesson (`sample/`) and a data folder, and
 * tokens minted with the server's own secret.
 */
export const testSecret = 'test-secret-for-the-api-0123456789abcdef';
export const sampleLessonDir = join(import.meta.dirname, '../../resources/sample-lesson');
export const allScopes: ApiScope[] = ['jobs:submit', 'jobs:read', 'jobs:cancel'];

export interface ApiTestServer {
  server: ApiServer;
  queue: MemoryRenderQueue;
  logger: ReturnType<typeof createMemoryLogger>;
  lessonRoot: string;
  dataDir: string;
  /** Outside the lesson root (for escapes): holds a lesson too. */
  outsideDir: string;
  token(
    scopes?: ApiScope[],
    options?: { subject?: string; lifetimeSeconds?: number; nowMs?: number },
  ): Promise<string>;
  close(): Promise<void>;
}

export async function startApiTestServer(
  options: {
    limits?: Partial<ApiLimits>;
    environment?: Partial<Environment>;
    importSlideData?: SlideDataImporter;
    redis?: ApiServerOptions['redis'];
    rateLimitPrefix?: string;
    providerProbe?: ApiServerOptions['providerProbe'];
  } = {},
): Promise<ApiTestServer> {
  const { root, remove } = await tempRoot('rapido-api-');
  const lessonRoot = join(root, 'lessons');
  const dataDir = join(root, 'data');
  const outsideDir = join(root, 'outside');
  await cp(sampleLessonDir, join(lessonRoot, 'sample'), { recursive: true });
  await cp(sampleLessonDir, join(outsideDir, 'lesson'), { recursive: true });
  await mkdir(dataDir, { recursive: true });
  const queue = createMemoryRenderQueue(dataDir);
  const logger = createMemoryLogger('info');
  const server = await createApiServer({
    queue,
    environment: { JWT_SECRET: testSecret, ...options.environment },
    lessonRoot,
    dataDir,
    logger,
    port: 0,
    limits: { requestsPerMinute: 100_000, submitsPerMinute: 100_000, ...options.limits },
    redis: options.redis ?? null,
    ...(options.rateLimitPrefix === undefined ? {} : { rateLimitPrefix: options.rateLimitPrefix }),
    providerProbe:
      options.providerProbe ??
      (() =>
        Promise.resolve([
          { name: 'ElevenLabs', state: 'off' as const },
          { name: 'Chromium', state: 'ok' as const },
        ])),
    ...(options.importSlideData ? { importSlideData: options.importSlideData } : {}),
  });
  return {
    server,
    queue,
    logger,
    lessonRoot,
    dataDir,
    outsideDir,
    token: (scopes = allScopes, tokenOptions = {}) =>
      mintToken({
        secret: testSecret,
        subject: tokenOptions.subject ?? 'test-client',
        scopes,
        lifetimeSeconds: tokenOptions.lifetimeSeconds ?? 3600,
        ...(tokenOptions.nowMs === undefined ? {} : { nowMs: tokenOptions.nowMs }),
      }),
    async close() {
      await server.close();
      await queue.close();
      await remove();
    },
  };
}
