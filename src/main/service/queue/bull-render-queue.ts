import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Job, Queue, type QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  jobFileKinds,
  renderJobDataSchema,
  renderJobViewSchema,
  type JobFileKind,
  type RenderJobData,
  type RenderJobEvent,
  type RenderJobState,
  type RenderJobView,
} from '../jobs/render-job.ts';
import { farmPaths, type RenderQueue } from '../jobs/render-queue.ts';
import {
  cancelRequestTtlSeconds,
  defaultFarmPrefix,
  farmConnection,
  farmKeys,
  farmRedis,
  jobIdForKey,
  jobIdPattern,
  renderQueueName,
} from './farm-keys.ts';
import {
  cancelledWhileQueuedView,
  jobData,
  renderJobState,
  renderJobView,
  type BullState,
} from './job-view.ts';
import { watchRenderEvents } from './render-events.ts';

/**
 * The farm's queue on BullMQ (issue 18): submit, read, list, cancel and watch render jobs that
 * `rapido worker` processes take up. BullMQ keeps the jobs (Redis with its append-only file keeps
 * them across a restart); a few keys of our own beside them record cancels (farm-keys.ts). Job
 * data is checked with the shared schemas on the way in and out: Redis may hold anything.
 */
export interface BullRenderQueueOptions {
  redisUrl: string;
  /** RAPIDO_DATA_DIR: finished files are under farmPaths(dataDir). */
  dataDir: string;
  /** BullMQ's key prefix (default "rapido"); tests use their own to share one Redis. */
  prefix?: string;
  /** Tries of a render that fails (not one whose worker died: that is stalled recovery). */
  attempts?: number;
}

/** BullMQ states that are "queued" to a client. */
const queuedTypes = ['waiting', 'delayed', 'prioritized', 'waiting-children'] as const;
const listedTypes = [...queuedTypes, 'active', 'completed', 'failed'] as const;
type ListedType = (typeof listedTypes)[number];

const typesOfState: Record<Exclude<RenderJobState, 'cancelled'>, readonly ListedType[]> = {
  queued: queuedTypes,
  active: ['active'],
  completed: ['completed'],
  failed: ['failed'],
};

/** Job id -> lesson id, for events (BullMQ's carry only the id); bounded. */
const lessonIdCacheSize = 10_000;

export function createBullRenderQueue(options: BullRenderQueueOptions): RenderQueue {
  const prefix = options.prefix ?? defaultFarmPrefix;
  const connection = farmConnection(options.redisUrl);
  const queue = new Queue<RenderJobData, unknown, string>(renderQueueName, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: options.attempts ?? 2,
      backoff: { type: 'exponential', delay: 5_000 },
      // Finished jobs stay: their views and files are what clients come back for.
      removeOnComplete: false,
      removeOnFail: false,
    },
  });
  const redis = farmRedis(options.redisUrl);
  const keys = farmKeys(prefix);
  const paths = farmPaths(options.dataDir);
  const lessonIds = new Map<string, string>();
  const listeners = new Set<(event: RenderJobEvent) => void>();
  let events: QueueEvents | null = null;

  function remember(jobId: string, lessonId: string): void {
    lessonIds.set(jobId, lessonId);
    if (lessonIds.size > lessonIdCacheSize) {
      const oldest = lessonIds.keys().next().value;
      if (oldest !== undefined) lessonIds.delete(oldest);
    }
  }

  async function presentFiles(jobId: string): Promise<JobFileKind[]> {
    const present = await Promise.all(
      jobFileKinds.map(async (kind) => {
        const file = await stat(join(paths.jobDir(jobId), paths.fileName[kind])).catch(() => null);
        return file?.isFile() ? kind : null;
      }),
    );
    return present.filter((kind): kind is JobFileKind => kind !== null);
  }

  async function viewOf(job: Job<RenderJobData>, state: BullState): Promise<RenderJobView | null> {
    const id = job.id;
    const data = jobData(job);
    if (id === undefined || data === null) return null;
    remember(id, data.lessonId);
    const renderState = renderJobState(state, job.failedReason);
    if (renderState === null) return null;
    const files = renderState === 'completed' ? await presentFiles(id) : [];
    return renderJobView(id, data, job, renderState, files);
  }

  async function cancelledRecord(jobId: string): Promise<RenderJobView | null> {
    const text = await redis.hget(keys.cancelledViews, jobId);
    if (text === null) return null;
    const parsed = renderJobViewSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  }

  async function get(jobId: string): Promise<RenderJobView | null> {
    if (!jobIdPattern.test(jobId)) return null;
    const job = await Job.fromId<RenderJobData>(queue, jobId);
    if (job) {
      const view = await viewOf(job, await job.getState());
      if (view !== null) return view;
    }
    return cancelledRecord(jobId);
  }

  /** Up to `limit` of one BullMQ list, newest first, with cancelled ones told apart. */
  async function listType(type: ListedType, limit: number): Promise<RenderJobView[]> {
    const jobs = (await queue.getJobs([type], 0, limit - 1, false)) as Job<RenderJobData>[];
    const views = await Promise.all(jobs.map((job) => viewOf(job, type)));
    return views.filter((view): view is RenderJobView => view !== null);
  }

  async function listCancelled(limit: number): Promise<RenderJobView[]> {
    const ids = await redis.zrevrange(keys.cancelled, 0, limit - 1);
    const views = await Promise.all(ids.map((id) => get(id)));
    return views.filter((view): view is RenderJobView => view?.state === 'cancelled');
  }

  function emit(event: RenderJobEvent): void {
    for (const listener of listeners) listener(event);
  }

  async function lessonIdOf(jobId: string): Promise<string | null> {
    const known = lessonIds.get(jobId);
    if (known !== undefined) return known;
    const job = await Job.fromId<RenderJobData>(queue, jobId);
    const data = job ? jobData(job) : null;
    const lessonId = data?.lessonId ?? (await cancelledRecord(jobId))?.lessonId ?? null;
    if (lessonId !== null) remember(jobId, lessonId);
    return lessonId;
  }

  queue.on('error', () => undefined);
  redis.on('error', () => undefined);

  return {
    async submit(data, submitOptions = {}) {
      const checked = renderJobDataSchema.parse(data);
      const key = submitOptions.idempotencyKey;
      const jobId = key === undefined ? randomUUID() : jobIdForKey(key);
      if (key !== undefined) {
        const existing = await get(jobId);
        if (existing !== null) return { job: existing, created: false };
      }
      // A second add of the same id is ignored by BullMQ, which answers a Job made from *our*
      // arguments: the name's nonce tells whether the stored job is the one we added.
      const name = `render.${randomUUID()}`;
      await queue.add(name, checked, { jobId });
      remember(jobId, checked.lessonId);
      const stored = await Job.fromId<RenderJobData>(queue, jobId);
      const view = await get(jobId);
      if (view === null) throw new Error(`job ${jobId} vanished right after it was queued`);
      return { job: view, created: stored?.name === name };
    },

    get,

    async list(filter) {
      const limit = Math.max(1, Math.floor(filter.limit));
      if (filter.state === 'cancelled') return listCancelled(limit);
      const types = filter.state === undefined ? listedTypes : typesOfState[filter.state];
      const lists = await Promise.all(types.map((type) => listType(type, limit)));
      if (filter.state === undefined) lists.push(await listCancelled(limit));
      const byId = new Map<string, RenderJobView>();
      for (const view of lists.flat()) {
        if (filter.state === undefined || view.state === filter.state) byId.set(view.id, view);
      }
      return [...byId.values()]
        .sort((a, b) => b.submittedAt.localeCompare(a.submittedAt) || b.id.localeCompare(a.id))
        .slice(0, limit);
    },

    cancel: (jobId) => cancelJob({ queue, redis, keys, cancelledRecord }, jobId),

    async counts() {
      const bull = await queue.getJobCounts(...listedTypes);
      const [cancelled, cancelledFailed] = await Promise.all([
        redis.zcard(keys.cancelled),
        redis.call(
          'ZINTERCARD',
          2,
          `${prefix}:${renderQueueName}:failed`,
          keys.cancelled,
        ) as Promise<number>,
      ]);
      const count = (type: ListedType): number => bull[type] ?? 0;
      return {
        queued: queuedTypes.reduce((sum, type) => sum + count(type), 0),
        active: count('active'),
        completed: count('completed'),
        failed: Math.max(0, count('failed') - cancelledFailed),
        cancelled,
      };
    },

    async workers() {
      const clients = await queue.getWorkers();
      const names = clients
        .map((client) => (client.rawname ?? '').split(':w:')[1])
        .filter((name): name is string => name !== undefined && name.length > 0);
      if (names.length === 0) return [];
      const concurrencies = await redis.hmget(keys.workers, ...names);
      return names.map((name, index) => {
        const value = Number(concurrencies[index] ?? Number.NaN);
        return { name, concurrency: Number.isInteger(value) && value > 0 ? value : null };
      });
    },

    subscribe(listener) {
      events ??= watchRenderEvents({ connection, prefix, lessonIdOf, emit });
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    async filePath(jobId, kind) {
      const view = await get(jobId);
      if (view?.state !== 'completed' || !view.files.includes(kind)) return null;
      return join(paths.jobDir(jobId), paths.fileName[kind]);
    },

    async close() {
      listeners.clear();
      await events?.close();
      await queue.close();
      redis.disconnect();
    },
  };
}

/**
 * Cancels a job: a queued one is removed from BullMQ and kept as a cancelled record; an active
 * one gets a cancel request in Redis, which its worker polls for (the API cannot reach it) and
 * then stops the render and fails the job as cancelled.
 */
async function cancelJob(
  context: {
    queue: Queue<RenderJobData, unknown>;
    redis: Redis;
    keys: ReturnType<typeof farmKeys>;
    cancelledRecord: (jobId: string) => Promise<RenderJobView | null>;
  },
  jobId: string,
): Promise<'cancelled' | 'not-found' | 'finished'> {
  const { queue, redis, keys } = context;
  if (!jobIdPattern.test(jobId)) return 'not-found';
  const job = await Job.fromId<RenderJobData>(queue, jobId);
  const data = job ? jobData(job) : null;
  if (!job || data === null) {
    return (await context.cancelledRecord(jobId)) !== null ? 'cancelled' : 'not-found';
  }
  const state = renderJobState(await job.getState(), job.failedReason);
  if (state === null) return 'not-found';
  if (state === 'cancelled') return 'cancelled';
  if (state === 'completed' || state === 'failed') return 'finished';
  // Asked first: a worker that takes the job up from here on sees it before it renders.
  await redis.set(keys.cancelRequest(jobId), String(Date.now()), 'EX', cancelRequestTtlSeconds);
  if (state === 'queued') {
    const record = cancelledWhileQueuedView(jobId, data, Date.now());
    await redis
      .multi()
      .hset(keys.cancelledViews, jobId, JSON.stringify(record))
      .zadd(keys.cancelled, data.submittedAtMs, jobId)
      .exec();
    try {
      await job.remove();
      return 'cancelled';
    } catch {
      // A worker took it up meanwhile (the job is locked): it aborts on the request instead.
      await redis.multi().hdel(keys.cancelledViews, jobId).zrem(keys.cancelled, jobId).exec();
    }
  }
  return 'cancelled';
}
