import {
  ElevenLabsClient,
  ElevenLabsError,
  ElevenLabsTimeoutError,
} from '@elevenlabs/elevenlabs-js';
import type { ElevenLabsVoiceSettings } from '../../../../shared/lesson/lesson-schema.ts';
import { mergeAlignment, type AlignedChunk, type CharacterAlignment } from './alignment-words.ts';
import {
  cancelledFailure,
  failureFromStatus,
  networkFailure,
  timeoutFailure,
  type ElevenLabsFailure,
  type FailureContext,
} from './elevenlabs-errors.ts';

/**
 * One attempt at one sentence: a streamed `pcm_16000` request with timestamps, read chunk by
 * chunk under a first-chunk and an idle timeout, into PCM and one character alignment. Retries,
 * request slots and the key are the client's (elevenlabs-client.ts).
 */
export const elevenLabsOutputFormat = 'pcm_16000';
export const elevenLabsSampleRateHz = 16_000;
export interface SentenceRequest {
  voiceId: string;
  modelId: string;
  settings: ElevenLabsVoiceSettings;
  languageCode?: string | undefined;
  /** Exactly what is sent (tags blanked or kept per model). */
  text: string;
  previousText?: string | undefined;
  nextText?: string | undefined;
}

export interface StreamedSentence {
  pcm: Int16Array<ArrayBuffer>;
  alignment: CharacterAlignment;
  attempts: number;
  /** From sending the successful attempt to its first chunk. */
  firstChunkMs: number;
  totalMs: number;
}

export type SentenceResult =
  { ok: true; value: StreamedSentence } | { ok: false; failure: ElevenLabsFailure };

export async function streamSentenceOnce(options: {
  client: ElevenLabsClient;
  request: SentenceRequest;
  context: FailureContext;
  signal: AbortSignal | undefined;
  firstChunkTimeoutMs: number;
  idleTimeoutMs: number;
  /** The response's headers, as soon as they arrive (they carry the concurrency limit). */
  onHeaders: (headers: Headers) => void;
}): Promise<SentenceResult> {
  const { client, request, context, signal, firstChunkTimeoutMs, idleTimeoutMs } = options;
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  // Set by the timers (closures), read after the stream ends.
  const timedOut: { failure: ElevenLabsFailure | null } = { failure: null };
  let timer = setTimeout(() => {
    timedOut.failure = timeoutFailure('first byte', firstChunkTimeoutMs, context);
    controller.abort(new Error('first chunk timeout'));
  }, firstChunkTimeoutMs);
  const startedMs = performance.now();
  try {
    const { data: stream, rawResponse } = await client.textToSpeech
      .streamWithTimestamps(
        request.voiceId,
        {
          text: request.text,
          modelId: request.modelId,
          outputFormat: elevenLabsOutputFormat,
          voiceSettings: request.settings,
          ...(request.languageCode ? { languageCode: request.languageCode } : {}),
          ...(request.previousText ? { previousText: request.previousText } : {}),
          ...(request.nextText ? { nextText: request.nextText } : {}),
        },
        { abortSignal: controller.signal, maxRetries: 0 },
      )
      .withRawResponse();
    options.onHeaders(rawResponse.headers);
    const chunks: AlignedChunk[] = [];
    const pieces: Buffer[] = [];
    let samples = 0;
    let firstChunkMs = -1;
    for await (const chunk of stream) {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut.failure = timeoutFailure('next chunk', idleTimeoutMs, context);
        controller.abort(new Error('idle timeout'));
      }, idleTimeoutMs);
      if (firstChunkMs < 0) firstChunkMs = performance.now() - startedMs;
      const audio = Buffer.from(chunk.audioBase64, 'base64');
      const alignment = chunk.alignment ?? null;
      chunks.push({
        alignment: alignment
          ? {
              characters: alignment.characters,
              startTimesSec: alignment.characterStartTimesSeconds,
              endTimesSec: alignment.characterEndTimesSeconds,
            }
          : null,
        audioStartSec: samples / elevenLabsSampleRateHz,
      });
      pieces.push(audio);
      samples += Math.floor(audio.byteLength / 2);
    }
    const bytes = Buffer.concat(pieces);
    const pcm = new Int16Array(Math.floor(bytes.byteLength / 2));
    new Uint8Array(pcm.buffer).set(bytes.subarray(0, pcm.byteLength));
    return {
      ok: true,
      value: {
        pcm,
        alignment: mergeAlignment(chunks),
        attempts: 1,
        firstChunkMs: Math.max(0, firstChunkMs),
        totalMs: performance.now() - startedMs,
      },
    };
  } catch (error) {
    if (timedOut.failure && !signal?.aborted) return { ok: false, failure: timedOut.failure };
    return { ok: false, failure: failureOf(error, context, signal) };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

export function failureOf(
  error: unknown,
  context: FailureContext,
  signal?: AbortSignal,
): ElevenLabsFailure {
  if (signal?.aborted) return cancelledFailure();
  if (error instanceof ElevenLabsTimeoutError) return timeoutFailure('first byte', 60_000, context);
  if (error instanceof ElevenLabsError && error.statusCode !== undefined) {
    const retryAfter = error.rawResponse?.headers.get('retry-after') ?? null;
    return failureFromStatus(error.statusCode, error.body, retryAfter, context);
  }
  return networkFailure(causeText(error), context);
}

function causeText(error: unknown): string {
  if (error instanceof Error) {
    const cause: unknown = (error as Error & { cause?: unknown }).cause;
    const code =
      cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string'
        ? cause.code
        : null;
    if (code) return code;
    if (cause instanceof Error) return cause.message;
    return error.message;
  }
  return String(error);
}
