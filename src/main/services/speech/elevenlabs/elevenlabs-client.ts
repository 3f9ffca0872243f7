import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { ok, type Result } from '../../../../shared/result.ts';
import { redact, type Logger } from '../../logging/logger.ts';
import { sleepUnlessAborted } from '../../platform/net/abortable-sleep.ts';
import {
  cancelledFailure,
  failureFromStatus,
  isRetryable,
  type ElevenLabsFailure,
  type FailureContext,
} from './elevenlabs-errors.ts';
import { createKeepAliveFetch } from './keep-alive-fetch.ts';
import { createRequestSlots } from './request-slots.ts';
import {
  elevenLabsSampleRateHz,
  failureOf,
  streamSentenceOnce,
  type SentenceRequest,
  type SentenceResult,
} from './sentence-stream.ts';

/**
 * Rapido's side of the ElevenLabs API, over the official SDK: one sentence per streamed request
 * (`pcm_16000` with timestamps), a bounded number in flight, connections kept warm, and
 * Rapido's own retry policy (the SDK's is turned off) so every attempt is logged and a
 * `retry-after` longer than the show can wait gives way to the offline voice at once.
 * The API key is read on each call and never leaves this module except in the request header.
 */
export {
  elevenLabsOutputFormat,
  elevenLabsSampleRateHz,
  type SentenceRequest,
  type SentenceResult,
  type StreamedSentence,
} from './sentence-stream.ts';
export const defaultElevenLabsBaseUrl = 'https://api.elevenlabs.io';

export interface VoiceInfo {
  voiceId: string;
  name: string;
  category: string | null;
  description: string | null;
  labels: Record<string, string>;
  previewUrl: string | null;
}

export interface ModelInfo {
  modelId: string;
  name: string;
  canDoTextToSpeech: boolean;
  maxCharactersPerRequest: number | null;
  languages: string[];
}

export interface QuotaInfo {
  tier: string;
  characterCount: number;
  characterLimit: number;
  charactersLeft: number;
  /** Unix seconds, when the service says. */
  resetsAtUnix: number | null;
}

export interface ElevenLabsClientStats {
  requests: number;
  retries: number;
  socketsOpened: number;
}

export interface ElevenLabsClientOptions {
  baseUrl: string;
  /** Read on every call: the key can be entered, changed or cleared while the app runs. */
  apiKey: () => string | null;
  /** Settles when apiKey() can be trusted (a saved key is unsealed asynchronously). */
  keyReady?: Promise<void>;
  logger: Logger;
  /** Synthesis requests in flight (free plans allow 2). */
  maxInFlight?: number;
  firstChunkTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** Attempts per sentence, the first included. */
  maxAttempts?: number;
  backoffBaseMs?: number;
  /** A longer `retry-after` is not waited for: the sentence falls back instead. */
  maxRetryWaitMs?: number;
}

export interface ElevenLabsApi {
  readonly baseUrl: string;
  hasKey(): boolean;
  synthesizeSentence(request: SentenceRequest, signal?: AbortSignal): Promise<SentenceResult>;
  voices(signal?: AbortSignal): Promise<Result<VoiceInfo[]>>;
  models(signal?: AbortSignal): Promise<Result<ModelInfo[]>>;
  subscription(signal?: AbortSignal, apiKey?: string): Promise<Result<QuotaInfo>>;
  /** Opens (or keeps) a connection, so the first sentence does not pay for the handshake. */
  warm(): Promise<void>;
  stats(): ElevenLabsClientStats;
  close(): void;
}

const missingKey = (context: FailureContext): ElevenLabsFailure =>
  failureFromStatus(
    401,
    { detail: { status: 'missing_api_key', message: 'No API key is set.' } },
    null,
    context,
  );

export function createElevenLabsApi(options: ElevenLabsClientOptions): ElevenLabsApi {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const log = options.logger;
  const keepAlive = createKeepAliveFetch({ maxSockets: 8 });
  const slots = createRequestSlots(options.maxInFlight ?? 2);
  const firstChunkTimeoutMs = options.firstChunkTimeoutMs ?? 10_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 8_000;
  const maxAttempts = options.maxAttempts ?? 4;
  const backoffBaseMs = options.backoffBaseMs ?? 500;
  const maxRetryWaitMs = options.maxRetryWaitMs ?? 10_000;
  const counters = { requests: 0, retries: 0 };
  // Closing aborts everything in flight or queued, so nothing reaches the service afterwards.
  const lifetime = new AbortController();
  let sdk: { key: string; client: ElevenLabsClient } | null = null;

  const secrets = (): string[] => {
    const key = options.apiKey();
    return key ? [key] : [];
  };
  const clean = (failure: ElevenLabsFailure): ElevenLabsFailure => ({
    ...failure,
    error: {
      ...failure.error,
      message: redact(failure.error.message, secrets()),
      ...(failure.error.hint === undefined ? {} : { hint: redact(failure.error.hint, secrets()) }),
    },
  });

  function clientFor(key: string): ElevenLabsClient {
    if (sdk?.key !== key) {
      sdk = {
        key,
        client: new ElevenLabsClient({
          apiKey: key,
          baseUrl,
          maxRetries: 0,
          timeoutInSeconds: 60,
          fetch: keepAlive.fetch,
        }),
      };
    }
    return sdk.client;
  }

  /** Adopts the service's own concurrency limit when it tells us (never above 4: fairness). */
  function noteLimits(headers: Headers | undefined): void {
    const maximum = Number(headers?.get('maximum-concurrent-requests'));
    if (Number.isInteger(maximum) && maximum > 0 && maximum !== slots.limit) {
      slots.setLimit(Math.min(4, maximum));
    }
  }

  async function synthesizeSentence(
    request: SentenceRequest,
    callerSignal?: AbortSignal,
  ): Promise<SentenceResult> {
    const signal = callerSignal
      ? AbortSignal.any([callerSignal, lifetime.signal])
      : lifetime.signal;
    const context = { baseUrl, voiceId: request.voiceId, modelId: request.modelId };
    await options.keyReady;
    const key = options.apiKey();
    if (!key) return { ok: false, failure: missingKey(context) };
    for (let attemptNumber = 1; ; attemptNumber += 1) {
      let release: () => void;
      try {
        release = await slots.acquire(signal, { first: attemptNumber > 1 });
      } catch {
        return { ok: false, failure: cancelledFailure() };
      }
      let result: SentenceResult;
      try {
        counters.requests += 1;
        result = await streamSentenceOnce({
          client: clientFor(key),
          request,
          context,
          signal,
          firstChunkTimeoutMs,
          idleTimeoutMs,
          onHeaders: noteLimits,
        });
      } finally {
        release();
      }
      if (result.ok) {
        log.perf('elevenlabs sentence', {
          event_type: 'elevenlabs_sentence',
          performance_data: {
            characters: request.text.length,
            firstChunkMs: Math.round(result.value.firstChunkMs),
            totalMs: Math.round(result.value.totalMs),
            audioMs: Math.round((result.value.pcm.length / elevenLabsSampleRateHz) * 1000),
            attempts: attemptNumber,
          },
        });
        return { ok: true, value: { ...result.value, attempts: attemptNumber } };
      }
      const failure = clean(result.failure);
      if (failure.kind === 'cancelled') return { ok: false, failure };
      const waitMs =
        failure.retryAfterMs ??
        backoffBaseMs * 2 ** (attemptNumber - 1) * (0.8 + Math.random() * 0.4);
      const retry =
        isRetryable(failure.kind) && attemptNumber < maxAttempts && waitMs <= maxRetryWaitMs;
      log.warn(`elevenlabs attempt ${attemptNumber} failed: ${failure.error.message}`, {
        event_type: 'elevenlabs_attempt_failed',
        status: failure.status,
        kind: failure.kind,
        attempt: attemptNumber,
        retry,
        wait_ms: retry ? Math.round(waitMs) : null,
      });
      if (!retry) return { ok: false, failure };
      counters.retries += 1;
      if (!(await sleepUnlessAborted(waitMs, signal))) {
        return { ok: false, failure: cancelledFailure() };
      }
    }
  }

  async function call<T>(
    what: string,
    run: (client: ElevenLabsClient) => Promise<T>,
    signal: AbortSignal | undefined,
    apiKey?: string,
  ): Promise<Result<T>> {
    const context = { baseUrl };
    await options.keyReady;
    const key = apiKey ?? options.apiKey();
    if (!key) return { ok: false, error: missingKey(context).error };
    try {
      counters.requests += 1;
      return ok(await run(clientFor(key)));
    } catch (error) {
      const failure = clean(failureOf(error, context, signal));
      log.warn(`elevenlabs ${what} failed: ${failure.error.message}`, {
        event_type: 'elevenlabs_call_failed',
        status: failure.status,
      });
      return { ok: false, error: failure.error };
    }
  }

  return {
    baseUrl,
    hasKey: () => Boolean(options.apiKey()),
    synthesizeSentence,
    voices: (signal) => call('voices', (client) => listVoices(client, signal), signal),
    models: (signal) => call('models', (client) => listModels(client, signal), signal),
    subscription: (signal, apiKey) =>
      call('subscription', (client) => readQuota(client, signal), signal, apiKey),
    async warm() {
      const key = options.apiKey();
      if (!key) return;
      // The cheapest authenticated call; its answer is not needed, only the open connection.
      await call('warm-up', (client) => client.models.list({ maxRetries: 0 }), undefined);
    },
    stats: () => ({ ...counters, socketsOpened: keepAlive.socketsOpened() }),
    close() {
      lifetime.abort(new Error('The ElevenLabs client was closed.'));
      keepAlive.close();
    },
  };
}

async function listVoices(client: ElevenLabsClient, signal?: AbortSignal): Promise<VoiceInfo[]> {
  // search() pages; a presenter's account rarely has more than its first 100 voices.
  const response = await client.voices.search(
    { pageSize: 100 },
    { abortSignal: signal, maxRetries: 2 },
  );
  return response.voices.map((voice) => ({
    voiceId: voice.voiceId,
    name: voice.name ?? voice.voiceId,
    category: voice.category ?? null,
    description: voice.description ?? null,
    labels: voice.labels ?? {},
    previewUrl: voice.previewUrl ?? null,
  }));
}

async function listModels(client: ElevenLabsClient, signal?: AbortSignal): Promise<ModelInfo[]> {
  const models = await client.models.list({ abortSignal: signal, maxRetries: 2 });
  return models.map((model) => ({
    modelId: model.modelId,
    name: model.name ?? model.modelId,
    canDoTextToSpeech: model.canDoTextToSpeech ?? false,
    maxCharactersPerRequest: model.maxCharactersRequestSubscribedUser ?? null,
    languages: (model.languages ?? []).map((language) => language.languageId),
  }));
}

async function readQuota(client: ElevenLabsClient, signal?: AbortSignal): Promise<QuotaInfo> {
  const sub = await client.user.subscription.get({ abortSignal: signal, maxRetries: 2 });
  return {
    tier: sub.tier,
    characterCount: sub.characterCount,
    characterLimit: sub.characterLimit,
    charactersLeft: Math.max(0, sub.characterLimit - sub.characterCount),
    resetsAtUnix: sub.nextCharacterCountResetUnix ?? null,
  };
}
