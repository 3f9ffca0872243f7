import { describe, expect, test } from 'vitest';
import { createMemoryLogger } from '../logging/logger.ts';
import { createOfflineSpeechProvider } from './offline-voice.ts';
import type { OfflineVoice } from './speech-types.ts';

const voice: OfflineVoice = { provider: 'offline', voice: 'en-us', rateWpm: 165, pitch: 50 };
const sentence = 'The quick brown fox jumps over the lazy dog, then it rests in the green forest. ';

describe('offline voice off the main thread', () => {
  test('the event loop keeps turning during a long synthesis', async () => {
    const provider = createOfflineSpeechProvider(createMemoryLogger());
    // Load the engine first, so the measurement covers synthesis rather than start-up.
    expect((await provider.synthesize('Warm up.', voice)).ok).toBe(true);

    const text = sentence.repeat(Math.ceil(15_000 / sentence.length)).slice(0, 15_000);
    const tickIntervalMs = 10;
    let ticks = 0;
    let maxGapMs = 0;
    let lastTickMs = performance.now();
    const timer = setInterval(() => {
      const nowMs = performance.now();
      maxGapMs = Math.max(maxGapMs, nowMs - lastTickMs);
      lastTickMs = nowMs;
      ticks++;
    }, tickIntervalMs);
    const startedMs = performance.now();
    const result = await provider.synthesize(text, voice);
    const elapsedMs = performance.now() - startedMs;
    clearInterval(timer);
    maxGapMs = Math.max(maxGapMs, performance.now() - lastTickMs);

    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.durationMs).toBeGreaterThan(60_000);
    console.info(
      `offline voice: ${text.length} chars in ${elapsedMs.toFixed(0)} ms, ${ticks} timer ticks, ` +
        `longest event-loop gap ${maxGapMs.toFixed(0)} ms`,
    );
    // Generous: a busy 2-core machine may delay timers, but never for the whole synthesis.
    expect(maxGapMs).toBeLessThan(200);
  });

  test('aborting during a long synthesis resolves as cancelled and the voice still works', async () => {
    const provider = createOfflineSpeechProvider(createMemoryLogger());
    expect((await provider.synthesize('Warm up.', voice)).ok).toBe(true);
    const controller = new AbortController();
    const long = provider.synthesize(sentence.repeat(150), voice, controller.signal);
    const after = provider.synthesize('Still here.', voice);
    setTimeout(() => {
      controller.abort();
    }, 50);
    const cancelled = await long;
    expect(!cancelled.ok && cancelled.error.code).toBe('cancelled');
    const next = await after;
    expect(next.ok).toBe(true);
    if (next.ok) expect(next.value.words.map((word) => word.text)).toEqual(['Still', 'here']);
  });
});
