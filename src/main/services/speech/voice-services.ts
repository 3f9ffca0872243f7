import { join } from 'node:path';
import type {
  ElevenLabsStatusInfo,
  InvokeRequest,
  InvokeResponse,
  SpeechInfo,
} from '../../../shared/ipc/contract.ts';
import { defaultElevenLabsModelId } from '../../../shared/lesson/lesson-schema.ts';
import { ok, type Result } from '../../../shared/result.ts';
import type { Logger } from '../logging/logger.ts';
import {
  createApiKeyStore,
  type ApiKeyStore,
  type SecretCipher,
} from '../secrets/api-key-store.ts';
import {
  createElevenLabsApi,
  defaultElevenLabsBaseUrl,
  type ElevenLabsApi,
  type ElevenLabsClientOptions,
} from './elevenlabs/elevenlabs-client.ts';
import {
  createElevenLabsProvider,
  type ElevenLabsProvider,
  type ElevenLabsUnitVoice,
} from './elevenlabs/elevenlabs-provider.ts';
import {
  createNarrationService,
  type Narration,
  type NarrationService,
} from './narration-service.ts';
import { createOfflineSpeechProvider } from './offline-voice.ts';
import { createRecordedSpeech, type RecordedSpeech } from './recorded/recorded-speech.ts';
import { createSpeechService, type SpeechService } from './speech-service.ts';

/**
 * The voices, wired once per process: the offline voice, ElevenLabs (client, provider with its
 * circuit breaker, key store) and the narration service that chooses between them per sentence.
 * wiring/ turns these into IPC handlers; the bench and tests use them directly.
 */
export interface ElevenLabsEnvironment {
  apiKey?: string | undefined;
  baseUrl?: string | undefined;
  voiceId?: string | undefined;
  modelId?: string | undefined;
}

export interface VoiceServices {
  narration: NarrationService;
  offlineSpeech: SpeechService;
  elevenLabsSpeech: SpeechService<ElevenLabsUnitVoice>;
  elevenLabsApi: ElevenLabsApi;
  elevenLabsProvider: ElevenLabsProvider;
  keys: ApiKeyStore;
  /** Slides with a recorded narration: their WAV instead of a voice. */
  recorded: RecordedSpeech;
  /** Values the logs must never contain. */
  secrets(): string[];
  synthesize(
    request: InvokeRequest<'speech:synthesize'>,
  ): Promise<InvokeResponse<'speech:synthesize'>>;
  status(): ElevenLabsStatusInfo;
  setKey(apiKey: string): Promise<InvokeResponse<'voice:elevenlabs-set-key'>>;
  close(): void;
}

export function createVoiceServices(options: {
  cacheDir: string;
  secretsDir: string;
  cipher: SecretCipher | null;
  environment: ElevenLabsEnvironment;
  logger: Logger;
  /** Timeouts, retries and bounds (tests shorten them). */
  tuning?: Partial<
    Pick<
      ElevenLabsClientOptions,
      | 'maxInFlight'
      | 'firstChunkTimeoutMs'
      | 'idleTimeoutMs'
      | 'maxAttempts'
      | 'backoffBaseMs'
      | 'maxRetryWaitMs'
    >
  >;
}): VoiceServices {
  const { environment, logger } = options;
  const speechLog = logger.child('speech');
  const keys = createApiKeyStore({
    environmentKey: environment.apiKey,
    cipher: options.cipher,
    filePath: join(options.secretsDir, 'elevenlabs-api-key.bin'),
    logger: speechLog,
  });
  const baseUrl = environment.baseUrl ?? defaultElevenLabsBaseUrl;
  const elevenLabsApi = createElevenLabsApi({
    baseUrl,
    apiKey: () => keys.current(),
    keyReady: keys.ready,
    logger: logger.child('elevenlabs'),
    ...options.tuning,
  });
  const elevenLabsProvider = createElevenLabsProvider(elevenLabsApi, logger.child('elevenlabs'));
  keys.onChange(() => elevenLabsProvider.resetCircuit());
  const offlineSpeech = createSpeechService({
    provider: createOfflineSpeechProvider(speechLog),
    cacheDir: options.cacheDir,
    logger: speechLog,
  });
  const elevenLabsSpeech = createSpeechService<ElevenLabsUnitVoice>({
    provider: elevenLabsProvider,
    cacheDir: options.cacheDir,
    logger: speechLog,
  });
  const recorded = createRecordedSpeech({ cacheDir: options.cacheDir, logger: speechLog });
  const narration = createNarrationService({
    offline: offlineSpeech,
    elevenLabs: elevenLabsSpeech,
    defaults: { voiceId: environment.voiceId, modelId: environment.modelId },
    logger: speechLog,
  });

  function status(): ElevenLabsStatusInfo {
    const paused = elevenLabsProvider.openCircuit();
    return {
      key: keys.status(),
      baseUrl: elevenLabsApi.baseUrl,
      baseUrlFromEnvironment: environment.baseUrl !== undefined,
      defaults: {
        voiceId: environment.voiceId ?? null,
        modelId: environment.modelId ?? defaultElevenLabsModelId,
      },
      paused: paused ? { message: paused.message, hint: paused.hint ?? null } : null,
    };
  }

  return {
    narration,
    offlineSpeech,
    elevenLabsSpeech,
    elevenLabsApi,
    elevenLabsProvider,
    keys,
    recorded,
    secrets: () =>
      [keys.current(), environment.apiKey].filter((key): key is string => Boolean(key)),
    async synthesize(request): Promise<Result<SpeechInfo>> {
      const { recorded: recording, ...spoken } = request;
      const result = recording
        ? await recorded.speak({
            lessonId: request.lessonId,
            slideId: request.slideId,
            lessonDir: recording.lessonDir,
            audio: recording.audio,
            words: recording.words,
            text: request.text,
          })
        : await narration.narrate(spoken);
      if (!result.ok) return result;
      const s: Narration = { fallback: null, ...result.value };
      return ok({
        pcm: new Uint8Array(s.pcm.buffer, s.pcm.byteOffset, s.pcm.byteLength),
        sampleRateHz: s.sampleRateHz,
        durationMs: s.durationMs,
        words: s.words,
        cached: s.cached,
        providerId: s.providerId,
        fallback: s.fallback
          ? {
              sentences: s.fallback.sentences,
              message: s.fallback.error.message,
              hint: s.fallback.error.hint ?? null,
            }
          : null,
      });
    },
    status,
    async setKey(apiKey) {
      // Checked against the account first: a mistyped key is refused, not stored.
      const quota = await elevenLabsApi.subscription(undefined, apiKey.trim());
      if (!quota.ok) return quota;
      const saved = await keys.save(apiKey);
      if (!saved.ok) return saved;
      return ok({ status: status(), quota: quota.value });
    },
    close() {
      elevenLabsApi.close();
    },
  };
}
