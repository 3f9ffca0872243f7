import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { z } from 'zod';
import { headlessDataDir, readEnvironment } from '../../services/platform/config/environment.ts';
import { farmPaths } from '../../service/jobs/render-queue.ts';
import { createRenderWorker } from '../../service/worker/render-worker.ts';
import { argumentsOrExit, cliSettings, fail, usage } from './cli-support.ts';

/**
 * `rapido worker --concurrency N [--name NAME]` (also `npm run worker`): a render-farm worker on
 * RAPIDO_REDIS_URL, rendering into RAPIDO_DATA_DIR. Runs until SIGTERM or SIGINT: the first
 * finishes the current renders (taking no new job), a second hands them back to the queue at
 * once. RAPIDO_WORKER_LOCK_MS / RAPIDO_WORKER_STALLED_MS shorten BullMQ's job lock and stalled
 * check (how soon a dead worker's job goes to another); tests use a few seconds.
 */
const workerArgsSchema = z.object({
  concurrency: z.coerce
    .number({ error: '--concurrency must be a whole number from 1 to 16' })
    .int('--concurrency must be a whole number from 1 to 16')
    .min(1, '--concurrency must be at least 1')
    .max(16, '--concurrency must be at most 16'),
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/, '--name: use letters, digits, ".", "_" and "-" only')
    .optional(),
  lockMs: z.coerce.number().int().min(1_000).max(600_000).optional(),
  stalledMs: z.coerce.number().int().min(500).max(600_000).optional(),
});

/** The Redis URL without its password, for the terminal. */
function shownUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

export async function worker(argv: string[]): Promise<number> {
  const { values } = argumentsOrExit(() =>
    parseArgs({
      args: argv,
      options: {
        concurrency: { type: 'string', short: 'c' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const parsed = workerArgsSchema.safeParse({
    concurrency: values.concurrency ?? '1',
    name: values.name,
    lockMs: process.env.RAPIDO_WORKER_LOCK_MS,
    stalledMs: process.env.RAPIDO_WORKER_STALLED_MS,
  });
  if (!parsed.success) fail(2, `${parsed.error.issues.map((i) => i.message).join('; ')}\n${usage}`);
  const env = readEnvironment();
  if (!env.ok) fail(2, env.message);
  const redisUrl = env.value.RAPIDO_REDIS_URL;
  if (redisUrl === undefined)
    fail(2, "RAPIDO_REDIS_URL is not set (the farm's Redis, e.g. redis://127.0.0.1:6379)");
  const dataDir = resolve(headlessDataDir(env.value));
  const lessonRoots = [
    ...(env.value.RAPIDO_LESSON_ROOT ? [resolve(env.value.RAPIDO_LESSON_ROOT)] : []),
    farmPaths(dataDir).lessonsDir,
  ];

  const say = (line: string): void => {
    process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  };
  const render = createRenderWorker({
    redisUrl,
    dataDir,
    concurrency: parsed.data.concurrency,
    name: parsed.data.name,
    lockDurationMs: parsed.data.lockMs,
    stalledIntervalMs: parsed.data.stalledMs,
    lessonRoots: env.value.RAPIDO_LESSON_ROOT ? lessonRoots : null,
    renderEnv: { ...process.env, RAPIDO_DATA_DIR: dataDir },
    log: say,
    onOutput: cliSettings.verbose
      ? (jobId, text) => {
          for (const line of text.split('\n')) if (line) say(`[${jobId}] ${line}`);
        }
      : undefined,
  });

  let stops = 0;
  const stopped = new Promise<void>((resolveStopped) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      stops += 1;
      if (stops === 1) {
        say(
          `${signal}: finishing the current renders, taking no new job (again to hand them back)`,
        );
        render.close().then(resolveStopped, resolveStopped);
      } else if (stops === 2) {
        say(`${signal}: handing the current renders back to the queue`);
        render.close({ handBack: true }).then(resolveStopped, resolveStopped);
      }
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  // ioredis retries for ever (a Redis restart must not end a worker): say why nothing happens yet.
  const slow = setTimeout(() => say(`still connecting to ${shownUrl(redisUrl)} ...`), 5_000);
  try {
    await render.ready();
    clearTimeout(slow);
  } catch (error) {
    fail(
      1,
      `could not reach ${shownUrl(redisUrl)}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  say(
    `Worker ${render.name} (pid ${process.pid}) taking render jobs from ${shownUrl(redisUrl)}, ` +
      `concurrency ${parsed.data.concurrency}, files under ${dataDir}`,
  );
  await stopped;
  say('Worker stopped');
  return 0;
}
