import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import type { RecordedWord } from '../../../../shared/lesson/lesson-schema.ts';
import { err, errorMessage, ok, type Result } from '../../../../shared/result.ts';
import { readWav } from '../../../../shared/speech/wav-reader.ts';
import type { Logger } from '../../logging/logger.ts';
import { contentKey } from '../../platform/content-cache.ts';
import { cancelledSpeech } from '../abortable.ts';
import { createResampler } from '../resampler.ts';
import { createSpeechCache, speechCacheFormatVersion } from '../speech-cache.ts';
import type { ServedSpeech } from '../speech-service.ts';
import { speechSampleRateHz, type SynthesizedSpeech } from '../speech-types.ts';
import { readRecordedNarration } from './recorded-narration-file.ts';
import { alignRecordedWords, estimateRecordedWords, voicedSpan } from './recorded-words.ts';

/**
 * A slide's recorded narration as speech: the WAV in the lesson folder, decoded, mixed to mono
 * and resampled to the app's speech rate (band-limited, no delay, so word times hold), with word
 * timings from the recording's words or estimated from the script over its voiced part. The
 * answer has the shape synthesis has, so playback, export, captions and the avatar take it as
 * they take synthesised speech.
 *
 * Cached in the speech cache under a key that includes the SHA-256 of the WAV's bytes, the words
 * and the script: a re-recording (even with the same name, size and date) never gets the old
 * speech, and reading the file again is the only cost of a repeat.
 */

/** Bump the number when what this produces for the same file changes. */
export const recordedSpeechProviderId = 'recorded-wav.1';

export interface RecordedSpeechRequest {
  lessonId: string;
  slideId: string;
  /** The lesson folder, already confirmed as one the user chose through main. */
  lessonDir: string;
  /** Relative to the lesson folder (the slide's `recordedNarration.audio`). */
  audio: string;
  words?: readonly RecordedWord[] | undefined;
  /** The slide's script: word timings index into it. */
  text: string;
}

export interface RecordedSpeech {
  /** Never throws. */
  speak(request: RecordedSpeechRequest, signal?: AbortSignal): Promise<Result<ServedSpeech>>;
}

/** The recording at 16 kHz, rounded and clipped once. */
function resampled(mono: Float32Array, sampleRateHz: number): Int16Array<ArrayBuffer> {
  if (sampleRateHz === speechSampleRateHz) {
    const pcm = new Int16Array(mono.length);
    for (let n = 0; n < mono.length; n += 1) {
      const value = Math.round(mono[n] ?? 0);
      pcm[n] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
    }
    return pcm;
  }
  const resampler = createResampler({
    inputRateHz: sampleRateHz,
    outputRateHz: speechSampleRateHz,
    anyRatio: true,
  });
  const floats = resampler.resampleFloat(mono);
  const pcm = new Int16Array(floats.length);
  for (let n = 0; n < floats.length; n += 1) {
    const value = Math.round(floats[n] ?? 0);
    pcm[n] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
  }
  return pcm;
}

/** The speech made from a WAV file's bytes (pure apart from the decode; no file access). */
export function recordedSpeechFrom(
  bytes: Uint8Array,
  name: string,
  text: string,
  words: readonly RecordedWord[] | undefined,
): Result<SynthesizedSpeech & { matchedWords: number | null }> {
  const wav = readWav(bytes, name);
  if (!wav.ok) return wav;
  const pcm = resampled(wav.value.mono, wav.value.format.sampleRateHz);
  const durationMs = (pcm.length / speechSampleRateHz) * 1000;
  const voiced = voicedSpan(pcm, speechSampleRateHz);
  const timed =
    words && words.length > 0
      ? alignRecordedWords(text, words, voiced, durationMs)
      : { words: estimateRecordedWords(text, voiced, durationMs), matched: null };
  return ok({
    pcm,
    sampleRateHz: speechSampleRateHz,
    durationMs,
    words: timed.words,
    providerId: recordedSpeechProviderId,
    matchedWords: timed.matched,
  });
}

export function createRecordedSpeech(options: {
  cacheDir: string;
  logger: Logger;
}): RecordedSpeech {
  const log = options.logger;
  const cache = createSpeechCache({ directory: options.cacheDir, logger: options.logger });

  async function speak(
    request: RecordedSpeechRequest,
    signal?: AbortSignal,
  ): Promise<Result<ServedSpeech>> {
    if (signal?.aborted) return cancelledSpeech();
    const startedMs = performance.now();
    const served = await serve(request, signal);
    if (!served.ok) {
      if (served.error.code !== 'cancelled') {
        log.warn(`recorded narration failed: ${served.error.message}`, {
          event_type: 'speech_failed',
          lesson_id: request.lessonId,
          code: served.error.code,
        });
      }
      return served;
    }
    // The same event as synthesis: the logs read one way whatever spoke the slide.
    log.info('speech ready', {
      event_type: 'speech_synthesized',
      lesson_id: request.lessonId,
      performance_data: {
        durationMs: Math.round(served.value.durationMs),
        synthMs: Math.round(performance.now() - startedMs),
        cached: served.value.cached,
        characters: request.text.length,
        recorded: true,
      },
    });
    return served;
  }

  async function serve(
    request: RecordedSpeechRequest,
    signal?: AbortSignal,
  ): Promise<Result<ServedSpeech>> {
    let realLessonDir: string;
    try {
      realLessonDir = await realpath(request.lessonDir);
    } catch (error) {
      return err('lesson-not-found', `The lesson folder ${request.lessonDir} cannot be opened.`, {
        details: [errorMessage(error)],
      });
    }
    const file = await readRecordedNarration(realLessonDir, request.audio);
    if (!file.ok) {
      return err(file.error.code, `Slide ${request.slideId}: ${file.error.message}`, {
        ...(file.error.hint ? { hint: file.error.hint } : {}),
      });
    }
    const wavSha256 = createHash('sha256').update(file.value.bytes).digest('hex');
    const key = contentKey({
      kind: 'recorded-narration',
      cacheFormatVersion: speechCacheFormatVersion,
      providerId: recordedSpeechProviderId,
      wavSha256,
      words: request.words ?? null,
      text: request.text,
      sampleRateHz: speechSampleRateHz,
    });
    const stored = await cache.get(key);
    if (stored) return ok({ ...stored, cached: true });
    if (signal?.aborted) return cancelledSpeech();
    const made = recordedSpeechFrom(
      file.value.bytes,
      file.value.relativePath,
      request.text,
      request.words,
    );
    if (!made.ok) return made;
    const { matchedWords, ...speech } = made.value;
    if (matchedWords !== null && request.words) {
      log.info(
        `slide ${request.slideId}: ${matchedWords} of ${request.words.length} recorded words matched the script`,
        { lesson_id: request.lessonId, event_type: 'recorded_narration_words' },
      );
    }
    // A failed write only costs a decode next time; the cache logs it.
    await cache.put(key, speech);
    return ok({ ...speech, cached: false });
  }

  return { speak };
}
