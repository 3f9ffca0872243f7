import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  redisSkipReason,
  startRedisServer,
  testRedis,
} from '../../../../testing/support/redis-server.ts';
import type { RenderJobData, RenderJobEvent } from '../jobs/render-job.ts';
import { farmPaths } from '../jobs/render-queue.ts';
import { createBullRenderQueue } from './bull-render-queue.ts';
import {
  farmConnection,
  farmKeys,
  failureReason,
  jobIdForKey,
  renderQueueName,
} from './farm-keys.ts';

/**
 * The BullMQ queue against a real Redis (RAPIDO_TEST_REDIS_URL, or one started here). Each test
 * has its own key prefix, so they share one server without seeing each other's jobs. Where a job
 * must move on, a plain BullMQ Worker plays the render worker's part (the real one is tested in
 * service/worker/ and e2e/render-farm.spec.ts).
 */
const skip = redisSkipReason();
let redis: { url: string; release: () => Promise<void> } | null = null;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  if (skip === null) redis = await testRedis();
});
afterAll(async () => {
  await redis?.release();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function jobData(lessonId = 'lesson-1', submittedAtMs = Date.now()): RenderJobData {
  return {
    lessonId,
    lessonDir: `/lessons/${lessonId}`,
    source: 'folder',
    options: { mode: 'export', parallel: 1 },
    submittedBy: 'tester',
    submittedAtMs,
  };
}

async function newQueue(url = redis!.url) {
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'rapido-queue-'));
  const queue = createBullRenderQueue({ redisUrl: url, dataDir, prefix, attempts: 1 });
  cleanups.push(() => queue.close());
  return { queue, prefix, dataDir };
}

/** A BullMQ worker on the same queue running `process` for each job. */
function fakeWorker(
  prefix: string,
  process: ConstructorParameters<typeof Worker<RenderJobData>>[1],
  url = redis!.url,
) {
  const worker = new Worker<RenderJobData>(renderQueueName, process, {
    connection: farmConnection(url),
    prefix,
    name: 'test-worker',
  });
  cleanups.push(() => worker.close());
  return worker;
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string) {
  const deadline = Date.now() + 20_000;
  let last = await read();
  while (!ok(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    last = await read();
  }
  return last;
}

describe('createBullRenderQueue', () => {
  it('queues a job and reads it back as queued, listed and counted', async (ctx) => {
    if (skip !== null) return ctx.skip(skip);
    const { queue } = await newQueue();
    const data = jobData();
    const { job, created } = await queue.submit(data);
    expect(created).toBe(true);
    expect(job).toMatchObject({
      lessonId: 'lesson-1',
      source: 'folder',
      state: 'queued',
      progress: null,
      submittedBy: 'tester',
      submittedAt: new Date(data.submittedAtMs).toISOString(),
      startedAt: null,
      finishedAt: null,
      attempts: 0,
      error: null,
      files: [],
    });
    expect(await queue.get(job.id)).toEqual(job);
    expect(await queue.list({ limit: 10 })).toEqual([job]);
    expect(await queue.list({ state: 'queued', limit: 10 })).toEqual([job]);
    expect(await queue.list({ state: 'completed', limit: 10 })).toEqual([]);
    expect(await queue.counts()).toEqual({
      queued: 1,
      active: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
    });
    // Ids that are not ours name no job and no folder.
    expect(await queue.get('../etc')).toBeNull();
    expect(await queue.get('no-such-job')).toBeNull();
    expect(await queue.cancel('../etc')).toBe('not-found');
    expect(await queue.filePath(job.id, 'video')).toBeNull();
  });

  it('lists newest first and honours the limit', async (ctx) => {
    if (skip !== null) return ctx.skip(skip);
    const { queue } = await newQueue();
    const base = Date.now();
    for (let i = 0; i < 4; i += 1) await queue.submit(jobData(`lesson-${i}`, base + i * 1000));
    const listed = await queue.list({ limit: 3 });
    expect(listed.map((view) => view.lessonId)).toEqual(['lesson-3', 'lesson-2', 'lesson-1']);
  });

  it('the same idempotency key is one job, even when both submits race', async (ctx) => {
    if (skip !== null) return ctx.skip(skip);
    const { queue } = await newQueue();
    const first = await queue.submit(jobData(), { idempotencyKey: 'course-7/lesson-1' });
    const second = await queue.submit(jobData('other'), { idempotencyKey: 'course-7/lesson-1' });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.job.id).toBe(first.job.id);
    expect(first.job.id).toBe(jobIdForKey('course-7/lesson-1'));
    // The first job's data stands; the second submit changed nothing.
    expect(second.job.lessonId).toBe('lesson-1');

    const racing = await Promise.all(
      Array.from({ length: 5 }, () => queue.submit(jobData('raced'), { idempotencyKey: 'race' })),
    );
    expect(racing.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(racing.map((result) => result.job.id)).size).toBe(1);
    expect((await queue.counts()).queued).toBe(2);
  });

  it('cancels a queued job: gone from the queue, kept as cancelled, its key still one job', async (ctx) => {
    if (skip !== null) return ctx.skip(skip);
    const { queue } = await newQueue();
    const events: RenderJobEvent[] = [];
    queue.subscribe((event) => events.push(event));
    const { job } = await queue.submit(jobData(), { idempotencyKey: 'to-cancel' });
    expect(await queue.cancel(job.id)).toBe('cancelled');
    const cancelled = await queue.get(job.id);
    expect(cancelled).toMatchObject({
      id: job.id,
      state: 'cancelled',
      error: { code: 'cancelled' },
      files: [],
    });
    expect(cancelled?.finishedAt).not.toBeNull();
    expect(await queue.counts()).toMatchObject({ queued: 0, cancelled: 1, failed: 0 });
    expect((await queue.list({ state: 'cancelled', limit: 5 })).map((view) => view.id)).toEqual([
      job.id,
    ]);
    expect((await queue.list({ limit: 5 })).map((view) => view.state)).toEqual(['cancelled']);
    // Cancelling again is no error; submitting the key again answers the cancelled job.
    expect(await queue.cancel(job.id)).toBe('cancelled');
    const again = await queue.submit(jobData(), { idempotencyKey: 'to-cancel' });
    expect(again).toMatchObject({ created: false, job: { id: job.id, state: 'cancelled' } });
    // Watchers hear it: queued, then cancelled.
    await until(
      () => Promise.resolve(events.map((event) => (event.type === 'state' ? event.state : null))),
      (states) => states.includes('cancelled'),
      'the cancelled event',
    );
    expect(events.filter((event) => event.type === 'state').map((event) => event.state)).toEqual([
      'queued',
      'cancelled',
    ]);
    expect(events.every((event) => event.jobId === job.id && event.lessonId === 'lesson-1')).toBe(
      true,
    );
  });

  it('reports a worker: active with progress, then completed with its whole files', async (ctx) => {
    if (skip !== null) return ctx.skip(skip);
    const { queue, prefix, dataDir } = await newQueue();
    const events: RenderJobEvent[] = [];
    queue.subscribe((event) => events.push(event));
    const paths = farmPaths(dataDir);
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    fakeWorker(prefix, async (job) => {
      await job.updateProgress({
        fraction: 0.5,
        stage: 'rendering',
        message: 'half way',
        etaMs: 1000,
        worker: 'test-worker',
      });
      await released;
      const dir = paths.jobDir(job.id!);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, paths.fileName.video), 'mp4');
      await writeFile(join(dir, paths.fileName.captions), 'WEBVTT\n');
      return { ok: true };
    });
    const { job } = await queue.submit(jobData());
    const active = await until(
      () => queue.get(job.id),
      (view) => view?.progress?.fraction === 0.5,
      'progress',
    );
    expect(active).toMatchObject({ state: 'active', attempts: 1, files: [] });
    expect(active?.startedAt).not.toBeNull();
    expect(await queue.counts()).toMatchObject({ active: 1, queued: 0 });
    release();
    const done = await until(
      () => queue.get(job.id),
      (view) => view?.state === 'completed',
      'completion',
    );
    expect(done?.files).toEqual(['video', 'captions']);
    expect(await queue.filePath(job.id, 'video')).toBe(
      join(paths.jobDir(job.id), paths.fileName.video),
    );
    expect(await queue.filePath(job.id, 'chapters')).toBeNull();
    await until(
      () => Promise.resolve(events.at(-1)),
      (event) => event?.type === 'state' && event.state === 'completed',
      'the completed event',
    );
    expect(events.map((event) => (event.type === 'state' ? event.state : 'progress'))).toEqual([
      'queued',
      'active',
      'progress',
      'completed',
    ]);
  });

  it('tells a failed render from a cancelled one, in views, counts and events', async (ctx) => {
    if (skip !== null) return ctx.skip(skip);
    const { queue, prefix } = await newQueue();
    const events: RenderJobEvent[] = [];
    queue.subscribe((event) => events.push(event));
    const keys = farmKeys(prefix);
    const { Redis } = await import('ioredis');
    const client = new Redis(redis!.url);
    cleanups.push(() => client.quit().then(() => undefined));
    fakeWorker(prefix, async (job) => {
      if (job.data.lessonId === 'broken') {
        throw new UnrecoverableError(failureReason('render-failed', 'the renderer crashed'));
      }
      // As the render worker records an abort it was asked for.
      await client.zadd(keys.cancelled, job.data.submittedAtMs, job.id!);
      throw new UnrecoverableError(failureReason('cancelled', 'Cancelled while rendering'));
    });
    const broken = await queue.submit(jobData('broken'));
    const aborted = await queue.submit(jobData('aborted'));
    await until(
      () => queue.counts(),
      (c) => c.failed + c.cancelled === 2,
      'both to finish',
    );
    expect(await queue.counts()).toMatchObject({ failed: 1, cancelled: 1 });
    expect(await queue.get(broken.job.id)).toMatchObject({
      state: 'failed',
      error: { code: 'render-failed', message: 'the renderer crashed' },
    });
    expect(await queue.get(aborted.job.id)).toMatchObject({
      state: 'cancelled',
      error: { code: 'cancelled', message: 'Cancelled while rendering' },
    });
    expect((await queue.list({ state: 'failed', limit: 5 })).map((v) => v.id)).toEqual([
      broken.job.id,
    ]);
    expect((await queue.list({ state: 'cancelled', limit: 5 })).map((v) => v.id)).toEqual([
      aborted.job.id,
    ]);
    expect(await queue.cancel(broken.job.id)).toBe('finished');
    await until(
      () => Promise.resolve(events.filter((e) => e.type === 'state' && e.error !== null).length),
      (count) => count === 2,
      'the two failure events',
    );
    const finals = events.flatMap((e) => (e.type === 'state' && e.error !== null ? [e] : []));
    expect(finals.map((e) => [e.lessonId, e.state, e.error?.code]).sort()).toEqual([
      ['aborted', 'cancelled', 'cancelled'],
      ['broken', 'failed', 'render-failed'],
    ]);
  });
});

describe('createBullRenderQueue across a Redis restart', () => {
  it('keeps a queued job (append-only file) and a worker then completes it', async (ctx) => {
    const ownSkip = redisSkipReason({ ownServer: true });
    if (ownSkip !== null) return ctx.skip(ownSkip);
    const server = await startRedisServer();
    cleanups.push(() => server.stop());
    const { queue, prefix } = await newQueue(server.url);
    const { job } = await queue.submit(jobData(), { idempotencyKey: 'survives' });
    await server.restart();
    expect(await queue.get(job.id)).toMatchObject({ id: job.id, state: 'queued' });
    expect((await queue.submit(jobData(), { idempotencyKey: 'survives' })).created).toBe(false);
    fakeWorker(prefix, () => Promise.resolve('done'), server.url);
    await until(
      () => queue.get(job.id),
      (view) => view?.state === 'completed',
      'completion after the restart',
    );
  });
});
