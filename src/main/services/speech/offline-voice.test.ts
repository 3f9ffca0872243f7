import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, test } from 'vitest';
import { createMemoryLogger } from '../logging/logger.ts';
import {
  createOfflineSpeechProvider,
  espeakEngineVersion,
  maxOfflineTextLength,
  offlineSpeechProviderId,
} from './offline-voice.ts';
import type { OfflineVoice, SynthesizedSpeech } from './speech-types.ts';

const voice: OfflineVoice = { provider: 'offline', voice: 'en-us', rateWpm: 165, pitch: 50 };
const provider = createOfflineSpeechProvider(createMemoryLogger());

const firstSentence = 'The quick brown fox jumps over the lazy dog.';
const twoSentences = `${firstSentence} Then it runs far away into the green forest to rest.`;

async function speak(text: string, settings: OfflineVoice = voice): Promise<SynthesizedSpeech> {
  const result = await provider.synthesize(text, settings);
  if (!result.ok) throw new Error(`synthesis failed: ${result.error.message}`);
  return result.value;
}

function rmsBetween(speech: SynthesizedSpeech, fromMs: number, toMs: number): number {
  const from = Math.floor((fromMs * speech.sampleRateHz) / 1000);
  const to = Math.min(speech.pcm.length, Math.ceil((toMs * speech.sampleRateHz) / 1000));
  let sum = 0;
  for (let n = from; n < to; n++) sum += speech.pcm[n]! ** 2;
  return to > from ? Math.sqrt(sum / (to - from)) : 0;
}

function expectWellFormedWords(text: string, speech: SynthesizedSpeech) {
  let previousEndMs = 0;
  let previousCharEnd = 0;
  for (const word of speech.words) {
    expect(text.slice(word.charStart, word.charEnd)).toBe(word.text);
    expect(word.charStart).toBeGreaterThanOrEqual(previousCharEnd);
    expect(word.startMs).toBeGreaterThanOrEqual(previousEndMs);
    expect(word.endMs).toBeGreaterThan(word.startMs);
    expect(word.endMs).toBeLessThanOrEqual(speech.durationMs);
    previousEndMs = word.endMs;
    previousCharEnd = word.charEnd;
  }
}

describe('offline voice (espeak-ng wasm)', () => {
  let oneSentence: SynthesizedSpeech;
  let bothSentences: SynthesizedSpeech;

  beforeAll(async () => {
    oneSentence = await speak(firstSentence);
    bothSentences = await speak(twoSentences);
  });

  test('the provider id names the installed engine version', () => {
    const packageJsonPath = createRequire(import.meta.url).resolve(
      '@echogarden/espeak-ng-emscripten/package.json',
    );
    const installed = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version: string };
    expect(installed.version).toBe(espeakEngineVersion);
    expect(offlineSpeechProviderId).toContain(`@${espeakEngineVersion}`);
    expect(provider.id).toBe(offlineSpeechProviderId);
  });

  test('16 kHz mono whose duration grows with the text', () => {
    for (const speech of [oneSentence, bothSentences]) {
      expect(speech.sampleRateHz).toBe(16_000);
      expect(speech.providerId).toBe(offlineSpeechProviderId);
      expect(speech.durationMs).toBe((speech.pcm.length * 1000) / 16_000);
    }
    expect(oneSentence.durationMs).toBeGreaterThan(1500);
    const durationRatio = bothSentences.durationMs / oneSentence.durationMs;
    const lengthRatio = twoSentences.length / firstSentence.length;
    expect(durationRatio).toBeGreaterThan(lengthRatio * 0.7);
    expect(durationRatio).toBeLessThan(lengthRatio * 1.3);
  });

  test('words come in order with monotonic timings inside the audio', () => {
    const expected = twoSentences.split(/\s+/).map((word) => word.replace(/\.$/, ''));
    expect(bothSentences.words.map((word) => word.text)).toEqual(expected);
    expectWellFormedWords(twoSentences, bothSentences);
    expect(bothSentences.words[0]!.startMs).toBeLessThan(100);
  });

  test('there is sound where the words are and quiet between the sentences', () => {
    const words = bothSentences.words;
    const wordLevels = words.map((word) => rmsBetween(bothSentences, word.startMs, word.endMs));
    for (const level of wordLevels) expect(level).toBeGreaterThan(300);

    const lastOfFirst = words.findIndex((word) => word.text === 'dog');
    const gapFromMs = words[lastOfFirst]!.endMs;
    const gapToMs = words[lastOfFirst + 1]!.startMs;
    expect(gapToMs - gapFromMs).toBeGreaterThan(100);
    const quietest = Math.min(...wordLevels);
    expect(rmsBetween(bothSentences, gapFromMs, gapToMs)).toBeLessThan(quietest * 0.1);
  });

  test('char offsets are UTF-16 offsets into the original text (non-ASCII, astral)', async () => {
    const text = '😀 Café über naïve, señor Ångström.';
    const speech = await speak(text);
    expectWellFormedWords(text, speech);
    const spoken = speech.words.map((word) => word.text);
    expect(spoken.filter((word) => word !== '😀')).toEqual([
      'Café',
      'über',
      'naïve',
      'señor',
      'Ångström',
    ]);
    const naive = speech.words.find((word) => word.text === 'naïve')!;
    expect(naive.charStart).toBe(text.indexOf('naïve'));
  });

  test('markup characters are spoken text, not SSML or phoneme input', async () => {
    const text = 'Salt & pepper <b> [[ignored]] stay here.';
    const speech = await speak(text);
    expectWellFormedWords(text, speech);
    expect(speech.words.map((word) => word.text)).toEqual(
      expect.arrayContaining(['Salt', 'pepper', 'stay', 'here']),
    );
    expect(speech.words.at(-1)!.text).toBe('here');
  });

  test('a faster rate gives shorter speech; en-gb resolves to an installed voice', async () => {
    const fast = await speak(firstSentence, { ...voice, rateWpm: 330 });
    expect(fast.durationMs).toBeLessThan(oneSentence.durationMs * 0.75);
    const british = await speak(firstSentence, { ...voice, voice: 'en-gb' });
    expect(british.words).toHaveLength(oneSentence.words.length);
  });

  test('empty or blank text is zero-length speech, not an error', async () => {
    for (const text of ['', '  \n\t ']) {
      const speech = await speak(text);
      expect(speech.pcm.length).toBe(0);
      expect(speech.durationMs).toBe(0);
      expect(speech.words).toEqual([]);
    }
  });

  test('too much text, or an unknown voice, is an error value with a hint', async () => {
    const long = await provider.synthesize('a '.repeat(maxOfflineTextLength), voice);
    expect(long.ok).toBe(false);
    if (!long.ok) {
      expect(long.error.code).toBe('speech-failed');
      expect(long.error.hint).toBeTruthy();
    }
    const unknown = await provider.synthesize('Hello.', { ...voice, voice: 'xx-nowhere' });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error.code).toBe('speech-failed');
    // The engine is still usable afterwards.
    expect((await provider.synthesize('Hello.', voice)).ok).toBe(true);
  });

  test('concurrent calls are serialised; a queued call can be cancelled', async () => {
    const controller = new AbortController();
    const first = provider.synthesize('First in the queue.', voice);
    const second = provider.synthesize('Second in the queue.', voice, controller.signal);
    const third = provider.synthesize('Third in the queue.', voice);
    controller.abort();
    const [a, b, c] = await Promise.all([first, second, third]);
    expect(a.ok && c.ok).toBe(true);
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.error.code).toBe('cancelled');
    const preAborted = await provider.synthesize('Never.', voice, AbortSignal.abort());
    expect(!preAborted.ok && preAborted.error.code).toBe('cancelled');
  });

  test('speed (reported, not asserted)', async () => {
    const text = `${twoSentences} `.repeat(8);
    const startedMs = performance.now();
    const speech = await speak(text);
    const elapsedMs = performance.now() - startedMs;
    const realTimeFactor = speech.durationMs / elapsedMs;
    console.info(
      `offline voice: ${text.length} chars -> ${(speech.durationMs / 1000).toFixed(1)} s of ` +
        `speech in ${elapsedMs.toFixed(0)} ms (${realTimeFactor.toFixed(0)}x real time)`,
    );
    expect(speech.durationMs).toBeGreaterThan(0);
  });
});
