import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lesson } from '../../src/shared/lesson/lesson-schema.ts';
import { offlineSpeechProviderId } from '../../src/main/services/speech/offline-voice.ts';
import { cacheKey, decodeEntry, entryPath } from '../../src/main/services/speech/speech-cache.ts';

/**
 * The speech the app played for each slide of an offline-voice lesson, exactly: read from its
 * own speech cache (16 kHz mono, -1..1), so a test can find it in a file's audio.
 */
export async function playedSpeech(dataDir: string, lesson: Lesson): Promise<Float32Array[]> {
  return Promise.all(
    lesson.slides.map(async (slide) => {
      if (lesson.voice.provider !== 'offline') throw new Error('this test uses the offline voice');
      const key = cacheKey({
        providerId: offlineSpeechProviderId,
        voice: lesson.voice,
        text: slide.narration,
        sampleRateHz: 16_000,
      });
      const entry = decodeEntry(
        key,
        await readFile(entryPath(join(dataDir, 'cache', 'speech'), key)),
      );
      if (!entry.ok) throw new Error(`speech cache entry for ${slide.id}: ${entry.problem}`);
      return Float32Array.from(entry.speech.pcm, (sample) => sample / 32768);
    }),
  );
}
