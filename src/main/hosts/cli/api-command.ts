import { mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { createApiServer, defaultApiLimits } from '../../service/api/api-server.ts';
import type { ProviderProbe } from '../../service/api/provider-status.ts';
import { createBullRenderQueue } from '../../service/queue/bull-render-queue.ts';
import { createLogger } from '../../services/logging/logger.ts';
import {
  headlessDataDir,
  readEnvironment,
  type Environment,
} from '../../services/platform/config/environment.ts';
import { chromiumPath } from '../headless/chromium.ts';
import { argumentsOrExit, describe, fail, usage } from './cli-support.ts';
import { cliServices } from './status-command.ts';
import {
  probeChromium,
  probeElevenLabs,
  probeEspeak,
  probeLiveKit,
  probeSyncTalk,
} from './status-probes.ts';

/**
 * `rapido api [--host 127.0.0.1] [--port 8080]` (also `npm run api`): the farm's HTTP API
 * (service/api/) over the BullMQ queue on RAPIDO_REDIS_URL, lessons read only from under
 * RAPIDO_LESSON_ROOT, uploads and imports kept under RAPIDO_DATA_DIR, tokens checked with
 * JWT_SECRET, rate limits shared through the same Redis. Exit codes: 2 bad input (arguments,
 * environment, a taken port); it runs until SIGINT/SIGTERM, then 0.
 */
const portSchema = z.coerce.number().int().min(0).max(65535);
const positiveSchema = z.coerce.number().int().min(1).max(1_000_000);

/** What `rapido status` asks, minus LibreOffice (the API never converts decks itself). */
function providerProbe(env: Environment): ProviderProbe {
  return async () => {
    const keyless = await mkdtemp(join(tmpdir(), 'rapido-api-status-'));
    const services = cliServices(env, keyless);
    try {
      return await Promise.all([
        probeElevenLabs(services.voices),
        probeSyncTalk(services.syncTalk, null, env.SYNCTALK_SERVER_URL),
        probeLiveKit(services.live),
        probeChromium(chromiumPath(env.CHROMIUM_PATH), env.CHROMIUM_PATH !== undefined),
        probeEspeak(services.logger),
      ]);
    } finally {
      await services.syncTalk.close();
      services.voices.close();
      services.cacheOnlyVoices.close();
      await rm(keyless, { recursive: true, force: true });
    }
  };
}

function parseApiArgs(argv: string[]) {
  const { values, positionals } = argumentsOrExit(() =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'rate-limit': { type: 'string' },
        'max-archive-mb': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  if (positionals.length > 0) fail(2, `api takes no <arguments>\n${usage}`);
  const port = portSchema.safeParse(values.port ?? '8080');
  if (!port.success) fail(2, `--port must be a port number (0-65535)\n${usage}`);
  const rate = positiveSchema.safeParse(values['rate-limit'] ?? defaultApiLimits.requestsPerMinute);
  if (!rate.success) fail(2, '--rate-limit must be a number of requests per minute (1 or more)');
  const archiveMb = positiveSchema.safeParse(
    values['max-archive-mb'] ?? defaultApiLimits.archiveBodyBytes / (1024 * 1024),
  );
  if (!archiveMb.success) fail(2, '--max-archive-mb must be a number of MiB (1 or more)');
  return {
    host: values.host ?? '127.0.0.1',
    port: port.data,
    requestsPerMinute: rate.data,
    archiveBodyBytes: archiveMb.data * 1024 * 1024,
  };
}

export async function api(argv: string[]): Promise<number> {
  const args = parseApiArgs(argv);
  const env = readEnvironment();
  if (!env.ok) fail(2, env.message);
  const {
    JWT_SECRET: secret,
    RAPIDO_LESSON_ROOT: lessonRoot,
    RAPIDO_REDIS_URL: redisUrl,
  } = env.value;
  if (secret === undefined) fail(2, 'JWT_SECRET is not set: the API checks every token with it');
  if (lessonRoot === undefined) {
    fail(2, 'RAPIDO_LESSON_ROOT is not set: the API reads lessons only from under it');
  }
  if (!(await stat(lessonRoot).catch(() => null))?.isDirectory()) {
    fail(2, `RAPIDO_LESSON_ROOT: no folder at ${lessonRoot}`);
  }
  if (redisUrl === undefined) fail(2, 'RAPIDO_REDIS_URL is not set: the queue lives in Redis');
  const dataDir = headlessDataDir(env.value);
  const logger = createLogger({
    directory: env.value.RAPIDO_LOG_DIR ?? join(dataDir, 'logs'),
    level: env.value.LOG_LEVEL ?? 'info',
    console: true,
    secrets: () => [secret, env.value.ELEVENLABS_API_KEY ?? '', env.value.LIVEKIT_API_SECRET ?? ''],
  });
  const queue = createBullRenderQueue({ redisUrl, dataDir });
  // Rate limits in the queue's Redis, so every API process behind one balancer shares them.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', (error) =>
    logger.warn('rate-limit Redis error', { event_type: 'api_redis', error }),
  );
  const server = await createApiServer({
    queue,
    environment: env.value,
    lessonRoot: await realpath(lessonRoot),
    dataDir,
    logger,
    host: args.host,
    port: args.port,
    limits: { requestsPerMinute: args.requestsPerMinute, archiveBodyBytes: args.archiveBodyBytes },
    redis,
    providerProbe: providerProbe(env.value),
  }).catch(async (error: unknown) => {
    redis.disconnect();
    await queue.close();
    fail(2, describe(error));
  });
  process.stdout.write(
    `Rapido API at ${server.url} (lessons from ${lessonRoot}; OpenAPI at ${server.url}/openapi.json)\n`,
  );
  const stop = () => {
    void (async () => {
      await server.close();
      await queue.close();
      redis.disconnect();
      process.exit(0);
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return new Promise<number>(() => undefined);
}
