import { ElevenLabsClient, ElevenLabsError } from '@elevenlabs/elevenlabs-js';
import type { ElevenLabs } from '@elevenlabs/elevenlabs-js';
import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  startElevenLabsReference,
  type ElevenLabsReference,
  type ElevenLabsReferenceOptions,
} from './reference-server.ts';

/** The official SDK is the client throughout: what passes here is what Rapido's code will see. */

const apiKey = 'sk_reference_test_3f9a1c';
const twoSentences = 'Good morning, everyone. Today we look at sound.';
const bytesPerMs = 32; // s16le mono at 16 kHz

const servers: ElevenLabsReference[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: Partial<ElevenLabsReferenceOptions> = {}) {
  // Fast delivery unless a test is about pacing.
  const server = await startElevenLabsReference({ apiKey, speedFactor: 50, ...options });
  servers.push(server);
  return server;
}

function clientFor(server: ElevenLabsReference, key = apiKey): ElevenLabsClient {
  return new ElevenLabsClient({ apiKey: key, baseUrl: server.url, maxRetries: 0 });
}

function voiceOf(server: ElevenLabsReference, index = 0): string {
  const voice = server.voices[index];
  if (!voice) throw new Error(`no voice ${index}`);
  return voice.voiceId;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

async function failureOf(work: Promise<unknown>): Promise<ElevenLabsError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof ElevenLabsError) return error;
    throw error;
  }
  throw new Error('expected the SDK to throw');
}

const detailSchema = z.object({ detail: z.object({ status: z.string(), message: z.string() }) });

function detailOf(error: ElevenLabsError): { status: string; message: string } {
  return detailSchema.parse(error.body).detail;
}

interface TimedChunk {
  audioBytes: number;
  characters: string[];
  startsSeconds: number[];
  endsSeconds: number[];
  hasAlignment: boolean;
}

async function timestampedChunks(
  server: ElevenLabsReference,
  request: Omit<ElevenLabs.StreamTextToSpeechWithTimestampsRequest, 'outputFormat'>,
  voiceId = voiceOf(server),
): Promise<TimedChunk[]> {
  const stream = await clientFor(server).textToSpeech.streamWithTimestamps(voiceId, {
    ...request,
    outputFormat: 'pcm_16000',
  });
  const chunks: TimedChunk[] = [];
  for await (const chunk of stream) {
    chunks.push({
      audioBytes: Buffer.from(chunk.audioBase64, 'base64').length,
      characters: chunk.alignment?.characters ?? [],
      startsSeconds: chunk.alignment?.characterStartTimesSeconds ?? [],
      endsSeconds: chunk.alignment?.characterEndTimesSeconds ?? [],
      hasAlignment: chunk.alignment != null,
    });
  }
  return chunks;
}

function audioBytesOf(chunks: TimedChunk[]): number {
  return chunks.reduce((sum, chunk) => sum + chunk.audioBytes, 0);
}

describe('streaming synthesis', () => {
  test('with timestamps: the characters give back the text, times are cumulative and match the audio', async () => {
    const server = await start({ chunkMs: 250 });
    const chunks = await timestampedChunks(server, {
      text: twoSentences,
      modelId: 'eleven_flash_v2_5',
      previousText: 'Welcome back.',
      nextText: 'Sound is a wave.',
      voiceSettings: { stability: 0.5, similarityBoost: 0.75, speed: 1.1 },
    });

    expect(chunks.length).toBeGreaterThan(4);
    expect(chunks.flatMap((chunk) => chunk.characters).join('')).toBe(twoSentences);
    expect(chunks.some((chunk) => !chunk.hasAlignment)).toBe(true);

    // Each character sits in the chunk where it starts, on one clock for the whole response.
    const starts = chunks.flatMap((chunk) => chunk.startsSeconds);
    const ends = chunks.flatMap((chunk) => chunk.endsSeconds);
    for (let index = 1; index < starts.length; index++) {
      expect(starts[index]).toBeGreaterThanOrEqual(starts[index - 1] ?? 0);
    }
    let audioBeforeSeconds = 0;
    for (const chunk of chunks) {
      const chunkSeconds = chunk.audioBytes / bytesPerMs / 1000;
      for (const startSeconds of chunk.startsSeconds) {
        expect(startSeconds).toBeGreaterThanOrEqual(audioBeforeSeconds - 0.001);
        expect(startSeconds).toBeLessThanOrEqual(audioBeforeSeconds + chunkSeconds + 0.001);
      }
      audioBeforeSeconds += chunkSeconds;
    }
    const totalBytes = audioBytesOf(chunks);
    expect(totalBytes % 2).toBe(0);
    const audioSeconds = totalBytes / bytesPerMs / 1000;
    const lastEndSeconds = ends.at(-1) ?? 0;
    expect(lastEndSeconds).toBeGreaterThan(1);
    expect(Math.abs(audioSeconds - lastEndSeconds)).toBeLessThan(0.3);

    expect(chunks[0]?.audioBytes).toBe(250 * bytesPerMs);

    const [recorded] = server.synthesisRequests();
    expect(recorded?.path).toBe(`/v1/text-to-speech/${voiceOf(server)}/stream/with-timestamps`);
    expect(recorded?.voiceId).toBe(voiceOf(server));
    expect(recorded?.query).toEqual({ output_format: 'pcm_16000' });
    expect(recorded?.status).toBe(200);
    expect(recorded?.keyAccepted).toBe(true);
    expect(recorded?.body).toMatchObject({
      text: twoSentences,
      model_id: 'eleven_flash_v2_5',
      previous_text: 'Welcome back.',
      next_text: 'Sound is a wave.',
      voice_settings: { stability: 0.5, similarity_boost: 0.75, speed: 1.1 },
    });
    expect(server.characterCount()).toBe(twoSentences.length);
  });

  test('eleven_v3 performs audio tags (kept in the alignment, no time); other models read them', async () => {
    const server = await start();
    const text = '[laughs] Yes, really.';
    const performed = await timestampedChunks(server, { text, modelId: 'eleven_v3' });
    expect(performed.flatMap((chunk) => chunk.characters).join('')).toBe(text);
    const starts = performed.flatMap((chunk) => chunk.startsSeconds);
    const ends = performed.flatMap((chunk) => chunk.endsSeconds);
    for (let index = 0; index < '[laughs]'.length; index++) {
      expect(ends[index]).toBe(starts[index]);
    }
    const readAloud = await timestampedChunks(server, { text, modelId: 'eleven_flash_v2_5' });
    // "laughs" spoken takes several hundred milliseconds more.
    expect(audioBytesOf(readAloud) - audioBytesOf(performed)).toBeGreaterThan(200 * bytesPerMs);
  });

  test('voice_settings.speed changes the pace; each voice sounds different', async () => {
    const server = await start();
    const text = 'Hello there, my friend.';
    const slow = await timestampedChunks(server, { text, voiceSettings: { speed: 0.7 } });
    const fast = await timestampedChunks(server, { text, voiceSettings: { speed: 1.2 } });
    expect(audioBytesOf(slow) / audioBytesOf(fast)).toBeGreaterThan(1.3);

    const audioOf = async (voiceId: string): Promise<Buffer> =>
      readAll(
        await clientFor(server).textToSpeech.stream(voiceId, { text, outputFormat: 'pcm_16000' }),
      );
    const voices: Buffer[] = [];
    for (const voice of server.voices) voices.push(await audioOf(voice.voiceId));
    for (let index = 1; index < voices.length; index++) {
      expect(voices[index]?.equals(voices[0] ?? Buffer.alloc(0))).toBe(false);
    }
  });

  test('stream: chunked raw s16le PCM, as long as the timestamps variant', async () => {
    const server = await start();
    const { data, rawResponse } = await clientFor(server)
      .textToSpeech.stream(voiceOf(server), {
        text: twoSentences,
        modelId: 'eleven_flash_v2_5',
        outputFormat: 'pcm_16000',
      })
      .withRawResponse();
    expect(rawResponse.headers.get('content-type')).toBe('audio/pcm');
    expect(rawResponse.headers.get('content-length')).toBeNull();
    expect(rawResponse.headers.get('transfer-encoding')).toBe('chunked');
    expect(rawResponse.headers.get('request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(rawResponse.headers.get('current-concurrent-requests')).toBe('1');
    expect(rawResponse.headers.get('maximum-concurrent-requests')).toBe('2');
    const pcm = await readAll(data);
    expect(pcm.length % 2).toBe(0);

    const timestampedBytes = audioBytesOf(await timestampedChunks(server, { text: twoSentences }));
    expect(Math.abs(pcm.length - timestampedBytes) / bytesPerMs).toBeLessThan(50);
    expect(pcm.length / bytesPerMs).toBeGreaterThan(1000);
  });

  test('after the first byte, chunks come at speedFactor times real time', async () => {
    const server = await start({ speedFactor: 4, chunkMs: 250 });
    const audio = await clientFor(server).textToSpeech.stream(voiceOf(server), {
      text: 'Good morning, everyone.',
      outputFormat: 'pcm_16000',
    });
    const arrivals: { atMs: number; bytes: number }[] = [];
    for await (const part of audio) arrivals.push({ atMs: performance.now(), bytes: part.length });
    const totalBytes = arrivals.reduce((sum, arrival) => sum + arrival.bytes, 0);
    const lastAudioStartMs = (totalBytes - (arrivals.at(-1)?.bytes ?? 0)) / bytesPerMs;
    expect(lastAudioStartMs).toBeGreaterThan(1000);
    const spreadMs = (arrivals.at(-1)?.atMs ?? 0) - (arrivals[0]?.atMs ?? 0);
    // A lower bound only: the client may see the first chunk late, never the last one early.
    expect(spreadMs).toBeGreaterThanOrEqual(0.9 * (lastAudioStartMs / 4));
  });

  test('the first byte comes no earlier than firstByteDelayMs', async () => {
    const server = await start({ firstByteDelayMs: 150 });
    const startedMs = performance.now();
    const audio = await clientFor(server).textToSpeech.stream(voiceOf(server), {
      text: 'Hello.',
      outputFormat: 'pcm_16000',
    });
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(150);
    await readAll(audio);
    const [recorded] = server.synthesisRequests();
    expect((recorded?.firstByteAtMs ?? 0) - (recorded?.startedAtMs ?? 0)).toBeGreaterThanOrEqual(
      150,
    );

    server.setFirstByteDelayMs(300);
    const laterMs = performance.now();
    await readAll(
      await clientFor(server).textToSpeech.stream(voiceOf(server), {
        text: 'Hello.',
        outputFormat: 'pcm_16000',
      }),
    );
    expect(performance.now() - laterMs).toBeGreaterThanOrEqual(300);
  });

  test('a stalled response sends its first chunk and then holds; close() still ends it', async () => {
    const server = await start();
    server.stallAfterFirstChunk(true);
    const audio = await clientFor(server).textToSpeech.stream(voiceOf(server), {
      text: twoSentences,
      outputFormat: 'pcm_16000',
    });
    const reader = audio.getReader();
    const first = await reader.read();
    expect(first.value?.length).toBe(250 * bytesPerMs);
    const next = reader.read().then(
      (result) => (result.done ? 'ended' : 'more data'),
      () => 'failed',
    );
    const within = await Promise.race([
      next,
      new Promise((resolve) => setTimeout(resolve, 300, 'still waiting')),
    ]);
    expect(within).toBe('still waiting');
    await server.close();
    expect(await next).toBe('failed');
    expect(server.synthesisRequests()[0]?.status).toBe(200);
  });
});

describe('errors', () => {
  test('a wrong or missing key is 401 invalid_api_key, and the key is never recorded', async () => {
    const server = await start();
    const error = await failureOf(
      clientFor(server, 'sk_wrong').textToSpeech.stream(voiceOf(server), {
        text: 'Hello.',
        outputFormat: 'pcm_16000',
      }),
    );
    expect(error.statusCode).toBe(401);
    expect(error.body).toEqual({
      detail: { status: 'invalid_api_key', message: 'Invalid API key' },
    });
    expect(error.requestId).toMatch(/^[0-9a-f]{32}$/);

    const missing = await fetch(`${server.url}/v1/models`);
    expect(missing.status).toBe(401);
    expect(detailSchema.parse(await missing.json()).detail.status).toBe('invalid_api_key');

    expect(server.requests.map((request) => request.keyAccepted)).toEqual([false, false]);
    expect(JSON.stringify(server.requests)).not.toContain('sk_wrong');

    server.setApiKey('sk_rotated');
    expect((await failureOf(clientFor(server).models.list())).statusCode).toBe(401);
    expect((await clientFor(server, 'sk_rotated').models.list()).length).toBe(4);
    expect(JSON.stringify(server.requests)).not.toContain('sk_rotated');
    expect(JSON.stringify(server.requests)).not.toContain(apiKey);
  });

  test('over quota is 401 quota_exceeded; successful requests use characters', async () => {
    const server = await start({ characterLimit: 20, characterCount: 5 });
    const client = clientFor(server);
    const error = await failureOf(
      client.textToSpeech.stream(voiceOf(server), {
        text: 'This sentence is too long.',
        outputFormat: 'pcm_16000',
      }),
    );
    expect(error.statusCode).toBe(401);
    expect(detailOf(error)).toEqual({
      status: 'quota_exceeded',
      message:
        'This request exceeds your quota of 20. You have 15 credits remaining, while 26 credits are required for this request.',
    });
    expect(server.characterCount()).toBe(5);

    await readAll(
      await client.textToSpeech.stream(voiceOf(server), {
        text: 'Short one.',
        outputFormat: 'pcm_16000',
      }),
    );
    const subscription = await client.user.subscription.get();
    expect(subscription.characterCount).toBe(15);
    expect(subscription.characterLimit).toBe(20);

    server.setCharacterLimit(1000);
    expect((await client.user.subscription.get()).characterLimit).toBe(1000);
  });

  test('beyond maxConcurrentRequests is 429 too_many_concurrent_requests', async () => {
    const server = await start({ maxConcurrentRequests: 2, speedFactor: 4 });
    const client = clientFor(server);
    const attempts = await Promise.allSettled(
      [0, 1, 2].map(() =>
        client.textToSpeech.stream(voiceOf(server), {
          text: twoSentences,
          outputFormat: 'pcm_16000',
        }),
      ),
    );
    const refused: unknown[] = [];
    for (const attempt of attempts) if (attempt.status === 'rejected') refused.push(attempt.reason);
    expect(refused).toHaveLength(1);
    const [error] = refused;
    if (!(error instanceof ElevenLabsError)) throw new Error('expected an ElevenLabsError');
    expect(error.statusCode).toBe(429);
    expect(detailOf(error).status).toBe('too_many_concurrent_requests');
    expect(detailOf(error).message).toMatch(/maximum of 2 concurrent requests/);
    expect(error.rawResponse?.headers.get('current-concurrent-requests')).toBe('2');
    expect(error.rawResponse?.headers.get('maximum-concurrent-requests')).toBe('2');
    for (const attempt of attempts) {
      if (attempt.status === 'fulfilled') await attempt.value.cancel();
    }
  });

  test('failNext answers the next requests with the given status and retry-after; failAll until cleared', async () => {
    const server = await start();
    const client = clientFor(server);
    const request = () =>
      client.textToSpeech.stream(voiceOf(server), { text: 'Hi.', outputFormat: 'pcm_16000' });

    server.failNext(2, { status: 429, retryAfterSeconds: 3 });
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await failureOf(request());
      expect(error.statusCode).toBe(429);
      expect(detailOf(error).status).toBe('system_busy');
      expect(error.rawResponse?.headers.get('retry-after')).toBe('3');
    }
    await readAll(await request());

    server.failAll({ status: 503 });
    expect(detailOf(await failureOf(request())).status).toBe('service_unavailable');
    expect((await failureOf(request())).rawResponse?.headers.get('retry-after')).toBeNull();
    server.failAll({ status: 500, body: { detail: { status: 'custom', message: 'boom' } } });
    expect(detailOf(await failureOf(request()))).toEqual({ status: 'custom', message: 'boom' });
    server.failAll(null);
    await readAll(await request());
    expect(server.synthesisRequests().map((recorded) => recorded.status)).toEqual([
      429, 429, 200, 503, 503, 500, 200,
    ]);
  });

  test('validation: output format 422, empty or long text 422, unknown voice 404, unknown model 400', async () => {
    const server = await start({ maxTextLength: 20 });
    const client = clientFor(server);

    const format = await failureOf(
      client.textToSpeech.stream(voiceOf(server), {
        text: 'Hi.',
        outputFormat: 'mp3_44100_128',
      }),
    );
    expect(format.statusCode).toBe(422);
    expect(format.body).toMatchObject({
      detail: [{ loc: ['query', 'output_format'], type: 'value_error' }],
    });

    const empty = await failureOf(
      client.textToSpeech.streamWithTimestamps(voiceOf(server), {
        text: '  ',
        outputFormat: 'pcm_16000',
      }),
    );
    expect(empty.statusCode).toBe(422);
    expect(detailOf(empty).status).toBe('invalid_request');

    const long = await failureOf(
      client.textToSpeech.stream(voiceOf(server), {
        text: 'This text is longer than twenty characters.',
        outputFormat: 'pcm_16000',
      }),
    );
    expect(long.statusCode).toBe(422);
    expect(detailOf(long).status).toBe('invalid_request');

    const voice = await failureOf(
      client.textToSpeech.stream('AAAAAAAAAAAAAAAAAAAA', {
        text: 'Hi.',
        outputFormat: 'pcm_16000',
      }),
    );
    expect(voice.statusCode).toBe(404);
    expect(detailOf(voice).status).toBe('voice_not_found');

    const model = await failureOf(
      client.textToSpeech.stream(voiceOf(server), {
        text: 'Hi.',
        modelId: 'eleven_imaginary_v9',
        outputFormat: 'pcm_16000',
      }),
    );
    expect(model.statusCode).toBe(400);
    expect(detailOf(model).status).toBe('model_not_found');

    const speed = await failureOf(
      client.textToSpeech.stream(voiceOf(server), {
        text: 'Hi.',
        voiceSettings: { speed: 2 },
        outputFormat: 'pcm_16000',
      }),
    );
    expect(speed.statusCode).toBe(422);
    expect(speed.body).toMatchObject({ detail: [{ loc: ['body', 'voice_settings', 'speed'] }] });
    expect(server.characterCount()).toBe(0);
  });
});

describe('catalogue and connections', () => {
  test('voices, models and subscription parse in the SDK', async () => {
    const server = await start({ characterCount: 42 });
    const client = clientFor(server);

    // The SDK's voices.getAll (GET /v1/voices) is deprecated in favour of search (GET /v2/voices);
    // both list the same voices, so the v1 list is checked against what the SDK parsed from v2.
    const searched = await client.voices.search();
    expect(searched.totalCount).toBe(3);
    expect(searched.hasMore).toBe(false);
    const { voices } = searched;
    expect(voices.map((voice) => voice.name)).toEqual(['Rachel', 'Adam', 'Lily']);
    for (const voice of voices) {
      expect(voice.voiceId).toMatch(/^[A-Za-z0-9]{20}$/);
      expect(voice.category).toBe('premade');
      expect(voice.labels?.accent).toBeTruthy();
      expect(voice.previewUrl).toMatch(/^https:\/\//);
      expect(voice.settings).toBeUndefined();
    }
    const v1 = await fetch(`${server.url}/v1/voices`, { headers: { 'xi-api-key': apiKey } });
    const v1Voices = z
      .object({ voices: z.array(z.object({ voice_id: z.string(), name: z.string() })) })
      .parse(await v1.json()).voices;
    expect(v1Voices.map((voice) => [voice.voice_id, voice.name])).toEqual(
      voices.map((voice) => [voice.voiceId, voice.name]),
    );
    expect((await client.voices.get(voiceOf(server, 2))).name).toBe('Lily');

    const models = await client.models.list();
    expect(models.map((model) => model.modelId)).toEqual([
      'eleven_flash_v2_5',
      'eleven_turbo_v2_5',
      'eleven_multilingual_v2',
      'eleven_v3',
    ]);
    expect(models[0]?.name).toBe('Eleven Flash v2.5');
    expect(models.every((model) => model.canDoTextToSpeech === true)).toBe(true);
    expect(models[0]?.languages?.[0]).toEqual({ languageId: 'en', name: 'English' });

    const subscription = await client.user.subscription.get();
    expect(subscription.tier).toBe('free');
    expect(subscription.characterCount).toBe(42);
    expect(subscription.characterLimit).toBe(10_000);
    expect(subscription.canExtendCharacterLimit).toBe(false);
    expect(subscription.nextCharacterCountResetUnix).toBeGreaterThan(Date.now() / 1000);
  });

  test('sequential requests through the SDK reuse one keep-alive connection', async () => {
    const server = await start();
    const client = clientFor(server);
    // undici hands a connection back to its pool on the event-loop turn after the body ends (a
    // setImmediate); a request dispatched before that opens a second connection. One turn apart,
    // as any real caller's requests are, they share one.
    const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    await readAll(
      await client.textToSpeech.stream(voiceOf(server), {
        text: 'One.',
        outputFormat: 'pcm_16000',
      }),
    );
    await nextTurn();
    await timestampedChunks(server, { text: 'Two.' });
    await nextTurn();
    await client.models.list();
    expect(server.requests).toHaveLength(3);
    expect(server.connections()).toBe(1);
  });
});
