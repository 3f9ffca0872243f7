import type { z } from 'zod';
import type { offlineVoiceSchema } from '../../../shared/lesson/lesson-schema.ts';
import type { Result } from '../../../shared/result.ts';

/** The offline voice settings of a lesson (espeak-ng voice name, words per minute, pitch). */
export type OfflineVoice = z.infer<typeof offlineVoiceSchema>;

/** Every provider delivers this rate, so the avatar and the audio clock never resample again. */
export const speechSampleRateHz = 16_000;

/**
 * One spoken word. Times are milliseconds from the first sample of the returned PCM; char offsets
 * are UTF-16 indices into the text that was passed in (so `text.slice(charStart, charEnd)` works).
 */
export interface WordTiming {
  text: string;
  startMs: number;
  endMs: number;
  charStart: number;
  charEnd: number;
}

export interface SynthesizedSpeech {
  /** Mono PCM, signed 16-bit (s16le when written as bytes on the little-endian hosts we ship on). */
  pcm: Int16Array<ArrayBuffer>;
  sampleRateHz: typeof speechSampleRateHz;
  /** pcm.length / sampleRateHz in milliseconds. */
  durationMs: number;
  /** In spoken order; startMs and endMs never decrease and stay within 0..durationMs. */
  words: WordTiming[];
  providerId: string;
}

/** Text around the request, for engines that shape prosody from it (ElevenLabs). */
export interface SpeechContext {
  previousText?: string | undefined;
  nextText?: string | undefined;
}

export interface SpeechProvider<Voice extends object = OfflineVoice> {
  /** Names the engine and its version: cached speech is keyed by it. */
  readonly id: string;
  /** Never throws; failures (including cancellation) come back as error values. */
  synthesize(
    text: string,
    voice: Voice,
    signal?: AbortSignal,
    context?: SpeechContext,
  ): Promise<Result<SynthesizedSpeech>>;
}
