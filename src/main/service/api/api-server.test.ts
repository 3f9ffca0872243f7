import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startApiTestServer,
  testSecret,
  type ApiTestServer,
} from '../../../../testing/farm/api-test-server.ts';
import { farmPaths } from '../jobs/render-queue.ts';
import { renderJobViewSchema } from '../jobs/render-job.ts';

/**
 * The API over real HTTP (node's fetch) against the in-memory queue double: the versioned job
 * routes, and every refusal the issue lists, each a clear status and message with nothing
 * queued and nothing of the server (stack, secret, path) in the answer.
 */
let api: ApiTestServer;
let token: string;

beforeAll(async () => {
  api = await startApiTestServer();
  token = await api.token();
});
afterAll(async () => {
  await api.close();
});

function call(path: string, init: RequestInit & { token?: string | null } = {}) {
  const { token: bearer = token, headers, ...rest } = init;
  return fetch(`${api.server.url}${path}`, {
    ...rest,
    headers: {
      ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
      ...(headers as Record<string, string> | undefined),
    },
  });
}

function postJson(path: string, body: unknown, init: { token?: string | null } = {}) {
  return call(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

/** A refusal: its status, its code, a message, and nothing a server should keep to itself. */
async function expectRefusal(response: Response, status: number, code: string) {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(10);
  expect(text).not.toContain(testSecret);
  expect(text).not.toMatch(/\n\s+at |node:internal|\.ts:\d+/);
  expect(text).not.toContain(api.lessonRoot);
  return body.error.message;
}

describe('the versioned job routes', () => {
  it('queues a lesson folder under the root and reads, lists and cancels it', async () => {
    const before = api.queue.submitted.length;
    const response = await postJson('/v1/jobs', {
      lessonPath: 'sample',
      options: { mode: 'export', parallel: 2 },
    });
    expect(response.status).toBe(201);
    const { job, created } = (await response.json()) as { job: unknown; created: boolean };
    expect(created).toBe(true);
    const view = renderJobViewSchema.parse(job);
    expect(view).toMatchObject({
      lessonId: 'sample',
      source: 'folder',
      state: 'queued',
      submittedBy: 'test-client',
      options: { mode: 'export', parallel: 2 },
    });
    expect(api.queue.submitted.length).toBe(before + 1);
    expect(api.queue.submitted.at(-1)?.lessonDir).toBe(join(api.lessonRoot, 'sample'));

    const read = await call(`/v1/jobs/${view.id}`);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { id: string }).id).toBe(view.id);

    const listed = (await (await call('/v1/jobs?state=queued&limit=5')).json()) as {
      jobs: { id: string; state: string }[];
    };
    expect(listed.jobs.map((j) => j.id)).toContain(view.id);
    expect(listed.jobs.every((j) => j.state === 'queued')).toBe(true);

    const cancelled = await call(`/v1/jobs/${view.id}`, { method: 'DELETE' });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as { state: string }).state).toBe('cancelled');
    await expectRefusal(
      await call(`/v1/jobs/${view.id}`, { method: 'DELETE' }),
      409,
      'job-finished',
    );
    await expectRefusal(await call('/v1/jobs/no-such-job'), 404, 'job-not-found');
  });

  it('one idempotency key is one job, from the body or the Idempotency-Key header', async () => {
    const before = api.queue.submitted.length;
    const first = await postJson('/v1/jobs', { lessonPath: 'sample', idempotencyKey: 'order-17' });
    const again = await postJson('/v1/jobs', { lessonPath: 'sample', idempotencyKey: 'order-17' });
    const header = await call('/v1/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'order-17' },
      body: JSON.stringify({ lessonPath: 'sample' }),
    });
    expect([first.status, again.status, header.status]).toEqual([201, 200, 200]);
    const ids = await Promise.all(
      [first, again, header].map(async (r) => ((await r.json()) as { job: { id: string } }).job.id),
    );
    expect(new Set(ids).size).toBe(1);
    expect(api.queue.submitted.length).toBe(before + 1);
  });

  it('serves a finished file only when whole, with its media type', async () => {
    const { job } = (await (await postJson('/v1/jobs', { lessonPath: 'sample' })).json()) as {
      job: { id: string };
    };
    await expectRefusal(await call(`/v1/jobs/${job.id}/files/video`), 404, 'file-not-ready');
    await expectRefusal(await call(`/v1/jobs/${job.id}/files/poster`), 404, 'file-not-found');
    const paths = farmPaths(api.dataDir);
    await mkdir(paths.jobDir(job.id), { recursive: true });
    const bytes = Buffer.from('not really an mp4, but the bytes must come back the same');
    await writeFile(join(paths.jobDir(job.id), paths.fileName.video), bytes);
    api.queue.start(job.id);
    api.queue.finish(job.id, 'completed');
    const video = await call(`/v1/jobs/${job.id}/files/video`);
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await video.arrayBuffer())).toEqual(bytes);
    const view = (await (await call(`/v1/jobs/${job.id}`)).json()) as { files: string[] };
    expect(view.files).toEqual(['video']);
    await expectRefusal(await call(`/v1/jobs/${job.id}/files/captions`), 404, 'file-not-ready');
  });

  it('answers /openapi.json as an OpenAPI 3.1 document built from the schemas', async () => {
    const response = await call('/openapi.json', { token: null });
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/jobs', '/v1/jobs/{id}', '/process_lesson', '/status']),
    );
    expect(Object.keys(document.components.schemas.SubmitJobRequest?.properties ?? {})).toEqual(
      expect.arrayContaining(['lessonPath', 'options', 'idempotencyKey']),
    );
    expect(Object.keys(document.components.schemas.Job?.properties ?? {})).toContain('attempts');
  });
});

describe('refusals: a clear status and message, nothing queued', () => {
  async function nothingQueued(request: () => Promise<Response>, status: number, code: string) {
    const before = api.queue.submitted.length;
    const message = await expectRefusal(await request(), status, code);
    expect(api.queue.submitted.length).toBe(before);
    return message;
  }
  const submit = (init: { token?: string | null } = {}) =>
    postJson('/v1/jobs', { lessonPath: 'sample' }, init);

  it('no token, a bad one, an expired one, an unsigned one, one without exp', async () => {
    const missing = await submit({ token: null });
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await expectRefusal(missing, 401, 'token-missing');
    const otherKey = await new SignJWT({ scope: 'jobs:submit' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('intruder')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-another-secret-another'));
    await nothingQueued(() => submit({ token: otherKey }), 401, 'token-invalid');
    const expired = await api.token(undefined, {
      nowMs: Date.now() - 7200_000,
      lifetimeSeconds: 60,
    });
    expect(await nothingQueued(() => submit({ token: expired }), 401, 'token-expired')).toMatch(
      /expired/,
    );
    const unsigned = new UnsecuredJWT({ scope: 'jobs:submit', sub: 'x' })
      .setExpirationTime('1h')
      .encode();
    await nothingQueued(() => submit({ token: unsigned }), 401, 'token-invalid');
    const noExpiry = await new SignJWT({ scope: 'jobs:submit', sub: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(testSecret));
    await nothingQueued(() => submit({ token: noExpiry }), 401, 'token-invalid');
    await nothingQueued(() => submit({ token: 'not.a.jwt' }), 401, 'token-invalid');
  });

  it('a token without the route scope', async () => {
    const readOnly = await api.token(['jobs:read']);
    const message = await nothingQueued(
      () => submit({ token: readOnly }),
      403,
      'insufficient-scope',
    );
    expect(message).toContain('jobs:submit');
    const submitOnly = await api.token(['jobs:submit']);
    await expectRefusal(await call('/v1/jobs', { token: submitOnly }), 403, 'insufficient-scope');
    await expectRefusal(
      await call('/v1/jobs/x', { method: 'DELETE', token: readOnly }),
      403,
      'insufficient-scope',
    );
  });

  it('a lesson path outside the root: up, absolute, or through a symlink', async () => {
    await symlink(api.outsideDir, join(api.lessonRoot, 'escape'));
    for (const lessonPath of [
      '../outside/lesson',
      join(api.outsideDir, 'lesson'),
      'escape/lesson',
      '/etc',
    ]) {
      const message = await nothingQueued(
        () => postJson('/v1/jobs', { lessonPath }),
        403,
        'path-outside-root',
      );
      expect(message).toContain('RAPIDO_LESSON_ROOT');
    }
    await nothingQueued(
      () => postJson('/v1/jobs', { lessonPath: 'no-such' }),
      400,
      'lesson-not-found',
    );
  });

  it('an invalid lesson says why, its paths relative to the root', async () => {
    await mkdir(join(api.lessonRoot, 'broken'), { recursive: true });
    await writeFile(join(api.lessonRoot, 'broken', 'lesson.json'), '{ "schemaVersion": 1, ');
    const message = await nothingQueued(
      () => postJson('/v1/jobs', { lessonPath: 'broken' }),
      400,
      'lesson-invalid',
    );
    expect(message).toMatch(/lesson\.json:1:/);
  });

  it('an oversized body, malformed JSON, a wrong content type, a field out of range', async () => {
    const big = JSON.stringify({ lessonPath: 'sample', lessonId: 'x'.repeat(70 * 1024) });
    expect(await nothingQueued(() => postJson('/v1/jobs', big), 413, 'body-too-large')).toContain(
      '64 KiB',
    );
    await nothingQueued(
      () => postJson('/v1/jobs', '{"lessonPath": "sample",'),
      400,
      'invalid-json',
    );
    await nothingQueued(
      () =>
        call('/v1/jobs', {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: '{"lessonPath":"sample"}',
        }),
      415,
      'unsupported-media-type',
    );
    const message = await nothingQueued(
      () => postJson('/v1/jobs', { lessonPath: 'sample', options: { parallel: 99 } }),
      400,
      'invalid-request',
    );
    expect(message).toMatch(/^options\.parallel: /);
    await nothingQueued(
      () => postJson('/v1/jobs', { lessonPath: 'sample', extra: 1 }),
      400,
      'invalid-request',
    );
  });

  it('bytes that are not HTTP, and a target that is no path, get the JSON 400', async () => {
    const url = new URL(api.server.url);
    const raw = async (text: string) => {
      const socket = connect(Number(url.port), url.hostname);
      socket.end(text);
      const chunks: Buffer[] = [];
      for await (const chunk of socket) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    };
    const garbage = await raw('HELLO THERE\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(garbage).toContain('x-content-type-options: nosniff');
    expect(garbage).toContain('"code":"bad-request"');
    const slashes = await raw('GET // HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    expect(slashes).toMatch(/^HTTP\/1\.1 404 /);
  });

  it('no such route (404) and a route with another method (405, Allow)', async () => {
    await expectRefusal(await call('/v2/jobs'), 404, 'not-found');
    const wrong = await call('/v1/jobs', { method: 'PUT' });
    expect(wrong.headers.get('allow')).toBe('POST, GET');
    await expectRefusal(wrong, 405, 'method-not-allowed');
  });
});

describe('a fault inside the server', () => {
  it('is logged and answered as a bare 500: no message, stack or secret of it', async () => {
    const get = api.queue.get.bind(api.queue);
    api.queue.get = () => Promise.reject(new Error(`redis said no; JWT_SECRET=${testSecret}`));
    try {
      const response = await call('/v1/jobs/any-job');
      const text = await response.text();
      expect(response.status).toBe(500);
      expect(JSON.parse(text)).toEqual({
        error: { code: 'internal', message: 'The server could not complete this request.' },
      });
      expect(text).not.toContain('redis said no');
      const logged = api.logger.lines.find((line) => line.record.event_type === 'api_error');
      expect(logged?.record.where).toBe('GET /v1/jobs/any-job');
    } finally {
      api.queue.get = get;
    }
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After past the per-client limit, queueing nothing', async () => {
    const limited = await startApiTestServer({
      limits: { requestsPerMinute: 3, submitsPerMinute: 2 },
    });
    try {
      const bearer = await limited.token();
      const post = (t = bearer) =>
        fetch(`${limited.server.url}/v1/jobs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
          body: JSON.stringify({ lessonPath: 'sample' }),
        });
      expect((await post()).status).toBe(201);
      expect((await post()).status).toBe(201);
      const third = await post();
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await third.json()) as { error: { code: string } }).error.code).toBe('rate-limited');
      expect(limited.queue.submitted.length).toBe(2);
      // Per client: another subject has its own allowance.
      const other = await limited.token(undefined, { subject: 'other-client' });
      expect((await post(other)).status).toBe(201);
      // /status needs no token but is limited too (by address).
      const statuses = [];
      for (let i = 0; i < 4; i += 1)
        statuses.push((await fetch(`${limited.server.url}/status`)).status);
      expect(statuses.at(-1)).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
