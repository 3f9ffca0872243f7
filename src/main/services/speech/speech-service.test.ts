import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { err, ok } from '../../../shared/result.ts';
import type { Result } from '../../../shared/result.ts';
import { createMemoryLogger } from '../logging/logger.ts';
import { createOfflineSpeechProvider } from './offline-voice.ts';
import { createSpeechService } from './speech-service.ts';
import type { OfflineVoice, SpeechProvider, SynthesizedSpeech } from './speech-types.ts';

const voice: OfflineVoice = { provider: 'offline', voice: 'en-us', rateWpm: 165, pitch: 50 };

function deferred() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** A provider whose syntheses wait for `release()`, recording what it was asked. */
function fakeProvider(options: { fail?: boolean } = {}) {
  const calls: { text: string; signal: AbortSignal | undefined }[] = [];
  let gate = deferred();
  let started = deferred();
  const provider: SpeechProvider = {
    id: 'fake-voice@1.0.0',
    async synthesize(text, _voice, signal): Promise<Result<SynthesizedSpeech>> {
      calls.push({ text, signal });
      started.resolve();
      await gate.promise;
      if (signal?.aborted) return err('cancelled', 'Cancelled.');
      if (options.fail) return err('speech-failed', 'The fake voice failed.');
      const pcm = Int16Array.from({ length: text.length * 160 }, (_, n) => (n % 200) - 100);
      return ok({
        pcm,
        sampleRateHz: 16_000,
        durationMs: text.length * 10,
        words: [{ text, startMs: 0, endMs: text.length * 10, charStart: 0, charEnd: text.length }],
        providerId: 'fake-voice@1.0.0',
      });
    },
  };
  return {
    provider,
    calls,
    /** Resolves once a synthesis has begun. */
    started: () => started.promise,
    release() {
      gate.resolve();
    },
    reset() {
      gate = deferred();
      started = deferred();
    },
  };
}

describe('speech service', () => {
  let cacheDir: string;
  const logger = createMemoryLogger();

  beforeEach(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'rapido-speech-service-'));
    logger.lines.length = 0;
  });
  afterEach(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  test('synthesises on a miss, serves from disk afterwards, also in a new service', async () => {
    const fake = fakeProvider();
    fake.release();
    const service = createSpeechService({ provider: fake.provider, cacheDir, logger });
    const request = { lessonId: 'lesson-1', text: 'Hello there.', voice };

    const first = await service.synthesize(request);
    expect(first.ok && first.value.cached).toBe(false);
    const second = await service.synthesize(request);
    expect(second.ok && second.value.cached).toBe(true);
    if (first.ok && second.ok) {
      expect(second.value.pcm).toEqual(first.value.pcm);
      expect(second.value.words).toEqual(first.value.words);
    }
    expect(fake.calls).toHaveLength(1);
    expect(service.stats()).toEqual({
      requests: 2,
      cacheHits: 1,
      synthesized: 1,
      charactersSynthesized: request.text.length,
    });

    // A second run (a new process) synthesises nothing.
    const again = createSpeechService({ provider: fake.provider, cacheDir, logger });
    const third = await again.synthesize({ ...request, lessonId: 'lesson-2' });
    expect(third.ok && third.value.cached).toBe(true);
    expect(again.stats()).toEqual({
      requests: 1,
      cacheHits: 1,
      synthesized: 0,
      charactersSynthesized: 0,
    });
  });

  test('a different voice setting is a different entry', async () => {
    const fake = fakeProvider();
    fake.release();
    const service = createSpeechService({ provider: fake.provider, cacheDir, logger });
    await service.synthesize({ lessonId: 'l', text: 'Same words.', voice });
    const faster = await service.synthesize({
      lessonId: 'l',
      text: 'Same words.',
      voice: { ...voice, rateWpm: 200 },
    });
    expect(faster.ok && faster.value.cached).toBe(false);
    expect(fake.calls).toHaveLength(2);
  });

  test('concurrent identical requests share one synthesis, each with its own PCM', async () => {
    const fake = fakeProvider();
    const service = createSpeechService({ provider: fake.provider, cacheDir, logger });
    const request = { lessonId: 'lesson-1', text: 'Shared sentence.', voice };
    const pending = [1, 2, 3].map(() => service.synthesize(request));
    const other = service.synthesize({ ...request, text: 'Another sentence.' });
    await fake.started();
    fake.release();
    const results = await Promise.all(pending);
    await other;

    expect(fake.calls.map((call) => call.text).sort()).toEqual([
      'Another sentence.',
      'Shared sentence.',
    ]);
    const values = results.map((result) => {
      if (!result.ok) throw new Error(result.error.message);
      return result.value;
    });
    for (const value of values) expect(value.pcm).toEqual(values[0]!.pcm);
    expect(new Set(values.map((value) => value.pcm.buffer)).size).toBe(3);
    expect(service.stats()).toEqual({
      requests: 4,
      cacheHits: 0,
      synthesized: 2,
      charactersSynthesized: 'Shared sentence.'.length + 'Another sentence.'.length,
    });
  });

  test('one sharer cancelling does not cancel the others; all cancelling stops the work', async () => {
    const fake = fakeProvider();
    const service = createSpeechService({ provider: fake.provider, cacheDir, logger });
    const request = { lessonId: 'lesson-1', text: 'Cancel me maybe.', voice };

    const leaving = new AbortController();
    const staying = service.synthesize(request);
    const cancelled = service.synthesize(request, leaving.signal);
    await fake.started();
    leaving.abort();
    const cancelledResult = await cancelled;
    expect(!cancelledResult.ok && cancelledResult.error.code).toBe('cancelled');
    expect(fake.calls[0]!.signal?.aborted).toBe(false);
    fake.release();
    expect((await staying).ok).toBe(true);

    fake.reset();
    const everyone = [new AbortController(), new AbortController()];
    const abandoned = everyone.map((controller) =>
      service.synthesize({ ...request, text: 'Nobody waits.' }, controller.signal),
    );
    await fake.started();
    for (const controller of everyone) controller.abort();
    for (const result of await Promise.all(abandoned)) expect(result.ok).toBe(false);
    expect(fake.calls[1]!.signal?.aborted).toBe(true);

    // A new request after everyone left starts fresh work instead of joining the abandoned one.
    const fresh = service.synthesize({ ...request, text: 'Nobody waits.' });
    fake.release();
    expect((await fresh).ok).toBe(true);
    expect(fake.calls).toHaveLength(3);
  });

  test('provider failures come back as values and are not cached', async () => {
    const fake = fakeProvider({ fail: true });
    fake.release();
    const service = createSpeechService({ provider: fake.provider, cacheDir, logger });
    const request = { lessonId: 'lesson-1', text: 'Doomed.', voice };
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = await service.synthesize(request);
      expect(!result.ok && result.error.code).toBe('speech-failed');
    }
    expect(fake.calls).toHaveLength(2);
    expect(await readdir(cacheDir)).toEqual([]);
    expect(service.stats()).toMatchObject({ requests: 2, synthesized: 0, cacheHits: 0 });
  });

  test('logs each result with lesson id and performance data', async () => {
    const fake = fakeProvider();
    fake.release();
    const service = createSpeechService({ provider: fake.provider, cacheDir, logger });
    await service.synthesize({ lessonId: 'lesson-7', text: 'Logged words.', voice });
    await service.synthesize({ lessonId: 'lesson-7', text: 'Logged words.', voice });
    const lines = logger.lines.filter((line) => line.record.event_type === 'speech_synthesized');
    expect(lines).toHaveLength(2);
    for (const [index, line] of lines.entries()) {
      expect(line.record.lesson_id).toBe('lesson-7');
      expect(line.record.performance_data).toMatchObject({
        durationMs: 'Logged words.'.length * 10,
        cached: index === 1,
        characters: 'Logged words.'.length,
      });
      expect(typeof (line.record.performance_data as { synthMs: unknown }).synthMs).toBe('number');
    }
  });

  test('a damaged entry is synthesised again and rewritten (real offline voice)', async () => {
    const service = createSpeechService({
      provider: createOfflineSpeechProvider(logger),
      cacheDir,
      logger,
    });
    const request = { lessonId: 'lesson-1', text: 'Cache me if you can.', voice };
    const first = await service.synthesize(request);
    expect(first.ok && first.value.durationMs).toBeGreaterThan(500);
    const [entry] = await readdir(cacheDir);
    await writeFile(join(cacheDir, entry!), 'damaged');

    const second = await service.synthesize(request);
    expect(second.ok && second.value.cached).toBe(false);
    const third = await service.synthesize(request);
    expect(third.ok && third.value.cached).toBe(true);
    if (second.ok && third.ok) expect(third.value.pcm).toEqual(second.value.pcm);
    expect(service.stats()).toMatchObject({ requests: 3, synthesized: 2, cacheHits: 1 });
    expect(logger.lines.some((line) => line.record.event_type === 'speech_cache_damaged')).toBe(
      true,
    );
  });
});
