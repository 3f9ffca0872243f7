import { err, ok } from '../../../shared/result.ts';
import type { Result } from '../../../shared/result.ts';
import type { Logger } from '../logging/logger.ts';
import { cancelledSpeech, resultOrCancelled } from './abortable.ts';
import { cacheKey, createSpeechCache } from './speech-cache.ts';
import { speechSampleRateHz } from './speech-types.ts';
import type {
  OfflineVoice,
  SpeechContext,
  SpeechProvider,
  SynthesizedSpeech,
} from './speech-types.ts';

/**
 * Speech for the pipeline: the disk cache first, the provider on a miss, and one synthesis for
 * any number of identical requests in flight at once (the planner's look-ahead and the preview
 * often ask for the same slide together).
 */
export interface SpeechRequest<Voice extends object = OfflineVoice> {
  lessonId: string;
  text: string;
  voice: Voice;
  /** Passed to the provider; not part of the cache key (context only nudges prosody). */
  context?: SpeechContext;
}

export type ServedSpeech = SynthesizedSpeech & { cached: boolean };

export interface SpeechServiceStats {
  /** Calls to synthesize. */
  requests: number;
  /** Requests answered from the disk cache. */
  cacheHits: number;
  /** Provider syntheses that succeeded (shared ones count once). */
  synthesized: number;
  /** Text length (UTF-16 units) of those syntheses: zero on a fully cached second run. */
  charactersSynthesized: number;
}

export interface SpeechService<Voice extends object = OfflineVoice> {
  readonly providerId: string;
  /** Never throws. `cached` is true when the speech came from disk without synthesis. */
  synthesize(request: SpeechRequest<Voice>, signal?: AbortSignal): Promise<Result<ServedSpeech>>;
  /** Whether this exact speech is on disk, so it would cost nothing. */
  isCached(request: Pick<SpeechRequest<Voice>, 'text' | 'voice'>): Promise<boolean>;
  stats(): SpeechServiceStats;
}

export interface SpeechServiceOptions<Voice extends object> {
  provider: SpeechProvider<Voice>;
  cacheDir: string;
  logger: Logger;
}

interface InFlight {
  result: Promise<Result<ServedSpeech>>;
  /** Aborted when every request waiting on it has given up, so queued work is skipped. */
  controller: AbortController;
  /** Requests waiting now. */
  waiting: number;
  /** Requests that ever joined; joining ends when the work settles. */
  requesters: number;
}

/** Sharers each get their own PCM: one may transfer (detach) its buffer to another process. */
function copyFor(speech: ServedSpeech): ServedSpeech {
  return { ...speech, pcm: speech.pcm.slice(), words: speech.words.map((word) => ({ ...word })) };
}

export function createSpeechService<Voice extends object = OfflineVoice>(
  options: SpeechServiceOptions<Voice>,
): SpeechService<Voice> {
  const { provider } = options;
  const log = options.logger;
  const cache = createSpeechCache({ directory: options.cacheDir, logger: options.logger });
  const inFlight = new Map<string, InFlight>();
  const counters: SpeechServiceStats = {
    requests: 0,
    cacheHits: 0,
    synthesized: 0,
    charactersSynthesized: 0,
  };

  async function produce(
    key: string,
    request: SpeechRequest<Voice>,
    signal: AbortSignal,
  ): Promise<Result<ServedSpeech>> {
    const stored = await cache.get(key);
    if (stored) {
      counters.cacheHits += 1;
      return ok({ ...stored, cached: true });
    }
    if (signal.aborted) return cancelledSpeech();
    const synthesized = await provider.synthesize(
      request.text,
      request.voice,
      signal,
      request.context,
    );
    if (!synthesized.ok) return synthesized;
    counters.synthesized += 1;
    counters.charactersSynthesized += request.text.length;
    // A failed write only costs a synthesis next time; the cache logs it.
    await cache.put(key, synthesized.value);
    return ok({ ...synthesized.value, cached: false });
  }

  function flightFor(
    key: string,
    request: SpeechRequest<Voice>,
  ): { flight: InFlight; shared: boolean } {
    const existing = inFlight.get(key);
    if (existing) return { flight: existing, shared: true };
    const controller = new AbortController();
    const result = produce(key, request, controller.signal).catch((error: unknown) =>
      err<ServedSpeech>('internal', 'Speech synthesis failed unexpectedly.', {
        details: [String(error)],
      }),
    );
    const flight: InFlight = { result, controller, waiting: 0, requesters: 0 };
    inFlight.set(key, flight);
    void result.finally(() => {
      if (inFlight.get(key) === flight) inFlight.delete(key);
    });
    return { flight, shared: false };
  }

  function leave(key: string, flight: InFlight) {
    flight.waiting -= 1;
    if (flight.waiting === 0 && !flight.controller.signal.aborted) {
      flight.controller.abort();
      // Later identical requests must not join work that is being abandoned.
      if (inFlight.get(key) === flight) inFlight.delete(key);
    }
  }

  function keyOf(request: Pick<SpeechRequest<Voice>, 'text' | 'voice'>): string {
    return cacheKey({
      providerId: provider.id,
      voice: request.voice,
      text: request.text,
      sampleRateHz: speechSampleRateHz,
    });
  }

  async function synthesize(
    request: SpeechRequest<Voice>,
    signal?: AbortSignal,
  ): Promise<Result<ServedSpeech>> {
    counters.requests += 1;
    const startedMs = performance.now();
    if (signal?.aborted) return cancelledSpeech();
    let key: string;
    try {
      key = keyOf(request);
    } catch (error) {
      return err('invalid-request', 'The speech request could not be read.', {
        details: [String(error)],
      });
    }
    const { flight, shared } = flightFor(key, request);
    flight.waiting += 1;
    flight.requesters += 1;
    const result = await resultOrCancelled(flight.result, signal);
    if (!result.ok && result.error.code === 'cancelled' && signal?.aborted) {
      leave(key, flight);
    } else {
      flight.waiting -= 1;
    }
    if (!result.ok) {
      if (result.error.code !== 'cancelled') {
        log.warn(`speech failed: ${result.error.message}`, {
          event_type: 'speech_failed',
          lesson_id: request.lessonId,
          code: result.error.code,
        });
      }
      return result;
    }
    const speech = flight.requesters > 1 ? copyFor(result.value) : result.value;
    log.info('speech ready', {
      event_type: 'speech_synthesized',
      lesson_id: request.lessonId,
      performance_data: {
        durationMs: Math.round(speech.durationMs),
        synthMs: Math.round(performance.now() - startedMs),
        cached: speech.cached,
        characters: request.text.length,
        shared,
      },
    });
    return ok(speech);
  }

  return {
    providerId: provider.id,
    synthesize,
    isCached: (request) => cache.has(keyOf(request)),
    stats: () => ({ ...counters }),
  };
}
