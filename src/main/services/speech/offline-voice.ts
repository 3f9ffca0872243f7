import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { ESpeakNGWorker } from '@echogarden/espeak-ng-emscripten';
import { err, ok } from '../../../shared/result.ts';
import type { Result } from '../../../shared/result.ts';
import type { Logger } from '../logging/logger.ts';
import { cancelledSpeech, resultOrCancelled } from './abortable.ts';
import {
  assembleWordTimings,
  createSilenceProbe,
  prepareEspeakInput,
  sourceOffsetOf,
} from './espeak-words.ts';
import type { WordMark } from './espeak-words.ts';
import { createResampler } from './resampler.ts';
import type { Resampler } from './resampler.ts';
import { speechSampleRateHz } from './speech-types.ts';
import type { OfflineVoice, SpeechProvider, SynthesizedSpeech } from './speech-types.ts';

/**
 * The offline voice: espeak-ng compiled to WebAssembly (@echogarden/espeak-ng-emscripten).
 *
 * - One engine per process, loaded on first use (about 24 MB of voice data) and kept. espeak-ng's
 *   state is global, so every synthesis in the process runs through one queue.
 * - Audio is espeak-ng's output exactly, resampled from 22.05 kHz to 16 kHz: nothing is trimmed,
 *   so its short quiet onset (some tens of ms) stays, and word times count from sample 0.
 * - The engine call itself runs synchronously on the calling thread (about 3 ms of CPU per second
 *   of speech here, so a typical slide blocks for tens of ms and the 20,000-character limit for
 *   about 3 s); the conversion to 16 kHz that follows runs in slices that yield to the event
 *   loop. Cancellation takes effect while queued and between slices, not inside the engine call.
 */

/** The installed package's version (checked by a test): part of the provider id and cache keys. */
export const espeakEngineVersion = '0.3.5';
/** Bump the `rapido.N` part whenever this module's output for the same input changes. */
export const offlineSpeechProviderId = `espeak-ng-emscripten@${espeakEngineVersion}+rapido.1`;
export const maxOfflineTextLength = 20_000;

interface Engine {
  worker: ESpeakNGWorker;
  /** Requested voice name -> the espeak-ng name that loads it. */
  resolvedVoices: Map<string, string>;
  currentVoice: string | undefined;
}

let engineLoad: Promise<Engine> | undefined;
let queueTail: Promise<unknown> = Promise.resolve();
const resamplers = new Map<number, Resampler>();
/** Five seconds of output per slice: about 20 ms of work here. */
const resampleSliceSamples = 5 * speechSampleRateHz;

function loadEngine(logger: Logger): Promise<Engine> {
  if (engineLoad) return engineLoad;
  const load = (async () => {
    const startedMs = performance.now();
    const { default: createEspeakModule } = await import('@echogarden/espeak-ng-emscripten');
    const module = await createEspeakModule({
      print: (line) => {
        logger.debug(`espeak-ng: ${line}`);
      },
      printErr: (line) => {
        logger.warn(`espeak-ng: ${line}`);
      },
    });
    const worker = new module.eSpeakNGWorker();
    logger.info('offline voice engine loaded', {
      event_type: 'speech_engine_loaded',
      performance_data: {
        loadMs: Math.round(performance.now() - startedMs),
        sampleRateHz: worker.samplerate,
      },
    });
    const engine: Engine = { worker, resolvedVoices: new Map(), currentVoice: undefined };
    return engine;
  })();
  engineLoad = load;
  // A failed load is tried again by the next request rather than remembered forever.
  load.catch(() => {
    if (engineLoad === load) engineLoad = undefined;
  });
  return load;
}

function serialised<T>(task: () => Promise<T>): Promise<T> {
  const run = queueTail.then(task, task);
  queueTail = run.catch(() => undefined);
  return run;
}

function resamplerFor(inputRateHz: number): Resampler {
  let resampler = resamplers.get(inputRateHz);
  if (!resampler) {
    resampler = createResampler({ inputRateHz, outputRateHz: speechSampleRateHz });
    resamplers.set(inputRateHz, resampler);
  }
  return resampler;
}

function emptySpeech(): SynthesizedSpeech {
  return {
    pcm: new Int16Array(0),
    sampleRateHz: speechSampleRateHz,
    durationMs: 0,
    words: [],
    providerId: offlineSpeechProviderId,
  };
}

function voiceNotFound(name: string): Result<never> {
  return err('speech-failed', `The offline voice "${name}" is not installed.`, {
    hint: 'Choose an espeak-ng voice such as en-us, en-gb, de or fr.',
  });
}

/**
 * espeak-ng matches voice names and file names ("en-us", "gmw/en-US"); lesson files also use
 * language codes that only appear in a voice's language list ("en-gb" is the file "gmw/en"). A
 * "+variant" suffix ("en-us+f3") is kept.
 */
function selectVoice(engine: Engine, requested: string): Result<void> {
  const { worker } = engine;
  let resolved = engine.resolvedVoices.get(requested);
  if (resolved === undefined) {
    const plusAt = requested.indexOf('+');
    const base = (plusAt < 0 ? requested : requested.slice(0, plusAt)).trim().toLowerCase();
    const variant = plusAt < 0 ? '' : requested.slice(plusAt);
    const byLanguage = worker
      .list_voices()
      .flatMap((voice) =>
        voice.languages
          .filter((language) => language.name === base)
          .map((language) => ({ identifier: voice.identifier, priority: language.priority })),
      )
      .sort((a, b) => a.priority - b.priority)
      .map((candidate) => `${candidate.identifier}${variant}`);
    resolved = [requested, ...byLanguage].find((name) => worker.set_voice(name) === 0);
    if (resolved === undefined) {
      engine.currentVoice = undefined;
      return voiceNotFound(requested);
    }
    engine.resolvedVoices.set(requested, resolved);
    engine.currentVoice = resolved;
  }
  if (engine.currentVoice !== resolved) {
    if (worker.set_voice(resolved) !== 0) return voiceNotFound(requested);
    engine.currentVoice = resolved;
  }
  return ok(undefined);
}

function concatenate(chunks: readonly Int16Array[]): Int16Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const joined = new Int16Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function synthesizeNow(
  logger: Logger,
  text: string,
  voice: OfflineVoice,
  signal: AbortSignal | undefined,
): Promise<Result<SynthesizedSpeech>> {
  if (signal?.aborted) return cancelledSpeech();
  let engine: Engine;
  try {
    engine = await loadEngine(logger);
  } catch (error) {
    logger.error('offline voice engine failed to load', { error });
    return err('not-available', 'The offline voice could not be started.', {
      hint: 'Reinstall Rapido: the @echogarden/espeak-ng-emscripten files are missing or damaged.',
      details: [messageOf(error)],
    });
  }
  const voiceSelected = selectVoice(engine, voice.voice);
  if (!voiceSelected.ok) return voiceSelected;

  const startedMs = performance.now();
  const { worker } = engine;
  worker.rate = voice.rateWpm;
  worker.pitch = voice.pitch;
  const input = prepareEspeakInput(text);
  const chunks: Int16Array[] = [];
  const marks: WordMark[] = [];
  try {
    worker.synthesize(input.text, (samples, events) => {
      if (samples.length > 0) chunks.push(samples);
      for (const event of events) {
        if (event.type !== 'word') continue;
        marks.push({
          sourceOffset: sourceOffsetOf(input, event.text_position),
          audioMs: event.audio_position,
        });
      }
      return signal?.aborted ?? false;
    });
  } catch (error) {
    // An Emscripten abort leaves the module unusable: the next request loads a fresh one.
    engineLoad = undefined;
    logger.error('offline voice engine failed', { error });
    return err('speech-failed', 'The offline voice failed while speaking this text.', {
      hint: 'Try again; if it keeps failing, simplify the text (unusual symbols or markup).',
      details: [messageOf(error)],
    });
  }
  if (signal?.aborted) return cancelledSpeech();
  const synthesisMs = performance.now() - startedMs;

  const native = concatenate(chunks);
  const resampler = resamplerFor(worker.samplerate);
  const pcm = new Int16Array(resampler.outputLength(native.length));
  for (let from = 0; from < pcm.length; from += resampleSliceSamples) {
    resampler.resampleInt16Into(native, pcm, from, from + resampleSliceSamples);
    // Long texts take seconds to convert: let the process breathe and notice a cancellation.
    await yieldToEventLoop();
    if (signal?.aborted) return cancelledSpeech();
  }
  const durationMs = (pcm.length * 1000) / speechSampleRateHz;
  const words = assembleWordTimings({
    text,
    marks,
    durationMs,
    silence: createSilenceProbe(pcm, speechSampleRateHz),
  });
  const totalMs = performance.now() - startedMs;
  logger.debug('offline voice synthesized', {
    performance_data: {
      characters: text.length,
      durationMs: Math.round(durationMs),
      synthesisMs: Math.round(synthesisMs),
      totalMs: Math.round(totalMs),
      realTimeFactor: totalMs > 0 ? Math.round(durationMs / totalMs) : null,
    },
  });
  return ok({
    pcm,
    sampleRateHz: speechSampleRateHz,
    durationMs,
    words,
    providerId: offlineSpeechProviderId,
  });
}

export function createOfflineSpeechProvider(logger: Logger): SpeechProvider {
  const log = logger.child('offline-voice');

  async function synthesize(
    text: string,
    voice: OfflineVoice,
    signal?: AbortSignal,
  ): Promise<Result<SynthesizedSpeech>> {
    try {
      if (text.length > maxOfflineTextLength) {
        return err(
          'speech-failed',
          `The text is too long for the offline voice (${text.length} characters; at most ${maxOfflineTextLength}).`,
          { hint: 'Split the narration over several slides.' },
        );
      }
      if (signal?.aborted) return cancelledSpeech();
      if (text.trim().length === 0) return ok(emptySpeech());
      const work = serialised(() => synthesizeNow(log, text, voice, signal));
      return await resultOrCancelled(work, signal);
    } catch (error) {
      log.error('offline voice failed unexpectedly', { error });
      return err('internal', 'The offline voice failed unexpectedly.', {
        details: [messageOf(error)],
      });
    }
  }

  return { id: offlineSpeechProviderId, synthesize };
}
