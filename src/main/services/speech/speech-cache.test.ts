import { mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createMemoryLogger } from '../logging/logger.ts';
import { canonicalJson } from '../platform/content-cache.ts';
import {
  cacheKey,
  createSpeechCache,
  decodeEntry,
  encodeEntry,
  entryPath,
} from './speech-cache.ts';
import type { CacheKeyInput } from './speech-cache.ts';
import type { SynthesizedSpeech } from './speech-types.ts';

const baseInput: CacheKeyInput = {
  providerId: 'espeak-ng-emscripten@0.3.5+rapido.1',
  voice: { provider: 'offline', voice: 'en-us', rateWpm: 165, pitch: 50 },
  text: 'Hello world.',
  sampleRateHz: 16_000,
};

function sampleSpeech(): SynthesizedSpeech {
  const pcm = new Int16Array(16_003);
  for (let n = 0; n < pcm.length; n++) pcm[n] = Math.round(30_000 * Math.sin(n / 7)) - (n % 3);
  pcm[0] = -32768;
  pcm[1] = 32767;
  return {
    pcm,
    sampleRateHz: 16_000,
    durationMs: (pcm.length * 1000) / 16_000,
    words: [
      { text: 'Café', startMs: 0, endMs: 410.5, charStart: 0, charEnd: 4 },
      { text: 'über', startMs: 410.5, endMs: 1000.1875, charStart: 5, charEnd: 9 },
    ],
    providerId: baseInput.providerId,
  };
}

describe('cacheKey', () => {
  test('same inputs give the same 64-hex-digit key', () => {
    const key = cacheKey(baseInput);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey({ ...baseInput, voice: { ...baseInput.voice } })).toBe(key);
  });

  test('any change to text, voice, rate, pitch, provider or output rate changes it', () => {
    const key = cacheKey(baseInput);
    const variants: CacheKeyInput[] = [
      { ...baseInput, text: 'Hello world!' },
      { ...baseInput, text: 'Hello world. ' },
      { ...baseInput, voice: { ...baseInput.voice, voice: 'en-gb' } },
      { ...baseInput, voice: { ...baseInput.voice, rateWpm: 166 } },
      { ...baseInput, voice: { ...baseInput.voice, pitch: 51 } },
      { ...baseInput, providerId: 'espeak-ng-emscripten@0.3.6+rapido.1' },
      { ...baseInput, sampleRateHz: 22_050 },
    ];
    const keys = variants.map((variant) => cacheKey(variant));
    expect(new Set([key, ...keys]).size).toBe(variants.length + 1);
  });

  test('object key order does not matter', () => {
    const reordered: CacheKeyInput = {
      sampleRateHz: 16_000,
      text: 'Hello world.',
      voice: { pitch: 50, rateWpm: 165, voice: 'en-us', provider: 'offline' },
      providerId: 'espeak-ng-emscripten@0.3.5+rapido.1',
    };
    expect(cacheKey(reordered)).toBe(cacheKey(baseInput));
    expect(canonicalJson({ b: [2, { d: 1, c: 'x' }], a: null })).toBe(
      '{"a":null,"b":[2,{"c":"x","d":1}]}',
    );
  });

  test('field boundaries cannot be forged by moving text between fields', () => {
    const a = cacheKey({ ...baseInput, providerId: 'p', text: 'x","text":"y' });
    const b = cacheKey({ ...baseInput, providerId: 'p","text":"x', text: 'y' });
    expect(a).not.toBe(b);
  });
});

describe('speech cache on disk', () => {
  let directory: string;
  const logger = createMemoryLogger();
  const key = cacheKey(baseInput);

  beforeEach(async () => {
    directory = join(await mkdtemp(join(tmpdir(), 'rapido-speech-cache-')), 'speech');
    logger.lines.length = 0;
  });
  afterEach(async () => {
    await rm(join(directory, '..'), { recursive: true, force: true });
  });

  test('round trip keeps every sample and word; the folder is created on demand', async () => {
    const cache = createSpeechCache({ directory, logger });
    expect(await cache.get(key)).toBeUndefined();
    const speech = sampleSpeech();
    expect((await cache.put(key, speech)).ok).toBe(true);
    const loaded = await cache.get(key);
    expect(loaded).toBeDefined();
    expect(loaded!.pcm).toEqual(speech.pcm);
    expect(loaded!.pcm).toBeInstanceOf(Int16Array);
    expect(loaded!.words).toEqual(speech.words);
    expect(loaded!.durationMs).toBe(speech.durationMs);
    expect(loaded!.providerId).toBe(speech.providerId);
    expect(loaded!.sampleRateHz).toBe(16_000);
    // A plain miss is not worth a warning.
    expect(logger.lines.filter((line) => line.record.level === 'WARN')).toEqual([]);
  });

  test('PCM is stored as little-endian s16 after the header', async () => {
    const cache = createSpeechCache({ directory, logger });
    const speech = sampleSpeech();
    await cache.put(key, speech);
    const bytes = await readFile(entryPath(directory, key));
    const headerLength = bytes.readUInt32LE(12);
    const payload = bytes.subarray(16 + headerLength);
    expect(payload.length).toBe(speech.pcm.length * 2);
    expect(payload.readInt16LE(0)).toBe(-32768);
    expect(payload.readInt16LE(2)).toBe(32767);
    expect(payload.readInt16LE(200)).toBe(speech.pcm[100]);
  });

  test('writes leave no temporary files and replace an entry whole', async () => {
    const cache = createSpeechCache({ directory, logger });
    await cache.put(key, sampleSpeech());
    const shorter = { ...sampleSpeech(), pcm: new Int16Array([1, 2, 3]), durationMs: 3 / 16 };
    await Promise.all([cache.put(key, shorter), cache.put(key, shorter)]);
    expect(await readdir(directory)).toEqual([`${key}.speech`]);
    expect((await cache.get(key))!.pcm).toEqual(new Int16Array([1, 2, 3]));
  });

  test('a crash mid-write (stray temporary file) is never read as an entry', async () => {
    const cache = createSpeechCache({ directory, logger });
    await mkdir(directory, { recursive: true });
    const half = encodeEntry(key, sampleSpeech()).subarray(0, 1000);
    await writeFile(`${entryPath(directory, key)}.tmp-123-abcdef`, half);
    expect(await cache.get(key)).toBeUndefined();
  });

  test('truncated or corrupt entries are misses with a warning, then rewritten', async () => {
    const cache = createSpeechCache({ directory, logger });
    const path = entryPath(directory, key);
    const damage: [string, () => Promise<void>][] = [
      ['truncated PCM', () => truncate(path, 5000)],
      ['truncated header', () => truncate(path, 30)],
      [
        'flipped PCM byte',
        async () => {
          const bytes = await readFile(path);
          bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
          await writeFile(path, bytes);
        },
      ],
      ['garbage', () => writeFile(path, 'not a cache entry')],
      ['empty file', () => writeFile(path, '')],
    ];
    for (const [what, doDamage] of damage) {
      await cache.put(key, sampleSpeech());
      await doDamage();
      logger.lines.length = 0;
      expect(await cache.get(key), what).toBeUndefined();
      const warnings = logger.lines.filter((line) => line.record.level === 'WARN');
      expect(warnings, what).toHaveLength(1);
      expect(warnings[0]!.record.event_type).toBe('speech_cache_damaged');
      await cache.put(key, sampleSpeech());
      expect((await cache.get(key))?.pcm, what).toEqual(sampleSpeech().pcm);
    }
  });

  test('an entry is only valid under its own key', () => {
    const bytes = encodeEntry(key, sampleSpeech());
    expect(decodeEntry(key, bytes).ok).toBe(true);
    const other = cacheKey({ ...baseInput, text: 'Other.' });
    expect(decodeEntry(other, bytes)).toEqual({
      ok: false,
      problem: 'entry belongs to another key',
    });
  });

  test('an unwritable cache is an error value, not a throw', async () => {
    await mkdir(join(directory, '..'), { recursive: true });
    await writeFile(directory, 'a file where the folder should be');
    const cache = createSpeechCache({ directory, logger });
    const result = await cache.put(key, sampleSpeech());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('io-failed');
    expect(await cache.get(key)).toBeUndefined();
  });
});
