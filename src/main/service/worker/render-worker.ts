import { hostname } from 'node:os';
import { mkdir, rm } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  renderJobDataSchema,
  type RenderJobData,
  type RenderJobProgress,
} from '../jobs/render-job.ts';
import { farmPaths } from '../jobs/render-queue.ts';
import {
  cancelledCode,
  defaultFarmPrefix,
  failureReason,
  farmConnection,
  farmKeys,
  farmRedis,
  renderQueueName,
} from '../queue/farm-keys.ts';
import { loadLesson } from '../../services/lesson/lesson-store.ts';
import {
  createFarmLeases,
  farmLimitsFromEnv,
  lessonNeeds,
  type FarmLease,
  type FarmLeases,
  type FarmLimits,
} from './farm-leases.ts';
import { createWorkDir, publishRender, removeStaleWork, renderOutputs } from './job-files.ts';
import type { ProgressPipeLine } from './progress-pipe.ts';
import { startRenderChild, type RenderChildResult } from './render-child.ts';

/**
 * A farm worker (issue 18): takes render jobs from the BullMQ queue and runs each as a child
 * `rapido render` (render-child.ts) into a work folder of the job, publishing the files only
 * when the render exited cleanly (job-files.ts). BullMQ's lock keeps a job with one worker; when
 * a worker dies its lock runs out and another worker's stalled check puts the job back in the
 * queue. A cancel is asked for in Redis (the API cannot reach the worker): the worker polls for it
 * while it renders.
 */
export interface RenderWorkerOptions {
  redisUrl: string;
  /** RAPIDO_DATA_DIR, shared by every worker and API of the farm. */
  dataDir: string;
  concurrency: number;
  /** Shown in the API's worker list and in each job's progress; default `<host>-<pid>`. */
  name?: string;
  prefix?: string;
  /** BullMQ's job lock; a dead worker's job goes back to the queue within about this long. */
  lockDurationMs?: number;
  /** How often a worker looks for jobs whose worker died. */
  stalledIntervalMs?: number;
  /**
   * Folders a job's lesson must lie under (RAPIDO_LESSON_ROOT and the farm's own lessons); null:
   * any. The API checks this already; a worker checks again, as Redis is shared.
   */
  lessonRoots?: readonly string[] | null;
  /** Farm-wide caps on SyncTalk streams and ElevenLabs (default: from the environment). */
  limits?: FarmLimits;
  /** Environment of each render (the worker's own by default). */
  renderEnv?: NodeJS.ProcessEnv;
  /** Every line each render prints (the worker's log). */
  onOutput?: (jobId: string, text: string) => void;
  log?: (line: string) => void;
}

export interface RenderWorker {
  readonly name: string;
  readonly worker: Worker<RenderJobData>;
  /** Ready to take jobs (connected, registered). */
  ready(): Promise<void>;
  /**
   * Graceful: takes no new job and waits for the current ones to finish. `handBack`: stops the
   * current renders at once and puts their jobs back in the queue for another worker.
   */
  close(options?: { handBack?: boolean }): Promise<void>;
}

/** How often an active job looks for a cancel request. */
const cancelPollMs = 500;
/** Progress reports at most this often (each is a Redis write and an event to every watcher). */
const progressIntervalMs = 500;
const defaultLockMs = 30_000;
/** How often a job waiting for a farm-wide slot asks again. */
const leasePollMs = 1_000;

type AbortReason = 'cancelled' | 'hand-back' | 'lock-lost';

function stageOf(phase: ProgressPipeLine['progress']['phase']): string {
  if (phase === 'playing' || phase === 'exporting') return 'rendering';
  if (phase === 'finishing' || phase === 'done') return 'finishing';
  return 'preparing';
}

/** Whether `dir` lies inside one of `roots` (null: no limit). */
export function underRoots(dir: string, roots: readonly string[] | null | undefined): boolean {
  if (roots === null || roots === undefined) return true;
  return roots.some((root) => {
    const inside = relative(resolve(root), resolve(dir));
    return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside);
  });
}

function describeExit(result: RenderChildResult): string {
  const last = result.stderrTail.trim().split('\n').slice(-3).join(' ').trim();
  const how =
    result.signal !== null ? `was killed (${result.signal})` : `exited ${String(result.code)}`;
  return `the render ${how}${last ? `: ${last}` : ''}`.slice(0, 1_900);
}

/**
 * Waits until the farm has room for what the lesson uses (farm-leases.ts), or a cancel is asked
 * for. The job stays active meanwhile (its lock renewed), saying what it waits for.
 */
async function leaseFor(
  context: {
    leases: FarmLeases;
    redis: Redis;
    keys: ReturnType<typeof farmKeys>;
    name: string;
    log: (line: string) => void;
  },
  job: Job<RenderJobData>,
  data: RenderJobData,
): Promise<FarmLease | 'cancelled'> {
  const { leases, redis, keys, name, log } = context;
  const jobId = job.id ?? '';
  const lesson = await loadLesson(data.lessonDir);
  // A lesson that does not load fails in the render, with the render's own message.
  const needs = lesson.ok ? lessonNeeds(lesson.value.lesson, data.options.parallel) : {};
  let told = false;
  for (;;) {
    const lease = await leases.tryAcquire(`${name}:${jobId}`, needs);
    if (lease) return lease;
    if ((await redis.exists(keys.cancelRequest(jobId))) === 1) return 'cancelled';
    if (!told) {
      told = true;
      const waiting = Object.keys(needs).join(' and ');
      log(`job ${jobId}: waiting for the farm's ${waiting} to have room`);
      await job
        .updateProgress({
          fraction: 0,
          stage: 'waiting',
          message: `waiting for a free ${waiting} slot (farm-wide cap)`,
          etaMs: null,
          worker: name,
        } satisfies RenderJobProgress)
        .catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, leasePollMs));
  }
}

export function createRenderWorker(options: RenderWorkerOptions): RenderWorker {
  const prefix = options.prefix ?? defaultFarmPrefix;
  const name = options.name ?? `${hostname()}-${process.pid}`;
  const keys = farmKeys(prefix);
  const paths = farmPaths(options.dataDir);
  const redis = farmRedis(options.redisUrl);
  const log = options.log ?? (() => undefined);
  /** Each active job's abort, to stop it from outside the processor. */
  const aborts = new Map<string, (reason: AbortReason) => void>();
  const lockDuration = options.lockDurationMs ?? defaultLockMs;
  const leases = createFarmLeases({
    redis,
    prefix,
    limits: options.limits ?? farmLimitsFromEnv(),
  });

  async function processJob(job: Job<RenderJobData>, token?: string): Promise<unknown> {
    const jobId = job.id;
    if (jobId === undefined) throw new UnrecoverableError(failureReason('bad-input', 'no job id'));
    const parsed = renderJobDataSchema.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(
        failureReason('bad-input', `job data not understood: ${parsed.error.issues[0]?.message}`),
      );
    }
    const data = parsed.data;
    if (!underRoots(data.lessonDir, options.lessonRoots)) {
      throw new UnrecoverableError(
        failureReason('bad-input', 'the lesson is not under the folders this worker renders from'),
      );
    }
    const cancelled = async (): Promise<never> => {
      await redis.zadd(keys.cancelled, data.submittedAtMs, jobId);
      throw new UnrecoverableError(failureReason(cancelledCode, 'Cancelled while rendering'));
    };
    if ((await redis.exists(keys.cancelRequest(jobId))) === 1) return cancelled();

    const lease = await leaseFor({ leases, redis, keys, name, log }, job, data);
    if (lease === 'cancelled') return cancelled();
    try {
      return await renderJob(job, data, token);
    } finally {
      await lease.release().catch(() => undefined);
    }
  }

  async function renderJob(
    job: Job<RenderJobData>,
    data: RenderJobData,
    token: string | undefined,
  ): Promise<unknown> {
    const jobId = job.id ?? '';
    const cancelled = async (): Promise<never> => {
      await redis.zadd(keys.cancelled, data.submittedAtMs, jobId);
      throw new UnrecoverableError(failureReason(cancelledCode, 'Cancelled while rendering'));
    };
    const jobDir = paths.jobDir(jobId);
    await mkdir(jobDir, { recursive: true });
    const stale = await removeStaleWork(jobDir);
    if (stale.length > 0)
      log(`job ${jobId}: removed an earlier attempt's work (${stale.join(', ')})`);
    const workDir = await createWorkDir(jobDir);

    let lastReport = 0;
    let lastStage = '';
    const child = startRenderChild({
      lessonDir: data.lessonDir,
      outPath: renderOutputs(workDir).video,
      options: data.options,
      env: options.renderEnv ?? process.env,
      onOutput: (text) => options.onOutput?.(jobId, text),
      onProgress: ({ progress, line }) => {
        const stage = stageOf(progress.phase);
        const now = Date.now();
        if (stage === lastStage && now - lastReport < progressIntervalMs && progress.fraction < 1)
          return;
        lastReport = now;
        lastStage = stage;
        const report: RenderJobProgress = {
          fraction: Math.min(1, Math.max(0, progress.fraction)),
          stage,
          message: line.slice(0, 500),
          etaMs: progress.etaMs ?? null,
          worker: name,
        };
        job.updateProgress(report).catch(() => undefined);
      },
    });
    log(`job ${jobId}: rendering ${data.lessonDir} (render pid ${String(child.pid)})`);

    let abortReason: AbortReason | null = null;
    const aborted = new Promise<AbortReason>((resolve) => {
      aborts.set(jobId, (reason) => {
        abortReason ??= reason;
        resolve(abortReason);
      });
    });
    const poll = setInterval(() => {
      redis
        .exists(keys.cancelRequest(jobId))
        .then((asked) => {
          if (asked === 1) aborts.get(jobId)?.('cancelled');
        })
        .catch(() => undefined);
    }, cancelPollMs);
    try {
      const outcome = await Promise.race([child.done, aborted]);
      if (typeof outcome === 'string') {
        await child.stop();
        await rm(workDir, { recursive: true, force: true });
        log(`job ${jobId}: render stopped (${outcome})`);
        if (outcome === 'cancelled') return await cancelled();
        if (outcome === 'hand-back' && token !== undefined) {
          // Back to the queue for another worker, as if this one had never taken it.
          await job.moveToWait(token);
          throw new WaitingError();
        }
        throw new Error(failureReason('lock-lost', 'this worker lost the job to another'));
      }
      if (outcome.code !== 0) {
        await rm(workDir, { recursive: true, force: true });
        const message = describeExit(outcome);
        // Exit 2 is bad input (lesson, arguments): another try cannot help.
        if (outcome.code === 2) throw new UnrecoverableError(failureReason('bad-input', message));
        throw new Error(failureReason('render-failed', message));
      }
      const files = await publishRender(options.dataDir, jobId, workDir);
      log(`job ${jobId}: done (${files.join(', ')})`);
      return { files, worker: name };
    } finally {
      clearInterval(poll);
      aborts.delete(jobId);
    }
  }

  const worker = new Worker<RenderJobData>(renderQueueName, processJob, {
    connection: farmConnection(options.redisUrl),
    prefix,
    name,
    concurrency: options.concurrency,
    lockDuration,
    stalledInterval: options.stalledIntervalMs ?? lockDuration,
    // A job survives two worker deaths; a third means the lesson itself kills workers.
    maxStalledCount: 2,
    autorun: false,
  });
  // Connection trouble is retried by ioredis; an unhandled 'error' would end the process.
  // Logged once per distinct error, not once per reconnect attempt (a Redis restart takes a while).
  let lastError = '';
  worker.on('error', (error) => {
    if (error.message !== lastError) log(`worker error: ${error.message}`);
    lastError = error.message;
  });
  worker.on('ready', () => (lastError = ''));
  redis.on('error', () => undefined);
  // Another worker may already be rendering a job whose lock this one could not renew.
  worker.on('lockRenewalFailed', (jobIds) => {
    for (const jobId of jobIds) aborts.get(jobId)?.('lock-lost');
  });

  const started = (async () => {
    await worker.waitUntilReady();
    await redis.hset(keys.workers, name, String(options.concurrency));
    void worker.run().catch((error: unknown) => log(`worker stopped: ${String(error)}`));
  })();

  return {
    name,
    worker,
    ready: () => started,
    async close(closeOptions = {}) {
      // Not waiting for `started`: a worker that never reached Redis must still stop.
      if (closeOptions.handBack) for (const abort of aborts.values()) abort('hand-back');
      await worker.close();
      await redis.hdel(keys.workers, name).catch(() => undefined);
      redis.disconnect();
    },
  };
}
