import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisSkipReason, testRedis } from '../../../../testing/support/redis-server.ts';
import type { RenderJobData } from '../jobs/render-job.ts';
import { createBullRenderQueue } from '../queue/bull-render-queue.ts';
import { createFarmLeases } from './farm-leases.ts';
import { createRenderWorker } from './render-worker.ts';

/**
 * The worker's farm-wide cap, in process against a real Redis: a job whose lesson needs a SyncTalk
 * stream waits, saying so, while another holder has the farm's only one, and a cancel while it
 * waits ends it without a render. (Renders themselves: e2e/render-farm.spec.ts.)
 */
const skip = redisSkipReason();
let server: { url: string; release: () => Promise<void> } | null = null;
const cleanups: (() => Promise<void>)[] = [];
const sampleLesson = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  '..',
  'resources',
  'sample-lesson',
);

beforeAll(async () => {
  if (skip === null) server = await testRedis();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await server?.release();
});

async function syncTalkLesson(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rapido-worker-lesson-'));
  await cp(sampleLesson, dir, { recursive: true });
  const lesson = JSON.parse(await readFile(join(dir, 'lesson.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  lesson.avatar = { provider: 'synctalk', avatarName: 'alin_cc' };
  await writeFile(join(dir, 'lesson.json'), JSON.stringify(lesson));
  return dir;
}

describe('createRenderWorker and the farm-wide caps', () => {
  it('waits for a SyncTalk stream held elsewhere, and a cancel ends the wait', async (ctx) => {
    if (skip !== null || !server) return ctx.skip(skip ?? 'no Redis');
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const dataDir = await mkdtemp(join(tmpdir(), 'rapido-worker-data-'));
    const redis = new Redis(server.url);
    cleanups.push(() => {
      redis.disconnect();
      return Promise.resolve();
    });
    const limits = { 'synctalk-streams': 1, 'elevenlabs-requests': 1 };
    // Another worker's render holds the farm's only stream.
    const elsewhere = await createFarmLeases({ redis, prefix, limits }).tryAcquire('other:job', {
      'synctalk-streams': 1,
    });
    expect(elsewhere).not.toBeNull();
    cleanups.push(async () => {
      await elsewhere?.release();
    });

    const lines: string[] = [];
    const worker = createRenderWorker({
      redisUrl: server.url,
      dataDir,
      concurrency: 1,
      name: 'capped',
      prefix,
      limits,
      log: (line) => lines.push(line),
    });
    cleanups.push(() => worker.close());
    await worker.ready();
    const queue = createBullRenderQueue({ redisUrl: server.url, dataDir, prefix });
    cleanups.push(() => queue.close());
    const data: RenderJobData = {
      lessonId: 'needs-a-stream',
      lessonDir: await syncTalkLesson(),
      source: 'folder',
      options: { mode: 'export', parallel: 1 },
      submittedBy: 'test',
      submittedAtMs: Date.now(),
    };
    const { job } = await queue.submit(data);

    const deadline = Date.now() + 20_000;
    let view = await queue.get(job.id);
    while (view?.progress?.stage !== 'waiting' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      view = await queue.get(job.id);
    }
    expect(view).toMatchObject({
      state: 'active',
      progress: { stage: 'waiting', worker: 'capped', fraction: 0 },
    });
    expect(lines.join('\n')).not.toContain('rendering');

    expect(await queue.cancel(job.id)).toBe('cancelled');
    while (view?.state !== 'cancelled' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      view = await queue.get(job.id);
    }
    expect(view).toMatchObject({ state: 'cancelled', error: { code: 'cancelled' } });
    expect(lines.join('\n')).not.toContain('rendering');
  });
});
