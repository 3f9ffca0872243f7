import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { ElevenLabsVoice } from '../../../shared/lesson/lesson-schema.ts';
import { createLogger } from '../logging/logger.ts';
import {
  startElevenLabsReference,
  type ElevenLabsReference,
} from '../../../../testing/elevenlabs-reference/reference-server.ts';
import { createVoiceServices, type VoiceServices } from './voice-services.ts';

/**
 * The ElevenLabs path end to end in main: the real SDK and Rapido's client against the local
 * ElevenLabs-compatible server (real HTTP, chunked NDJSON, real status codes and bodies), the
 * sentence planner, the disk cache, the retry policy, the circuit breaker and the fallback.
 */
const apiKey = 'sk_test_0123456789abcdef0123456789abcdef';
const rachel = '21m00Tcm4TlvDq8ikWAM';

const slides = [
  {
    id: 'intro',
    text: 'Welcome to the lesson on plants. Today we look at how leaves make sugar.',
  },
  {
    id: 'light',
    text: 'Light gives the energy. Without it, [laughs] nothing happens at all.',
  },
];

function elevenLabsVoice(overrides: Partial<ElevenLabsVoice> = {}): ElevenLabsVoice {
  return {
    provider: 'elevenlabs',
    voiceId: rachel,
    modelId: 'eleven_flash_v2_5',
    settings: { stability: 0.5, similarityBoost: 0.75 },
    fallback: { provider: 'offline', voice: 'en-us', rateWpm: 165, pitch: 50 },
    ...overrides,
  };
}

let server: ElevenLabsReference;
let dir: string;
let voices: VoiceServices;
let logDir: string;

beforeAll(async () => {
  server = await startElevenLabsReference({
    apiKey,
    firstByteDelayMs: 20,
    speedFactor: 20,
    warmUp: true,
  });
});
afterAll(async () => {
  await server.close();
});

function start(key: string | undefined = apiKey, tuning = {}): VoiceServices {
  let services: VoiceServices | null = null;
  const logger = createLogger({
    directory: logDir,
    level: 'debug',
    console: false,
    secrets: () => services?.secrets() ?? [],
  });
  services = createVoiceServices({
    cacheDir: join(dir, 'cache'),
    secretsDir: join(dir, 'secrets'),
    cipher: null,
    environment: { apiKey: key, baseUrl: server.url },
    logger,
    tuning: { backoffBaseMs: 30, firstChunkTimeoutMs: 3000, idleTimeoutMs: 500, ...tuning },
  });
  return services;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rapido-voices-'));
  logDir = join(dir, 'logs');
  server.failAll(null);
  server.stallAfterFirstChunk(false);
  server.setCharacterLimit(1_000_000);
  voices = start();
});
afterEach(async () => {
  voices.close();
  await rm(dir, { recursive: true, force: true });
});

async function narrate(index: number, voice: ElevenLabsVoice = elevenLabsVoice(), text?: string) {
  const slide = slides[index];
  if (!slide) throw new Error(`no slide ${index}`);
  const result = await voices.narration.narrate({
    lessonId: 'plants',
    slideId: slide.id,
    text: text ?? slide.text,
    voice,
    previousText: slides[index - 1]?.text,
    nextText: slides[index + 1]?.text,
  });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function newRequests(before: number) {
  return server.synthesisRequests().slice(before);
}

async function logText(): Promise<string> {
  const files = await readdir(logDir);
  const texts = await Promise.all(files.map((file) => readFile(join(logDir, file), 'utf8')));
  return texts.join('\n');
}

describe('ElevenLabs narration against the local server', () => {
  test('a slide is one streamed request per sentence, with context, and real word timings', async () => {
    const before = server.synthesisRequests().length;
    const speech = await narrate(0);
    const sent = newRequests(before);
    expect(sent).toHaveLength(2);
    for (const request of sent) {
      expect(request.path).toBe(`/v1/text-to-speech/${rachel}/stream/with-timestamps`);
      expect(request.query.output_format).toBe('pcm_16000');
      expect(request.status).toBe(200);
    }
    const bodies = sent.map((r) => r.body as Record<string, unknown>);
    const first = bodies.find((b) => b.text === 'Welcome to the lesson on plants.');
    const second = bodies.find((b) => b.text === 'Today we look at how leaves make sugar.');
    expect(first).toMatchObject({ model_id: 'eleven_flash_v2_5', next_text: second?.text });
    expect(first?.voice_settings).toMatchObject({ stability: 0.5, similarity_boost: 0.75 });
    // The last sentence carries the next slide's narration, so intonation runs on.
    expect(second?.previous_text).toBe(first?.text);
    expect(String(second?.next_text)).toContain('Light gives the energy.');

    expect(speech.fallback).toBeNull();
    expect(speech.cached).toBe(false);
    expect(speech.durationMs).toBeCloseTo((speech.pcm.length / 16_000) * 1000, 6);
    expect(speech.words.map((w) => w.text)).toEqual(
      'Welcome to the lesson on plants Today we look at how leaves make sugar'.split(' '),
    );
    let previousEnd = 0;
    for (const word of speech.words) {
      expect(slides[0]?.text.slice(word.charStart, word.charEnd)).toBe(word.text);
      expect(word.startMs).toBeGreaterThanOrEqual(previousEnd);
      expect(word.endMs).toBeGreaterThanOrEqual(word.startMs);
      previousEnd = word.endMs;
    }
    expect(previousEnd).toBeLessThanOrEqual(speech.durationMs);
    // The second sentence's words start after the first sentence's audio.
    const today = speech.words.find((w) => w.text === 'Today');
    const plants = speech.words.find((w) => w.text === 'plants');
    expect(today!.startMs).toBeGreaterThan(plants!.endMs);
  });

  test('audio tags go to models that perform them and are blanked for others', async () => {
    const before = server.synthesisRequests().length;
    await narrate(1);
    await narrate(1, elevenLabsVoice({ modelId: 'eleven_v3' }));
    const bodies = newRequests(before).map((r) => r.body as { text: string; model_id: string });
    const textsOf = (model: string) =>
      bodies
        .filter((b) => b.model_id === model)
        .map((b) => b.text)
        .join(' ');
    expect(textsOf('eleven_flash_v2_5')).toContain('nothing happens');
    expect(textsOf('eleven_flash_v2_5')).not.toContain('[');
    expect(textsOf('eleven_v3')).toContain('[laughs]');
  });

  test('an unchanged lesson costs no requests; editing one sentence costs exactly one', async () => {
    await narrate(0);
    await narrate(1);
    const estimate = await voices.narration.estimate('plants', slides, elevenLabsVoice());
    expect(estimate.ok && estimate.value.charactersToSynthesize).toBe(0);

    const before = server.synthesisRequests().length;
    const again = [await narrate(0), await narrate(1)];
    expect(newRequests(before)).toHaveLength(0);
    expect(again.every((s) => s.cached)).toBe(true);

    const edited = slides[1]!.text.replace('nothing happens', 'no sugar is made');
    const planned = await voices.narration.estimate(
      'plants',
      [slides[0]!, { text: edited }],
      elevenLabsVoice(),
    );
    expect(planned.ok && planned.value.charactersToSynthesize).toBe(
      'Without it, [laughs] no sugar is made at all.'.length,
    );
    const afterEdit = server.synthesisRequests().length;
    await narrate(1, elevenLabsVoice(), edited);
    const sent = newRequests(afterEdit);
    expect(sent).toHaveLength(1);
    expect((sent[0]?.body as { text: string }).text).toBe(
      'Without it,          no sugar is made at all.',
    );

    // A settings change is a different voice: everything is synthesised again.
    const beforeSettings = server.synthesisRequests().length;
    await narrate(0, elevenLabsVoice({ settings: { stability: 0.9 } }));
    expect(newRequests(beforeSettings)).toHaveLength(2);
  });

  test('a wrong key is not retried, says so, and the slide is spoken offline', async () => {
    voices.close();
    voices = start('sk_wrong_0000000000000000000000000000');
    const before = server.synthesisRequests().length;
    const speech = await narrate(0);
    expect(speech.fallback?.error.message).toMatch(/rejected the API key/);
    expect(speech.fallback?.error.hint).toMatch(/ELEVENLABS_API_KEY|Voice panel/);
    expect(speech.fallback?.sentences).toBe(2);
    expect(speech.words.length).toBeGreaterThan(5);
    const sent = newRequests(before);
    // Both sentences were in flight together; neither was retried and the breaker stops more.
    expect(sent.length).toBeLessThanOrEqual(2);
    expect(sent.every((r) => r.status === 401)).toBe(true);
    const afterBreaker = server.synthesisRequests().length;
    await narrate(1);
    expect(newRequests(afterBreaker)).toHaveLength(0);
    expect(voices.status().paused?.message).toMatch(/rejected the API key/);
    // Entering a key closes the breaker.
    const set = await voices.setKey(apiKey);
    expect(set.ok).toBe(true);
    expect(voices.status().paused).toBeNull();
  });

  test('a used-up quota says so and is not retried', async () => {
    server.setCharacterLimit(server.characterCount() + 10);
    const before = server.synthesisRequests().length;
    const speech = await narrate(0);
    expect(speech.fallback?.error.message).toMatch(/quota is used up/);
    expect(speech.fallback?.error.message).toMatch(/credits remaining/);
    expect(newRequests(before).every((r) => r.status === 401)).toBe(true);
    expect(newRequests(before).length).toBeLessThanOrEqual(2);
  });

  test('an unknown voice names the voice and is not retried', async () => {
    const before = server.synthesisRequests().length;
    const speech = await narrate(0, elevenLabsVoice({ voiceId: 'NoSuchVoice123' }));
    expect(speech.fallback?.error.message).toMatch(/no voice "NoSuchVoice123"/);
    expect(newRequests(before)).toHaveLength(2);
  });

  test('429 is retried after retry-after; 5xx with backoff; then it succeeds', async () => {
    server.failNext(1, { status: 429, retryAfterSeconds: 1 });
    const before = server.synthesisRequests().length;
    const startedMs = performance.now();
    const speech = await narrate(0, elevenLabsVoice({ settings: { stability: 0.31 } }));
    expect(speech.fallback).toBeNull();
    const sent = newRequests(before);
    expect(sent.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    const refused = sent.find((r) => r.status === 429)!;
    const retriedAt = sent.filter((r) => r.status === 200).map((r) => r.startedAtMs);
    // One 200 is the other sentence; the retry came at least retry-after later.
    expect(Math.max(...retriedAt) - refused.startedAtMs).toBeGreaterThanOrEqual(990);
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(990);

    server.failNext(2, { status: 503 });
    const before5xx = server.synthesisRequests().length;
    const recovered = await narrate(0, elevenLabsVoice({ settings: { stability: 0.32 } }));
    expect(recovered.fallback).toBeNull();
    expect(
      newRequests(before5xx)
        .map((r) => r.status)
        .sort(),
    ).toEqual([200, 200, 503, 503]);
  });

  test('an outage falls back after the retries, then the breaker skips the service', async () => {
    server.failAll({ status: 500 });
    const before = server.synthesisRequests().length;
    const speech = await narrate(0, elevenLabsVoice({ settings: { stability: 0.33 } }));
    expect(speech.fallback?.error.message).toMatch(/ElevenLabs failed \(HTTP 500\)/);
    expect(speech.pcm.length).toBeGreaterThan(16_000);
    const attempts = newRequests(before).length;
    expect(attempts).toBeGreaterThanOrEqual(4); // 4 attempts for the first sentence at least
    expect(attempts).toBeLessThanOrEqual(8);
    const afterBreaker = server.synthesisRequests().length;
    const next = await narrate(1, elevenLabsVoice({ settings: { stability: 0.33 } }));
    expect(next.fallback?.sentences).toBe(2);
    expect(newRequests(afterBreaker)).toHaveLength(0);
    // Offline speech is not cached as if it were ElevenLabs': the estimate still counts it.
    const estimate = await voices.narration.estimate(
      'plants',
      [slides[0]!],
      elevenLabsVoice({ settings: { stability: 0.33 } }),
    );
    expect(estimate.ok && estimate.value.charactersToSynthesize).toBe(slides[0]!.text.length - 1);
  });

  test('a stream that stops mid-way times out and is retried', async () => {
    server.stallAfterFirstChunk(true);
    const before = server.synthesisRequests().length;
    const speech = await narrate(0, elevenLabsVoice({ settings: { stability: 0.34 } }));
    expect(speech.fallback?.error.message).toMatch(/no next chunk within 0\.5 s/);
    expect(newRequests(before).length).toBeGreaterThanOrEqual(4);
  });

  test('connections are kept and reused across sentences', async () => {
    const opened = voices.elevenLabsApi.stats().socketsOpened;
    for (let i = 0; i < 3; i += 1) {
      await narrate(0, elevenLabsVoice({ settings: { stability: 0.4 + i / 100 } }));
    }
    // Six requests, at most two at a time: at most two connections.
    expect(voices.elevenLabsApi.stats().socketsOpened - opened).toBeLessThanOrEqual(2);
  });

  test('the key never reaches a log line or an error message', async () => {
    voices.close();
    voices = start('sk_wrong_0000000000000000000000000000');
    await narrate(0);
    await voices.setKey(apiKey);
    server.failNext(1, {
      status: 500,
      body: { detail: { status: 'x', message: `echo ${apiKey}` } },
    });
    const speech = await narrate(0, elevenLabsVoice({ settings: { stability: 0.35 } }));
    expect(JSON.stringify(speech.fallback)).not.toContain(apiKey);
    const logged = await logText();
    expect(logged.length).toBeGreaterThan(200);
    expect(logged).not.toContain(apiKey);
    expect(logged).not.toContain('sk_wrong_0000000000000000000000000000');
    expect(logged).toContain('[redacted]');
  });

  test('closing stops queued sentences from ever reaching the service', async () => {
    const before = server.synthesisRequests().length;
    const pending = voices.narration.narrate({
      lessonId: 'plants',
      slideId: 'many',
      text: 'One sentence here. Another one there. A third for the queue. And a fourth.',
      voice: elevenLabsVoice({ settings: { stability: 0.36 } }),
    });
    voices.close();
    const result = await pending;
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('cancelled');
    // Two slots: at most two were sent before the close; the rest never are.
    expect(server.synthesisRequests().length - before).toBeLessThanOrEqual(2);
    voices = start();
    const after = server.synthesisRequests().length;
    await narrate(0, elevenLabsVoice({ settings: { stability: 0.37 } }));
    expect(server.synthesisRequests().length - after).toBe(2);
  });
});
