import { readdir, readFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { Redis } from 'ioredis';
import { slideTitle, type Lesson } from '../src/shared/lesson/lesson-schema.ts';
import { farmPaths, type RenderQueue } from '../src/main/service/jobs/render-queue.ts';
import { createBullRenderQueue } from '../src/main/service/queue/bull-render-queue.ts';
import { requireRendererBuild } from '../testing/support/app-host.ts';
import { countedStream, ffprobe } from '../testing/support/media-probe.ts';
import { commandLine, descendantsOf, waitUntilGone } from '../testing/support/process-tree.ts';
import {
  redisSkipReason,
  startRedisServer,
  type RedisTestServer,
} from '../testing/support/redis-server.ts';
import {
  jobFor,
  startWorker,
  tinyLesson,
  waitForJob,
  type WorkerProcess,
} from '../testing/support/render-farm.ts';
import { scaled } from './support/timeouts.ts';

/**
 * The render farm with real parts (issue 18): a real Redis of the spec's own (append-only, so it
 * can be restarted), real `rapido worker` processes, real renders of a tiny lesson (320x180,
 * offline voice, local avatar), the files judged with ffprobe. Workers run with a short job lock
 * so a killed worker's job goes to another within seconds.
 *
 * Not tagged @busy (scripts/e2e-under-load.sh): each test here already runs renders beside
 * other processes on the 2-core machine, and the render path is the `rapido render` export whose
 * frame-exactness under load render-cli.spec.ts's @busy test checks.
 */
const shortLocks = { RAPIDO_WORKER_LOCK_MS: '4000', RAPIDO_WORKER_STALLED_MS: '1000' };

let redis: RedisTestServer | null = null;
let queue: RenderQueue | null = null;
const workers: WorkerProcess[] = [];

test.beforeAll(async () => {
  requireRendererBuild();
  const skip = redisSkipReason({ ownServer: true });
  test.skip(skip !== null, skip ?? '');
  redis = await startRedisServer();
});

test.afterEach(async () => {
  await queue?.close();
  queue = null;
  for (const worker of workers.splice(0)) await worker.stop(30_000);
  // Each test starts from an empty farm.
  if (redis) {
    const client = new Redis(redis.url);
    await client.flushall();
    client.disconnect();
  }
});

test.afterAll(async () => {
  await redis?.stop();
});

async function farm(): Promise<{ queue: RenderQueue; dataDir: string; redisUrl: string }> {
  if (!redis) throw new Error('no Redis');
  const dataDir = await mkdtemp(join(tmpdir(), 'rapido-farm-'));
  queue = createBullRenderQueue({ redisUrl: redis.url, dataDir });
  return { queue, dataDir, redisUrl: redis.url };
}

async function worker(
  redisUrl: string,
  dataDir: string,
  name: string,
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const started = await startWorker({ redisUrl, dataDir, name, env });
  workers.push(started);
  return started;
}

/** A finished job's files: whole H.264 + Opus at 320x180, a chapter per slide, captions. */
async function expectWholeOutput(dataDir: string, jobId: string, lesson: Lesson): Promise<void> {
  const paths = farmPaths(dataDir);
  const jobDir = paths.jobDir(jobId);
  // Nothing else: no work folder or part file of any attempt.
  expect((await readdir(jobDir)).sort()).toEqual(['chapters.json', 'lesson.mp4', 'lesson.vtt']);
  const video = join(jobDir, paths.fileName.video);
  const probe = await ffprobe(video);
  expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['h264', 'opus']);
  expect(probe.streams.find((s) => s.codec_type === 'video')).toMatchObject({
    width: 320,
    height: 180,
  });
  const counted = await countedStream(video, 'v:0');
  expect(counted.frames).toBeGreaterThan(0);
  expect(counted.frames).toBe(Math.round(counted.durationSec * lesson.output.fps));
  const titles = lesson.slides.map((slide, index) => slideTitle(slide, index));
  expect(counted.chapters.map((chapter) => chapter.title)).toEqual(titles);
  const chapters = JSON.parse(await readFile(join(jobDir, paths.fileName.chapters), 'utf8')) as {
    chapters: { title: string }[];
  };
  expect(chapters.chapters.map((chapter) => chapter.title)).toEqual(titles);
  expect(await readFile(join(jobDir, paths.fileName.captions), 'utf8')).toMatch(/^WEBVTT/);
}

test('two workers render two lessons at once; the same idempotency key twice is one job', async () => {
  test.setTimeout(scaled(300_000));
  const { queue, dataDir, redisUrl } = await farm();
  const [a, b] = await Promise.all([
    worker(redisUrl, dataDir, 'farm-a'),
    worker(redisUrl, dataDir, 'farm-b'),
  ]);
  expect((await queue.workers()).map((w) => [w.name, w.concurrency]).sort()).toEqual([
    ['farm-a', 1],
    ['farm-b', 1],
  ]);
  const { dir, lesson } = await tinyLesson(1);
  const first = await queue.submit(jobFor('first', dir), { idempotencyKey: 'course/first' });
  const second = await queue.submit(jobFor('second', dir), { idempotencyKey: 'course/second' });
  const again = await queue.submit(jobFor('first', dir), { idempotencyKey: 'course/first' });
  expect(first.created && second.created).toBe(true);
  expect(again.created).toBe(false);
  expect(again.job.id).toBe(first.job.id);

  const done = await Promise.all(
    [first, second].map(({ job }) =>
      waitForJob(queue, job.id, (v) => v.state === 'completed', scaled(180_000), 'completion'),
    ),
  );
  // Each worker took one: neither waited for the other.
  expect(done.map((view) => view.progress?.worker).sort()).toEqual([a.name, b.name]);
  for (const view of done) {
    expect(view).toMatchObject({ attempts: 1, error: null });
    expect(view.files.sort()).toEqual(['captions', 'chapters', 'video']);
    await expectWholeOutput(dataDir, view.id, lesson);
  }
  expect(await queue.counts()).toEqual({
    queued: 0,
    active: 0,
    completed: 2,
    failed: 0,
    cancelled: 0,
  });
  // SIGTERM: a worker with nothing to do stops cleanly.
  expect(await a.stop()).toBe(0);
});

test('kill -9 of the worker mid-render: its render and browser die, the other worker completes the job', async () => {
  test.setTimeout(scaled(300_000));
  const { queue, dataDir, redisUrl } = await farm();
  const pair = await Promise.all([
    worker(redisUrl, dataDir, 'farm-a', shortLocks),
    worker(redisUrl, dataDir, 'farm-b', shortLocks),
  ]);
  const { dir, lesson } = await tinyLesson(3, true);
  const { job } = await queue.submit(jobFor('killed', dir));
  // Rendering: the page reports progress, so the render and its Chromium run.
  const rendering = await waitForJob(
    queue,
    job.id,
    (v) => v.state === 'active' && v.progress !== null,
    scaled(120_000),
    'progress',
  );
  const a = pair.find((w) => w.name === rendering.progress?.worker);
  const b = pair.find((w) => w !== a);
  if (!a || !b) throw new Error(`no worker named ${String(rendering.progress?.worker)}`);
  const tree = descendantsOf(a.pid);
  expect(tree.map(commandLine).some((command) => /chrom/i.test(command))).toBe(true);
  expect(tree).toEqual(expect.arrayContaining(a.renderPids()));

  process.kill(a.pid, 'SIGKILL');
  // Nothing the dead worker started lives on: not the render, not its browser.
  await waitUntilGone(tree, 15_000);

  const done = await waitForJob(
    queue,
    job.id,
    (v) => v.state === 'completed',
    scaled(180_000),
    'completion by the other worker',
  );
  expect(done.attempts).toBe(2);
  expect(done.progress?.worker).toBe(b.name);
  expect(b.output()).toContain(`job ${job.id}: removed an earlier attempt's work`);
  await expectWholeOutput(dataDir, job.id, lesson);
});

test('a queued job survives a Redis restart and a worker started afterwards completes it', async () => {
  test.setTimeout(scaled(240_000));
  const { queue, dataDir, redisUrl } = await farm();
  const { dir, lesson } = await tinyLesson(1);
  const { job } = await queue.submit(jobFor('kept', dir), { idempotencyKey: 'kept' });
  await redis?.restart();
  expect(await queue.get(job.id)).toMatchObject({ id: job.id, state: 'queued' });
  expect((await queue.submit(jobFor('kept', dir), { idempotencyKey: 'kept' })).created).toBe(false);
  await worker(redisUrl, dataDir, 'after-restart');
  await waitForJob(queue, job.id, (v) => v.state === 'completed', scaled(180_000), 'completion');
  await expectWholeOutput(dataDir, job.id, lesson);
});

test('cancel: a queued job never renders, an active one stops its render and leaves no files', async () => {
  test.setTimeout(scaled(240_000));
  const { queue, dataDir, redisUrl } = await farm();
  const a = await worker(redisUrl, dataDir, 'canceller');
  const { dir } = await tinyLesson(2);
  const active = await queue.submit(jobFor('active', dir));
  const queued = await queue.submit(jobFor('queued', dir));
  await waitForJob(
    queue,
    active.job.id,
    (v) => v.state === 'active' && v.progress !== null,
    scaled(120_000),
    'progress',
  );
  expect((await queue.get(queued.job.id))?.state).toBe('queued');
  expect(await queue.cancel(queued.job.id)).toBe('cancelled');
  expect((await queue.get(queued.job.id))?.state).toBe('cancelled');

  const renders = descendantsOf(a.pid);
  expect(await queue.cancel(active.job.id)).toBe('cancelled');
  const cancelled = await waitForJob(
    queue,
    active.job.id,
    (v) => v.state === 'cancelled',
    scaled(30_000),
    'the cancel',
  );
  expect(cancelled.error?.code).toBe('cancelled');
  expect(cancelled.files).toEqual([]);
  await waitUntilGone(renders, 15_000);
  const paths = farmPaths(dataDir);
  expect(await readdir(paths.jobDir(active.job.id))).toEqual([]);
  await expect(readdir(paths.jobDir(queued.job.id))).rejects.toThrow();
  expect(await queue.counts()).toMatchObject({ cancelled: 2, active: 0, queued: 0, failed: 0 });
  // The worker is fine and stops cleanly.
  expect((await queue.workers()).map((w) => w.name)).toEqual([a.name]);
  expect(await a.stop()).toBe(0);
});

test('SIGTERM lets a worker finish its render; a second SIGTERM hands the job back to the queue', async () => {
  test.setTimeout(scaled(300_000));
  const { queue, dataDir, redisUrl } = await farm();
  const { dir, lesson } = await tinyLesson(3, true);
  const rendering = (jobId: string) =>
    waitForJob(
      queue,
      jobId,
      (v) => v.state === 'active' && v.progress !== null,
      scaled(120_000),
      'progress',
    );

  const finisher = await worker(redisUrl, dataDir, 'finisher');
  const finished = await queue.submit(jobFor('finished', dir));
  await rendering(finished.job.id);
  process.kill(finisher.pid, 'SIGTERM');
  expect(await finisher.exited).toBe(0);
  expect(finisher.output()).toContain('finishing the current renders');
  expect(await queue.get(finished.job.id)).toMatchObject({ state: 'completed', attempts: 1 });
  await expectWholeOutput(dataDir, finished.job.id, lesson);

  const quitter = await worker(redisUrl, dataDir, 'quitter');
  const handed = await queue.submit(jobFor('handed-back', dir));
  await rendering(handed.job.id);
  const renders = descendantsOf(quitter.pid);
  process.kill(quitter.pid, 'SIGTERM');
  // The second signal once the first is taken (the worker says so).
  const deadline = Date.now() + 10_000;
  while (!quitter.output().includes('finishing the current renders') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  process.kill(quitter.pid, 'SIGTERM');
  expect(await quitter.exited).toBe(0);
  expect(quitter.output()).toContain('handing the current renders back');
  await waitUntilGone(renders, 15_000);
  // Back in the queue at once (no lock to run out), its work folder gone.
  expect(await queue.get(handed.job.id)).toMatchObject({ state: 'queued' });
  expect(await readdir(farmPaths(dataDir).jobDir(handed.job.id))).toEqual([]);
  const taker = await worker(redisUrl, dataDir, 'taker');
  const done = await waitForJob(
    queue,
    handed.job.id,
    (v) => v.state === 'completed',
    scaled(180_000),
    'completion by the next worker',
  );
  expect(done.progress?.worker).toBe(taker.name);
  await expectWholeOutput(dataDir, handed.job.id, lesson);
});
