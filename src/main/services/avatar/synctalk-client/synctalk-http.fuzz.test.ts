import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, vi } from 'vitest';
import { awkwardText, expectPlainData, fuzzAsync, jsonValue } from '../../../../../testing/fuzz.ts';
import { rapidoErrorSchema, type Result } from '../../../../shared/result.ts';
import { getStatus, listModels, requestLoadModel } from './synctalk-http.ts';

/** Answers in the real server's shapes, each field sometimes wrong, and anything else. */
const statusBody = fc.record(
  {
    available: fc.oneof(fc.boolean(), jsonValue(0)),
    status: fc.oneof(awkwardText(), jsonValue(0)),
    is_model_loaded: fc.oneof(fc.boolean(), jsonValue(0)),
    loaded_models: fc.oneof(fc.array(awkwardText(8), { maxLength: 3 }), jsonValue(1)),
    last_inference_time: fc.oneof(fc.double(), fc.constant(null), jsonValue(0)),
    capacity: fc.oneof(
      fc.record({ current: fc.double(), maximum: fc.double(), available: fc.double() }),
      jsonValue(1),
    ),
    error: awkwardText(),
    models: fc.oneof(fc.array(awkwardText(8), { maxLength: 3 }), jsonValue(1)),
    message: fc.oneof(awkwardText(), jsonValue(0)),
    detail: fc.oneof(
      awkwardText(30),
      fc.constant('Failed to load model: 404: no such'),
      jsonValue(1),
    ),
  },
  { requiredKeys: [] },
);

const answer = fc.record({
  status: fc.constantFrom(200, 200, 200, 404, 409, 422, 500, 503, 302, 204),
  body: fc.oneof(
    { weight: 4, arbitrary: statusBody.map((b) => JSON.stringify(b)) },
    { weight: 1, arbitrary: jsonValue(3).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: awkwardText(40) },
    { weight: 1, arbitrary: fc.constantFrom('', '1e400', '{"capacity":{"current":1e400}}') },
  ),
  call: fc.constantFrom('status', 'models', 'load'),
});

let served = { status: 200, body: '' };

beforeEach(() => {
  vi.stubGlobal('fetch', () =>
    Promise.resolve(
      new Response(served.status === 204 ? null : served.body, { status: served.status }),
    ),
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
});

function checkResult(result: Result<unknown>): void {
  expectPlainData(result);
  if (!result.ok) {
    expect(rapidoErrorSchema.safeParse(result.error).success).toBe(true);
    expect(result.error.message).toMatch(/http:\/\/127\.0\.0\.1:8000\//);
  }
}

describe('SyncTalk HTTP answers (properties)', () => {
  fuzzAsync(
    'SyncTalk HTTP: any answer to /status, /models or /load_model is a typed value or a readable error',
    answer,
    async ({ status, body, call }) => {
      served = { status, body };
      const base = 'http://127.0.0.1:8000';
      if (call === 'status') {
        const result = await getStatus(base);
        checkResult(result);
        if (result.ok) {
          expect(result.value.loadedFolders.every((name) => typeof name === 'string')).toBe(true);
          for (const count of Object.values(result.value.capacity)) {
            expect(typeof count).toBe('number');
          }
        }
      } else if (call === 'models') {
        const result = await listModels(base);
        checkResult(result);
        if (result.ok) expect(result.value.every((name) => typeof name === 'string')).toBe(true);
      } else {
        const result = await requestLoadModel(base, 'May');
        checkResult(result);
        if (result.ok) {
          expect(['loaded', 'busy', 'unknown-avatar', 'failed']).toContain(result.value.kind);
        }
      }
    },
  );
});
