import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  sampleLessonDir,
  startApiTestServer,
  type ApiTestServer,
} from '../../../../testing/farm/api-test-server.ts';
import { farmPaths } from '../jobs/render-queue.ts';
import { renderJobEventSchema } from '../jobs/render-job.ts';
import { lessonSocketMessageSchema, statusResponseSchema } from './api-schemas.ts';
import { cliSlideDataImporter } from './lesson-source.ts';

/**
 * The predecessor's calls as its README documents them (`POST /process_lesson`, `GET /status`,
 * `ws://…/ws/lesson/{lesson_id}`) and the job's own WebSocket, over real HTTP and WebSocket.
 * Its slide data is imported by a double here (the real import draws the slides in Chromium:
 * the e2e suite runs it); the double records what it was asked and writes a real lesson.
 */
let api: ApiTestServer;
let token: string;
const imports: { source: string; lessonDir: string }[] = [];

beforeAll(async () => {
  api = await startApiTestServer({
    environment: { LIVEKIT_URL: 'ws://127.0.0.1:7880' },
    async importSlideData(source, lessonDir) {
      imports.push({ source, lessonDir });
      if (source.endsWith('bad.json')) return { ok: false, message: 'no slides in it' };
      await cp(sampleLessonDir, lessonDir, { recursive: true });
      return { ok: true };
    },
  });
  token = await api.token();
  await mkdir(join(api.lessonRoot, 'data'), { recursive: true });
  await writeFile(join(api.lessonRoot, 'data', 'lesson_001.json'), '{"slides": []}');
  await writeFile(join(api.lessonRoot, 'data', 'bad.json'), '{}');
});
afterAll(async () => {
  await api.close();
});

function processLesson(body: unknown, bearer: string | null = token) {
  return fetch(`${api.server.url}/process_lesson`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
    },
    body: JSON.stringify(body),
  });
}

describe('POST /process_lesson', () => {
  it("imports the predecessor's slide data under the data folder and queues it", async () => {
    const response = await processLesson({
      lesson_id: 'lesson_001',
      slide_data_path: './data/lesson_001.json',
      enable_tts: true,
      enable_synctalk: true,
      enable_livekit: false,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      success: true,
      lesson_id: 'lesson_001',
      slides_processed: 4,
      error: null,
      error_type: null,
      state: 'queued',
      mode: 'export',
    });
    expect(body.session_id).toBe(body.job_id);
    expect(imports.at(-1)?.source).toBe(join(api.lessonRoot, 'data', 'lesson_001.json'));
    const data = api.queue.submitted.at(-1);
    expect(data).toMatchObject({ lessonId: 'lesson_001', source: 'slide-data' });
    expect(data?.lessonDir.startsWith(farmPaths(api.dataDir).lessonsDir)).toBe(true);
  });

  it('takes a Rapido lesson folder too; enable_livekit goes live when LiveKit is configured', async () => {
    const response = await processLesson({ lesson_id: 'plants', slide_data_path: 'sample' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ success: true, mode: 'live' });
    expect(api.queue.submitted.at(-1)).toMatchObject({
      source: 'folder',
      lessonDir: join(api.lessonRoot, 'sample'),
      options: { mode: 'live', room: 'plants' },
    });
  });

  it('refuses with the reason in error and in FastAPI’s detail, nothing queued', async () => {
    const before = api.queue.submitted.length;
    const cases: [unknown, string | null, number, string][] = [
      [{ lesson_id: '../x', slide_data_path: 'sample' }, token, 400, 'invalid-request'],
      [{ lesson_id: 'a', slide_data_path: '../outside/lesson' }, token, 403, 'path-outside-root'],
      [{ lesson_id: 'a', slide_data_path: 'data/bad.json' }, token, 400, 'import-failed'],
      [{ lesson_id: 'a', slide_data_path: 'sample' }, null, 401, 'token-missing'],
      [
        { lesson_id: 'a', slide_data_path: 'sample' },
        await api.token(['jobs:read']),
        403,
        'insufficient-scope',
      ],
    ];
    for (const [body, bearer, status, code] of cases) {
      const response = await processLesson(body, bearer);
      const answer = (await response.json()) as {
        error: { code: string; message: string };
        detail: string;
      };
      expect(response.status, JSON.stringify(answer)).toBe(status);
      expect(answer.error.code).toBe(code);
      expect(answer.detail).toBe(answer.error.message);
    }
    expect(api.queue.submitted.length).toBe(before);
  });
});

describe('GET /status', () => {
  it('needs no token: queue depth, workers alive, providers reachable or not', async () => {
    api.queue.setWorkers([{ name: 'host-a:1', concurrency: 2 }]);
    const response = await fetch(`${api.server.url}/status`);
    expect(response.status).toBe(200);
    const status = statusResponseSchema.parse(await response.json());
    expect(status.application_initialized).toBe(true);
    expect(status.workers).toEqual({ alive: 1, names: ['host-a:1'] });
    expect(status.queue.depth).toBe(status.queue.counts.queued);
    expect(status.services_status).toEqual({
      ElevenLabs: { state: 'off', reachable: false },
      Chromium: { state: 'ok', reachable: true },
    });
  });
});

/** Messages of a WebSocket as they come, and its close. */
function collect(socket: WebSocket) {
  const messages: unknown[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (data: Buffer) => {
    messages.push(JSON.parse(data.toString('utf8')));
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  return {
    messages,
    closed,
    async count(n: number): Promise<unknown[]> {
      while (messages.length < n) await new Promise<void>((wake) => waiters.push(wake));
      return messages.slice(0, n);
    },
  };
}

function opened(socket: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
}

function refusedStatus(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
  });
}

describe('progress WebSockets', () => {
  const wsUrl = (path: string) => api.server.url.replace(/^http/, 'ws') + path;

  it('/v1/jobs/{id}/events: the state, each event, and a close once finished', async () => {
    const submitted = await api.queue.submit({
      lessonId: 'events',
      lessonDir: join(api.lessonRoot, 'sample'),
      source: 'folder',
      options: { mode: 'export', parallel: 1 },
      submittedBy: 'test',
      submittedAtMs: Date.now(),
    });
    const id = submitted.job.id;
    const socket = new WebSocket(wsUrl(`/v1/jobs/${id}/events`), ['rapido-jwt', token]);
    const events = collect(socket);
    await opened(socket);
    expect(socket.protocol).toBe('rapido-jwt');
    await events.count(1);
    api.queue.start(id, 'worker-1');
    const progress = {
      fraction: 0.5,
      stage: 'rendering',
      message: 'half',
      etaMs: 1000,
      worker: 'worker-1',
    };
    api.queue.report(id, progress);
    api.queue.finish(id, 'completed');
    const got = (await events.count(4)).map((m) => renderJobEventSchema.parse(m));
    expect(got.map((e) => (e.type === 'state' ? e.state : e.progress.fraction))).toEqual([
      'queued',
      'active',
      0.5,
      'completed',
    ]);
    expect(await events.closed).toBe(1000);
  });

  it('/ws/lesson/{lesson_id}: the predecessor’s status, then an update per event', async () => {
    const socket = new WebSocket(wsUrl(`/ws/lesson/lesson_001?access_token=${token}`));
    const messages = collect(socket);
    await opened(socket);
    const [first] = await messages.count(1);
    const status = lessonSocketMessageSchema.parse(first);
    expect(status.type).toBe('status');
    expect(status.lesson_id).toBe('lesson_001');
    const jobId = status.data.jobs?.[0]?.id ?? '';
    expect(jobId.length).toBeGreaterThan(0);
    api.queue.start(jobId);
    const update = lessonSocketMessageSchema.parse((await messages.count(2))[1]);
    expect(update).toMatchObject({
      type: 'update',
      lesson_id: 'lesson_001',
      data: {
        is_processing: true,
        current_lesson_id: 'lesson_001',
        event: { type: 'state', state: 'active' },
      },
    });
    socket.close();
  });

  it('refuses an upgrade without a token, with a wrong scope, or for no such job', async () => {
    expect(await refusedStatus(new WebSocket(wsUrl('/ws/lesson/lesson_001')))).toBe(401);
    const submitOnly = await api.token(['jobs:submit']);
    expect(
      await refusedStatus(new WebSocket(wsUrl(`/ws/lesson/x?access_token=${submitOnly}`))),
    ).toBe(403);
    expect(
      await refusedStatus(new WebSocket(wsUrl(`/v1/jobs/nope/events?access_token=${token}`))),
    ).toBe(404);
    expect(await refusedStatus(new WebSocket(wsUrl(`/elsewhere?access_token=${token}`)))).toBe(404);
  });
});

describe('the real slide-data importer', () => {
  it('runs `rapido import` and answers its one-line reason when it refuses', async () => {
    const importer = cliSlideDataImporter({ timeoutMs: 60_000 });
    const outcome = await importer(
      join(api.lessonRoot, 'data', 'missing.json'),
      join(api.dataDir, 'x'),
    );
    expect(outcome).toEqual({
      ok: false,
      message: `${join(api.lessonRoot, 'data', 'missing.json')} does not exist`,
    });
  });
});
