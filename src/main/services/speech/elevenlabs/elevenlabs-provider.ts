import type { ElevenLabsVoiceSettings } from '../../../../shared/lesson/lesson-schema.ts';
import { err, ok, type RapidoError, type Result } from '../../../../shared/result.ts';
import type { Logger } from '../../logging/logger.ts';
import { cancelledSpeech } from '../abortable.ts';
import {
  speechSampleRateHz,
  type SpeechProvider,
  type SynthesizedSpeech,
} from '../speech-types.ts';
import { wordsFromAlignment } from './alignment-words.ts';
import type { ElevenLabsApi } from './elevenlabs-client.ts';
import type { FailureKind } from './elevenlabs-errors.ts';

/** Bumped when what Rapido does with the service's audio changes (it is part of cache keys). */
export const elevenLabsProviderId = 'elevenlabs/pcm_16000+rapido.1';

/** Everything that shapes one request's audio: the cache key's voice part. */
export interface ElevenLabsUnitVoice {
  voiceId: string;
  modelId: string;
  settings: ElevenLabsVoiceSettings;
  languageCode?: string | undefined;
}

/** How long a service that just failed is left alone before the next sentence tries it again. */
const outageCooldownMs = 30_000;
/** A used-up quota rarely comes back within a lesson; the panel's refresh clears it sooner. */
const quotaCooldownMs = 5 * 60_000;

export interface ElevenLabsProvider extends SpeechProvider<ElevenLabsUnitVoice> {
  /** Why ElevenLabs is being skipped right now, if it is. */
  openCircuit(): RapidoError | null;
  /** Forget a failure (the key or plan changed). */
  resetCircuit(): void;
}

/**
 * ElevenLabs as a SpeechProvider: one sentence in, PCM and word timings out. A circuit breaker
 * stops a failing service from costing every following sentence its retries and timeouts: a bad
 * key stays open until the key changes, an outage for 30 s; meanwhile calls fail at once and
 * the narration speaks those sentences with the offline voice.
 */
export function createElevenLabsProvider(
  api: ElevenLabsApi,
  logger: Logger,
  now: () => number = Date.now,
): ElevenLabsProvider {
  let circuit: { error: RapidoError; untilMs: number; kind: FailureKind } | null = null;

  function open(kind: FailureKind, error: RapidoError): void {
    const untilMs =
      kind === 'auth'
        ? Number.POSITIVE_INFINITY
        : now() + (kind === 'quota' ? quotaCooldownMs : outageCooldownMs);
    circuit = { error, untilMs, kind };
    logger.warn(`ElevenLabs paused: ${error.message}`, {
      event_type: 'elevenlabs_circuit_open',
      kind,
      until_ms: Number.isFinite(untilMs) ? Math.round(untilMs - now()) : null,
    });
  }

  function openCircuit(): RapidoError | null {
    if (circuit && now() >= circuit.untilMs) circuit = null;
    return circuit?.error ?? null;
  }

  async function synthesize(
    text: string,
    voice: ElevenLabsUnitVoice,
    signal?: AbortSignal,
    context?: { previousText?: string | undefined; nextText?: string | undefined },
  ): Promise<Result<SynthesizedSpeech>> {
    const skipped = openCircuit();
    if (skipped)
      return err('not-available', skipped.message, skipped.hint ? { hint: skipped.hint } : {});
    const result = await api.synthesizeSentence(
      {
        voiceId: voice.voiceId,
        modelId: voice.modelId,
        settings: voice.settings,
        languageCode: voice.languageCode,
        text,
        previousText: context?.previousText,
        nextText: context?.nextText,
      },
      signal,
    );
    if (!result.ok) {
      const { kind, error } = result.failure;
      if (kind === 'cancelled') return cancelledSpeech();
      if (kind !== 'invalid') open(kind, error);
      return { ok: false, error };
    }
    const { pcm, alignment } = result.value;
    const durationMs = (pcm.length / speechSampleRateHz) * 1000;
    const { words, aligned } = wordsFromAlignment(alignment, text, 0, durationMs);
    if (!aligned) {
      logger.warn('ElevenLabs alignment does not spell the text sent; word times are estimated', {
        event_type: 'elevenlabs_alignment_mismatch',
      });
    }
    return ok({
      pcm,
      sampleRateHz: speechSampleRateHz,
      durationMs,
      words,
      providerId: elevenLabsProviderId,
    });
  }

  return {
    id: elevenLabsProviderId,
    synthesize,
    openCircuit,
    resetCircuit() {
      circuit = null;
    },
  };
}
