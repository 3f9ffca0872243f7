import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { slideTitle } from '../src/shared/lesson/lesson-schema.ts';
import { mintToken } from '../src/main/service/auth/api-token.ts';
import type { RenderJobEvent, RenderJobView } from '../src/main/service/jobs/render-job.ts';
import { repoRoot, requireRendererBuild } from '../testing/support/app-host.ts';
import { countedStream, ffprobe } from '../testing/support/media-probe.ts';
import {
  redisSkipReason,
  startRedisServer,
  type RedisTestServer,
} from '../testing/support/redis-server.ts';
import { startWorker, tinyLesson, type WorkerProcess } from '../testing/support/render-farm.ts';
import { scaled } from './support/timeouts.ts';
import { cliPath, tsxBin } from '../testing/support/render-cli.ts';

/**
 * The farm as a course platform uses it (issue 18): the real `rapido api` process over HTTP and
 * WebSocket, two real `rapido worker` processes, a real Redis; a lesson submitted over HTTP is
 * followed on its WebSocket and its files are downloaded and judged with ffprobe. The queue and
 * worker cases (kill -9, Redis restart, cancel) are in render-farm.spec.ts; the API's refusals in
 * detail in src/main/service/api/*.test.ts. Here: that they hold through the real processes too.
 */
const secret = 'e2e-secret-that-is-long-enough-for-hs256-0123456789';

let redis: RedisTestServer | null = null;
let api: ChildProcess | null = null;
const workers: WorkerProcess[] = [];

test.beforeAll(async () => {
  requireRendererBuild();
  const skip = redisSkipReason({ ownServer: true });
  test.skip(skip !== null, skip ?? '');
  redis = await startRedisServer();
});

test.afterAll(async () => {
  api?.kill('SIGTERM');
  for (const worker of workers.splice(0)) await worker.stop(30_000);
  await redis?.stop();
});

/** Starts `rapido api --port 0` and resolves its URL from the line it prints. */
async function startApi(env: Record<string, string>): Promise<string> {
  const child = spawn(tsxBin, [cliPath, 'api', '--port', '0'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  api = child;
  let output = '';
  return new Promise<string>((resolve, reject) => {
    const read = (chunk: string) => {
      output += chunk;
      const url = /Rapido API at (http:\/\/\S+) /.exec(output)?.[1];
      if (url) resolve(url);
    };
    child.stdout.setEncoding('utf8').on('data', read);
    child.stderr.setEncoding('utf8').on('data', read);
    child.once('close', (code) => reject(new Error(`rapido api exited (${code}):\n${output}`)));
  });
}

/** Every event the job's WebSocket sends, until it closes (the job finished). */
function jobEvents(baseUrl: string, jobId: string, token: string): Promise<RenderJobEvent[]> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/v1/jobs/${jobId}/events`;
  const socket = new WebSocket(url, ['rapido-jwt', token]);
  const events: RenderJobEvent[] = [];
  socket.on('message', (data: Buffer) =>
    events.push(JSON.parse(data.toString()) as RenderJobEvent),
  );
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', () => resolve(events));
  });
}

test('a lesson submitted over HTTP is rendered by one of two workers, followed on its WebSocket and downloaded whole', async () => {
  test.setTimeout(scaled(300_000));
  if (!redis) throw new Error('no Redis');
  const dataDir = await mkdtemp(join(tmpdir(), 'rapido-api-farm-'));
  const lessonRoot = await mkdtemp(join(tmpdir(), 'rapido-api-lessons-'));
  const { dir, lesson } = await tinyLesson(2);
  await rename(dir, join(lessonRoot, 'photosynthesis'));
  const env = {
    JWT_SECRET: secret,
    RAPIDO_LESSON_ROOT: lessonRoot,
    RAPIDO_REDIS_URL: redis.url,
    RAPIDO_DATA_DIR: dataDir,
    RAPIDO_LOG_DIR: join(dataDir, 'logs'),
  };
  const baseUrl = await startApi(env);
  for (const name of ['one', 'two']) {
    workers.push(await startWorker({ redisUrl: redis.url, dataDir, name }));
  }
  const token = await mintToken({
    secret,
    subject: 'course-platform',
    scopes: ['jobs:submit', 'jobs:read'],
    lifetimeSeconds: 600,
  });
  const authorised = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  // /status needs no token and sees both workers once they have registered with the queue.
  await expect
    .poll(
      async () => {
        const status = (await (await fetch(`${baseUrl}/status`)).json()) as {
          workers: { alive: number };
        };
        return status.workers.alive;
      },
      { timeout: scaled(30_000) },
    )
    .toBe(2);

  // Refusals through the real process: each a clear status and code, and nothing queued.
  const submit = (body: string, headers: Record<string, string>) =>
    fetch(`${baseUrl}/v1/jobs`, { method: 'POST', headers, body });
  const refusals = [
    [await submit('{"lessonPath":"photosynthesis"}', { 'content-type': 'application/json' }), 401],
    [await submit('{"lessonPath":"../../etc"}', authorised), 403],
    [await submit('{"lessonPath":', authorised), 400],
  ] as const;
  for (const [answer, status] of refusals) {
    expect(answer.status).toBe(status);
    const body = (await answer.json()) as { error: { code: string; message: string } };
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toContain(secret);
  }
  const readOnly = await mintToken({
    secret,
    subject: 'viewer',
    scopes: ['jobs:read'],
    lifetimeSeconds: 600,
  });
  const wrongScope = await submit('{"lessonPath":"photosynthesis"}', {
    authorization: `Bearer ${readOnly}`,
    'content-type': 'application/json',
  });
  expect(wrongScope.status).toBe(403);
  const listed = await fetch(`${baseUrl}/v1/jobs`, { headers: authorised });
  expect(((await listed.json()) as { jobs: unknown[] }).jobs).toEqual([]);

  // The job: submitted, followed on its socket until it closes, downloaded.
  const created = await submit(
    JSON.stringify({ lessonPath: 'photosynthesis', options: { mode: 'export' } }),
    authorised,
  );
  expect(created.status).toBe(201);
  const { job } = (await created.json()) as { job: RenderJobView };
  const events = await jobEvents(baseUrl, job.id, token);
  const states = events.flatMap((event) => (event.type === 'state' ? [event.state] : []));
  expect(states.at(-1)).toBe('completed');
  const fractions = events.flatMap((event) =>
    event.type === 'progress' ? [event.progress.fraction] : [],
  );
  expect(fractions.length).toBeGreaterThan(0);
  expect(fractions).toEqual([...fractions].sort((a, b) => a - b));

  const finished = (await (
    await fetch(`${baseUrl}/v1/jobs/${job.id}`, { headers: authorised })
  ).json()) as RenderJobView;
  expect(finished.state).toBe('completed');
  expect([...finished.files].sort()).toEqual(['captions', 'chapters', 'video']);
  const download = async (kind: string) => {
    const answer = await fetch(`${baseUrl}/v1/jobs/${job.id}/files/${kind}`, {
      headers: authorised,
    });
    expect(answer.status, kind).toBe(200);
    return Buffer.from(await answer.arrayBuffer());
  };
  const videoPath = join(dataDir, 'downloaded.mp4');
  await writeFile(videoPath, await download('video'));
  const probe = await ffprobe(videoPath);
  expect(probe.streams.map((stream) => stream.codec_name).sort()).toEqual(['h264', 'opus']);
  const counted = await countedStream(videoPath, 'v:0');
  expect(counted.frames).toBe(Math.round(counted.durationSec * lesson.output.fps));
  const titles = lesson.slides.map((slide, index) => slideTitle(slide, index));
  expect(counted.chapters.map((chapter) => chapter.title)).toEqual(titles);
  expect((await download('captions')).toString('utf8')).toMatch(/^WEBVTT/);
  const chapters = JSON.parse((await download('chapters')).toString('utf8')) as {
    chapters: { title: string }[];
  };
  expect(chapters.chapters.map((chapter) => chapter.title)).toEqual(titles);
  // The file that was downloaded is the one the worker published.
  const published = await readFile(join(dataDir, 'farm', 'jobs', job.id, 'lesson.mp4'));
  expect(published.equals(await readFile(videoPath))).toBe(true);

  // The predecessor's call and socket: /process_lesson with a lesson folder, followed on
  // /ws/lesson/{lesson_id} (its envelope: a status first, then updates) until it completes.
  const lessonSocket = new WebSocket(
    `${baseUrl.replace(/^http/, 'ws')}/ws/lesson/lesson_001?access_token=${token}`,
  );
  const messages: { type: string; data: { event?: RenderJobEvent } }[] = [];
  const completed = new Promise<void>((resolve, reject) => {
    lessonSocket.once('error', reject);
    lessonSocket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as (typeof messages)[number];
      messages.push(message);
      const event = message.data.event;
      if (event?.type === 'state' && event.state === 'completed') resolve();
    });
  });
  await new Promise((resolve) => lessonSocket.once('open', resolve));
  const processed = await fetch(`${baseUrl}/process_lesson`, {
    method: 'POST',
    headers: authorised,
    body: JSON.stringify({
      lesson_id: 'lesson_001',
      slide_data_path: 'photosynthesis',
      enable_tts: true,
      enable_synctalk: false,
      enable_livekit: false,
    }),
  });
  expect(processed.status).toBe(200);
  const answer = (await processed.json()) as { success: boolean; job_id: string; mode: string };
  expect(answer).toMatchObject({ success: true, mode: 'export' });
  await completed;
  lessonSocket.close();
  expect(messages[0]?.type).toBe('status');
  expect(messages.slice(1).every((message) => message.type === 'update')).toBe(true);
  const lessonJob = (await (
    await fetch(`${baseUrl}/v1/jobs/${answer.job_id}`, { headers: authorised })
  ).json()) as RenderJobView;
  expect(lessonJob).toMatchObject({ lessonId: 'lesson_001', state: 'completed' });
});
