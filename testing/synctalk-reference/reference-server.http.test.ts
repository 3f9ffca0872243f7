import { afterEach, describe, expect, test } from 'vitest';
import {
  folderNameFor,
  type ReferenceServer,
  type ReferenceServerOptions,
} from './reference-server.ts';
import { eventually, getJson, upgradeStatus, referenceServerFixture } from './test-support.ts';

const enrique = { name: 'enrique_torres', width: 64, height: 64, keyColor: '#089831' };
const alin = { name: 'alin', width: 48, height: 40, keyColor: '#beffba' };

const { start, connect, closeAll } = referenceServerFixture([enrique, alin]);

afterEach(closeAll);

function postLoadModel(server: ReferenceServer, body: string, contentType = 'application/json') {
  return getJson(server, '/load_model', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
}

describe('folder names', () => {
  test('are derived from the avatar name but differ from it', () => {
    expect(folderNameFor('enrique_torres')).toBe('Enrique-Torres-dataset');
    expect(folderNameFor('alin')).toBe('Alin-dataset');
  });
});

describe('HTTP endpoints', () => {
  test('GET /status has the real shape and lists folder names, not avatar names', async () => {
    const server = await start();
    const { status, body } = await getJson(server, '/status');
    expect(status).toBe(200);
    expect(body).toEqual({
      available: true,
      status: 'ready',
      is_model_loaded: true,
      loaded_models: ['Enrique-Torres-dataset'],
      last_inference_time: null,
      multi_stream: {
        active_streams: {},
        active_count: 0,
        max_concurrent: 5,
        total_created: 0,
        total_completed: 0,
      },
      capacity: { current: 0, maximum: 5, available: 5 },
    });
  });

  test('loaded_models stays empty until the start-up preload has finished', async () => {
    const server = await start({ preloadDelayMs: 300 });
    const before = (await getJson(server, '/status')).body as Record<string, unknown>;
    expect(before['loaded_models']).toEqual([]);
    expect(before['is_model_loaded']).toBe(false);
    expect(await upgradeStatus(server, 'sample_rate=16000')).toBe(403);
    await eventually(async () => {
      const status = (await getJson(server, '/status')).body as Record<string, unknown>;
      return status['is_model_loaded'] === true;
    }, 'preload');
    const after = (await getJson(server, '/status')).body as Record<string, unknown>;
    expect(after['loaded_models']).toEqual(['Enrique-Torres-dataset']);
    expect(await upgradeStatus(server, 'sample_rate=16000')).toBe(101);
  });

  test('GET /models lists avatar names sorted', async () => {
    const server = await start();
    expect(await getJson(server, '/models')).toEqual({
      status: 200,
      body: { models: ['alin', 'enrique_torres'] },
    });
  });

  test('there is no /health; unknown paths and wrong methods answer like FastAPI', async () => {
    const server = await start();
    expect(await getJson(server, '/health')).toEqual({
      status: 404,
      body: { detail: 'Not Found' },
    });
    expect(await getJson(server, '/status', { method: 'POST' })).toEqual({
      status: 405,
      body: { detail: 'Method Not Allowed' },
    });
    expect(await getJson(server, '/load_model')).toEqual({
      status: 405,
      body: { detail: 'Method Not Allowed' },
    });
  });

  test('GET /streams and /streams/{id} describe an active stream; unknown ids are 404', async () => {
    // Server keying (on by default, as published) is covered in reference-server.quirks.test.ts.
    const server = await start({ faults: { serverKeying: false } });
    expect(await getJson(server, '/streams/nope')).toEqual({
      status: 404,
      body: { detail: 'Stream nope not found' },
    });
    const client = await connect(server, 'sample_rate=16000&avatar_name=enrique_torres');
    const streams = (await getJson(server, '/streams')).body as {
      active_streams: Record<string, Record<string, unknown>>;
      active_count: number;
      max_concurrent: number;
      total_created: number;
      total_completed: number;
    };
    expect(streams.active_count).toBe(1);
    expect(streams.total_created).toBe(1);
    const [streamId, stream] = Object.entries(streams.active_streams)[0]!;
    expect(streamId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(stream).sort()).toEqual(
      [
        'avatar_name',
        'background_url',
        'client_info',
        'duration_seconds',
        'last_activity',
        'model_name',
        'sample_rate',
        'start_time',
      ].sort(),
    );
    expect(stream['avatar_name']).toBe('enrique_torres');
    expect(stream['model_name']).toBe('Enrique-Torres-dataset');
    expect(stream['sample_rate']).toBe(16000);
    expect(stream['background_url']).toBeNull();
    expect(stream['start_time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);

    const details = await getJson(server, `/streams/${streamId}`);
    expect(details.status).toBe(200);
    expect(details.body).toMatchObject({
      stream_id: streamId,
      avatar_name: 'enrique_torres',
      model_name: 'Enrique-Torres-dataset',
      sample_rate: 16000,
      has_chroma_key: false,
      websocket_state: 'CONNECTED',
    });

    await client.close();
    await eventually(() => server.stats().activeStreams === 0, 'stream cleanup');
    const afterClose = (await getJson(server, '/streams')).body as Record<string, unknown>;
    expect(afterClose['active_count']).toBe(0);
    expect(afterClose['total_completed']).toBe(1);
    expect((await getJson(server, `/streams/${streamId}`)).status).toBe(404);
  });
});

describe('POST /load_model', () => {
  test('loads an avatar; a second load while it runs is 409; loading it again is a no-op', async () => {
    const server = await start({ loadDelayMs: 300 });
    expect(await upgradeStatus(server, 'sample_rate=16000&avatar_name=alin')).toBe(403);
    const first = postLoadModel(
      server,
      JSON.stringify({ model_name: 'alin', config_type: 'default' }),
    );
    // The first request is in flight for loadDelayMs; wait until the server has seen it.
    await eventually(async () => {
      const probe = await postLoadModel(server, JSON.stringify({ model_name: 'enrique_torres' }));
      return probe.status === 409;
    }, 'a 409 during the load');
    expect(await postLoadModel(server, JSON.stringify({ model_name: 'alin' }))).toEqual({
      status: 409,
      body: { detail: 'Another model is currently being loaded' },
    });
    expect(await first).toEqual({
      status: 200,
      body: { message: 'Model alin loaded successfully' },
    });

    const status = (await getJson(server, '/status')).body as Record<string, unknown>;
    expect(status['loaded_models']).toEqual(['Enrique-Torres-dataset', 'Alin-dataset']);
    expect(await upgradeStatus(server, 'sample_rate=16000&avatar_name=alin')).toBe(101);
    expect(await postLoadModel(server, JSON.stringify({ model_name: 'alin' }))).toEqual({
      status: 200,
      body: { message: 'Model alin already loaded' },
    });
  });

  test('an unknown avatar comes back as the real server sends it: 500 wrapping the 404', async () => {
    const server = await start();
    expect(await postLoadModel(server, JSON.stringify({ model_name: 'nobody' }))).toEqual({
      status: 500,
      body: { detail: "Failed to load model: 404: Avatar 'nobody' not found in config" },
    });
  });

  test.each([
    ['a missing field', '{"config_type":"default"}', 'missing', ['body', 'model_name']],
    ['a wrong type', '{"model_name":5}', 'string_type', ['body', 'model_name']],
    ['a non-object body', '["alin"]', 'model_attributes_type', ['body']],
    ['invalid JSON', '{"model_name":', 'json_invalid', null],
    ['an empty body', '', 'missing', ['body']],
  ])('%s is a FastAPI 422 with a detail list', async (_label, body, type, loc) => {
    const server = await start();
    const response = await postLoadModel(server, body);
    expect(response.status).toBe(422);
    const detail = (response.body as { detail: { type: string; loc: unknown[]; msg: string }[] })
      .detail;
    expect(detail).toHaveLength(1);
    expect(detail[0]!.type).toBe(type);
    expect(typeof detail[0]!.msg).toBe('string');
    if (loc !== null) expect(detail[0]!.loc).toEqual(loc);
    else expect(detail[0]!.loc[0]).toBe('body');
  });
});

describe('WebSocket admission (refused before the handshake: HTTP 403)', () => {
  const refusals: [string, Partial<ReferenceServerOptions>, string][] = [
    ['no model loaded', { preloaded: [] }, 'sample_rate=16000'],
    ['an unknown avatar', {}, 'sample_rate=16000&avatar_name=nobody'],
    ['an avatar that is not loaded', {}, 'sample_rate=16000&avatar_name=alin'],
    ['not initialised (injected)', { faults: { rejectAdmission: 'not-initialised' } }, ''],
    ['capacity (injected)', { faults: { rejectAdmission: 'capacity' } }, ''],
    ['a sample_rate that is not an integer', {}, 'sample_rate=16k'],
  ];
  test.each(refusals)('%s', async (_label, options, query) => {
    const server = await start(options);
    expect(await upgradeStatus(server, query)).toBe(403);
    expect(server.stats().activeStreams).toBe(0);
  });

  test('a path other than /ws/audio_to_video is refused the same way', async () => {
    const server = await start();
    expect(await upgradeStatus(server, '', '/ws/other')).toBe(403);
  });

  test('without avatar_name the first loaded avatar is used', async () => {
    const server = await start({ preloaded: ['alin'] });
    await connect(server, 'sample_rate=16000');
    const streams = (await getJson(server, '/streams')).body as {
      active_streams: Record<string, { avatar_name: string }>;
    };
    expect(Object.values(streams.active_streams).map((stream) => stream.avatar_name)).toEqual([
      'alin',
    ]);
  });

  test('the capacity limit refuses the stream over the maximum until one closes', async () => {
    const server = await start({ maxStreams: 2 });
    const first = await connect(server);
    await connect(server);
    expect(await upgradeStatus(server, 'sample_rate=16000')).toBe(403);
    const busy = (await getJson(server, '/status')).body as Record<string, unknown>;
    expect(busy['available']).toBe(false);
    expect(busy['status']).toBe('busy');
    expect(busy['capacity']).toEqual({ current: 2, maximum: 2, available: 0 });

    await first.close();
    await eventually(() => server.stats().activeStreams === 1, 'a free slot');
    expect(await upgradeStatus(server, 'sample_rate=16000')).toBe(101);
  });

  test('setFaults changes admission at run time', async () => {
    const server = await start();
    server.setFaults({ rejectAdmission: 'no-model' });
    expect(await upgradeStatus(server, 'sample_rate=16000')).toBe(403);
    server.setFaults({ rejectAdmission: null });
    expect(await upgradeStatus(server, 'sample_rate=16000')).toBe(101);
    expect(() => {
      server.setFaults({ burstFps: 10 });
    }).toThrow();
  });
});
