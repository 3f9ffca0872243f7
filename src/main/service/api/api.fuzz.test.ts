import { Agent, request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  awkwardText,
  documentNear,
  expectPlainData,
  fuzz,
  fuzzAsync,
  jsonValue,
  maxFileCaseMs,
} from '../../../../testing/fuzz.ts';
import {
  startApiTestServer,
  type ApiTestServer,
} from '../../../../testing/farm/api-test-server.ts';
import { zipOf } from '../../../../testing/support/pptx-test-deck.ts';
import {
  archiveQuerySchema,
  listJobsQuerySchema,
  processLessonRequestSchema,
  submitJobRequestSchema,
} from './api-schemas.ts';
import { entrySegments } from './archive-unpack.ts';

/**
 * Property tests of the API's outside input: the request schemas (JSON near valid bodies, and
 * any JSON), archive entry names, and the whole router over real HTTP: any method, path, query,
 * token, media type and body gets an answer below 500, and every refusal is the API's JSON
 * error. Cases and seed as every *.fuzz.test.ts (testing/fuzz.ts: RAPIDO_FUZZ_RUNS,
 * RAPIDO_FUZZ_SEED / RAPIDO_FUZZ_PATH replay a failure).
 */
const validSubmit = {
  lessonPath: 'sample',
  options: { mode: 'realtime', room: 'room-1', parallel: 2 },
  idempotencyKey: 'key-1',
  lessonId: 'lesson-1',
};
const validProcess = {
  lesson_id: 'lesson_001',
  slide_data_path: 'sample',
  enable_tts: true,
  enable_synctalk: false,
  enable_livekit: false,
};

function parsesOrRefuses(
  schema: { safeParse(value: unknown): { success: boolean; data?: unknown } },
  text: string,
) {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return;
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) expectPlainData(parsed.data);
}

describe('request schemas', () => {
  fuzz('POST /v1/jobs body near a valid one', documentNear(validSubmit), (text) => {
    parsesOrRefuses(submitJobRequestSchema, text);
  });
  fuzz('POST /process_lesson body near a valid one', documentNear(validProcess), (text) => {
    parsesOrRefuses(processLessonRequestSchema, text);
  });
  fuzz(
    'query objects of archive uploads and listings',
    fc.dictionary(
      fc.oneof(
        fc.constantFrom('mode', 'room', 'parallel', 'limit', 'state', 'lessonId', '__proto__'),
        fc.string({ maxLength: 8 }),
      ),
      awkwardText(12),
      { maxKeys: 5 },
    ),
    (query) => {
      for (const schema of [archiveQuerySchema, listJobsQuerySchema]) {
        const parsed = schema.safeParse(query);
        if (parsed.success) expectPlainData(parsed.data);
      }
    },
  );
  fuzz('any JSON value as any request body', jsonValue(4), (value) => {
    for (const schema of [submitJobRequestSchema, processLessonRequestSchema]) {
      const parsed = schema.safeParse(value);
      if (parsed.success) expectPlainData(parsed.data);
    }
  });
  fuzz(
    'archive entry names: accepted only as plain relative paths',
    fc.oneof(
      awkwardText(24),
      fc
        .array(fc.constantFrom('a', '..', '.', '', 'b.svg', '/', '\\', 'C:', 'slides'), {
          maxLength: 6,
        })
        .map((parts) => parts.join('/')),
    ),
    (name) => {
      const segments = entrySegments(name);
      if (typeof segments === 'string') return;
      expect(segments.length).toBeGreaterThan(0);
      for (const segment of segments) {
        expect(['', '.', '..']).not.toContain(segment);
        expect(segment).not.toMatch(/[\\/]/);
        expect(segment.includes('\u0000')).toBe(false);
      }
      expect(name.startsWith('/')).toBe(false);
    },
  );
});

let api: ApiTestServer;
let tokens: Record<string, string>;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

beforeAll(async () => {
  api = await startApiTestServer({ limits: { archiveBodyBytes: 64 * 1024 } });
  tokens = {
    all: await api.token(),
    read: await api.token(['jobs:read']),
    expired: await api.token(undefined, { nowMs: Date.now() - 7200_000, lifetimeSeconds: 60 }),
    garbage: 'eyJhbGciOiJIUzI1NiJ9.e30.AAAA',
  };
});
afterAll(async () => {
  agent.destroy();
  await api.close();
});

/** Percent-encodes what an HTTP request line cannot carry (lone surrogates as U+FFFD). */
function pathSafe(text: string): string {
  // Code points, not code units: a surrogate pair is one character to encode.
  return Array.from(text)
    .map((char) =>
      /^[\x21-\x7e]$/.test(char) && char !== '#' && char !== '%'
        ? char
        : [...Buffer.from(char, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''),
    )
    .join('');
}

const pathInput = fc.oneof(
  fc.constantFrom(
    '/v1/jobs',
    '/v1/jobs/',
    '/status',
    '/openapi.json',
    '/process_lesson',
    '/',
    '//v1/jobs',
  ),
  fc
    .tuple(
      fc.constantFrom('/v1/jobs/', '/ws/lesson/', '/v1/jobs/x/files/', '/', '/v1/jobs/%', '/v1/'),
      awkwardText(16),
      fc.constantFrom('', '/files/video', '/events', '/'),
    )
    .map(([prefix, segment, suffix]) => `${prefix}${pathSafe(segment)}${suffix}`),
);

const queryInput = fc.option(
  fc
    .array(
      fc.tuple(
        fc.constantFrom('state', 'limit', 'mode', 'parallel', 'x', 'access_token'),
        awkwardText(8),
      ),
      {
        maxLength: 3,
      },
    )
    .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${pathSafe(v)}`).join('&')}`),
  { nil: '' },
);

const bodyInput = fc.oneof(
  fc.constant<Uint8Array | null>(null),
  documentNear(validSubmit).map((text) => Buffer.from(text)),
  documentNear(validProcess).map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 512 }),
  fc
    .array(
      fc.record({
        name: fc.oneof(
          fc.constantFrom('lesson.json', '../x', 'a/', 'slides/a.svg', '/abs'),
          awkwardText(10),
        ),
        content: fc.oneof(fc.constant('{}'), fc.uint8Array({ maxLength: 64 })),
      }),
      { maxLength: 4 },
    )
    .map((entries) => {
      try {
        return zipOf(entries);
      } catch {
        return new Uint8Array();
      }
    }),
);

const anyRequest = fc.record({
  method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'),
  path: pathInput,
  query: queryInput,
  auth: fc.constantFrom('none', 'all', 'read', 'expired', 'garbage', 'basic'),
  contentType: fc.constantFrom(
    null,
    'application/json',
    'application/zip',
    'text/plain',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'multipart/form-data; boundary=x',
  ),
  idempotencyKey: fc.option(awkwardText(8).map(pathSafe), { nil: null }),
  body: bodyInput,
});

/** Requests a client would send, their bodies near valid: these reach the handlers. */
const wellFormedRequest = fc.oneof(
  fc.record({
    method: fc.constant('POST'),
    path: fc.constant('/v1/jobs'),
    query: fc.constant(''),
    auth: fc.constantFrom('all', 'read'),
    contentType: fc.constant('application/json'),
    idempotencyKey: fc.option(fc.constantFrom('k1', 'k2'), { nil: null }),
    body: documentNear(validSubmit).map((text) => Buffer.from(text)),
  }),
  fc.record({
    method: fc.constant('POST'),
    path: fc.constant('/process_lesson'),
    query: fc.constant(''),
    auth: fc.constantFrom('all', 'expired'),
    contentType: fc.constant('application/json'),
    idempotencyKey: fc.constant(null),
    body: documentNear(validProcess).map((text) => Buffer.from(text)),
  }),
);

const requestInput = fc.oneof(
  { weight: 2, arbitrary: anyRequest },
  { weight: 1, arbitrary: wellFormedRequest },
);

/** Statuses answered, for the check that the properties reached past the gate. */
const answered = new Map<number, number>();

type RequestInput = typeof requestInput extends fc.Arbitrary<infer T> ? T : never;

function send(input: RequestInput) {
  return new Promise<{ status: number; headers: Record<string, unknown>; text: string }>(
    (resolve, reject) => {
      const url = new URL(api.server.url);
      const headers: Record<string, string> = {};
      if (input.auth === 'basic') headers.authorization = 'Basic dXNlcjpwYXNz';
      else if (input.auth !== 'none') headers.authorization = `Bearer ${tokens[input.auth] ?? ''}`;
      if (input.contentType !== null) headers['content-type'] = input.contentType;
      if (input.idempotencyKey !== null) headers['idempotency-key'] = input.idempotencyKey;
      // Node sends a GET's body unframed without it (the server rightly reads it as a request).
      if (input.body !== null) headers['content-length'] = String(input.body.byteLength);
      const request = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: input.method,
          path: `${input.path}${input.query}`,
          headers,
          agent,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(input.body ?? undefined);
    },
  );
}

describe('the router over real HTTP', () => {
  fuzzAsync(
    'any request: an answer below 500; a refusal is a JSON error',
    requestInput,
    async (input) => {
      const answer = await send(input);
      answered.set(answer.status, (answered.get(answer.status) ?? 0) + 1);
      expect(answer.status, answer.text).toBeGreaterThanOrEqual(200);
      expect(answer.status, answer.text).toBeLessThan(500);
      expect(answer.headers['x-content-type-options'], `${answer.status} ${answer.text}`).toBe(
        'nosniff',
      );
      if (answer.status >= 400 && input.method !== 'HEAD') {
        const body = JSON.parse(answer.text) as { error: { code: unknown; message: unknown } };
        expect(typeof body.error.code).toBe('string');
        expect(typeof body.error.message).toBe('string');
        expect(answer.text).not.toMatch(/\n\s+at |node:internal/);
      }
    },
    maxFileCaseMs,
  );
  test('the fuzzed requests reached the handlers, not only the gate', () => {
    // Queued jobs (201 or 200) and refusals by the handlers (400) and the gate (401, 404).
    const statuses = [...answered.keys()];
    expect(
      statuses.some((status) => status === 200 || status === 201),
      JSON.stringify([...answered]),
    ).toBe(true);
    expect(statuses).toEqual(expect.arrayContaining([400, 401, 404]));
  });
});
