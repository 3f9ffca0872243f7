import { concatInt16 } from '../../../shared/pcm-samples.ts';
import { parentPort } from 'node:worker_threads';
import type { ESpeakNGWorker } from '@echogarden/espeak-ng-emscripten';
import type {
  EspeakJob,
  EspeakJobOutcome,
  EspeakWordEvent,
  EspeakWorkerMessage,
} from './espeak-worker-protocol.ts';
import { createResampler } from './resampler.ts';
import type { Resampler } from './resampler.ts';

/**
 * The worker thread that owns the espeak-ng engine (started by offline-voice.ts). The engine call
 * is synchronous and takes seconds for long texts, so it runs here to keep the main thread's
 * event loop free. Jobs arrive one at a time (the main thread serialises them).
 */

interface Engine {
  worker: ESpeakNGWorker;
  /** Requested voice name -> the espeak-ng name that loads it. */
  resolvedVoices: Map<string, string>;
  currentVoice: string | undefined;
}

const port = parentPort;
let engine: Engine | undefined;
const resamplers = new Map<string, Resampler>();
/** Five seconds of 16 kHz output per slice: the abort flag is checked between slices. */
const resampleSliceSamples = 80_000;

function post(message: EspeakWorkerMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function loadEngine(): Promise<Engine> {
  if (engine) return engine;
  const startedMs = performance.now();
  const { default: createEspeakModule } = await import('@echogarden/espeak-ng-emscripten');
  const module = await createEspeakModule({
    print: (line) => {
      post({ type: 'log', level: 'debug', message: `espeak-ng: ${line}` });
    },
    printErr: (line) => {
      post({ type: 'log', level: 'warn', message: `espeak-ng: ${line}` });
    },
  });
  const worker = new module.eSpeakNGWorker();
  post({
    type: 'log',
    level: 'info',
    message: 'offline voice engine loaded',
    performanceData: {
      loadMs: Math.round(performance.now() - startedMs),
      sampleRateHz: worker.samplerate,
    },
  });
  engine = { worker, resolvedVoices: new Map(), currentVoice: undefined };
  return engine;
}

/**
 * espeak-ng matches voice names and file names ("en-us", "gmw/en-US"); lesson files also use
 * language codes that only appear in a voice's language list ("en-gb" is the file "gmw/en"). A
 * "+variant" suffix ("en-us+f3") is kept.
 */
function selectVoice(loaded: Engine, requested: string): boolean {
  const { worker } = loaded;
  let resolved = loaded.resolvedVoices.get(requested);
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
      loaded.currentVoice = undefined;
      return false;
    }
    loaded.resolvedVoices.set(requested, resolved);
    loaded.currentVoice = resolved;
  }
  if (loaded.currentVoice !== resolved) {
    if (worker.set_voice(resolved) !== 0) return false;
    loaded.currentVoice = resolved;
  }
  return true;
}

function resamplerFor(inputRateHz: number, outputRateHz: number): Resampler {
  const key = `${inputRateHz}:${outputRateHz}`;
  let resampler = resamplers.get(key);
  if (!resampler) {
    resampler = createResampler({ inputRateHz, outputRateHz });
    resamplers.set(key, resampler);
  }
  return resampler;
}

async function runJob(job: EspeakJob): Promise<EspeakJobOutcome> {
  const abortFlag = new Int32Array(job.abortFlag);
  const aborted = () => Atomics.load(abortFlag, 0) !== 0;
  if (aborted()) return { kind: 'cancelled' };
  let loaded: Engine;
  try {
    loaded = await loadEngine();
  } catch (error) {
    return { kind: 'load-failed', message: messageOf(error) };
  }
  if (!selectVoice(loaded, job.voice)) return { kind: 'voice-not-found' };

  const startedMs = performance.now();
  const { worker } = loaded;
  worker.rate = job.rateWpm;
  worker.pitch = job.pitch;
  const chunks: Int16Array[] = [];
  const words: EspeakWordEvent[] = [];
  try {
    worker.synthesize(job.text, (samples, events) => {
      if (samples.length > 0) chunks.push(samples);
      for (const event of events) {
        if (event.type !== 'word') continue;
        words.push({ textPosition: event.text_position, audioMs: event.audio_position });
      }
      return aborted();
    });
  } catch (error) {
    // An Emscripten abort leaves the module unusable: the next job loads a fresh one.
    engine = undefined;
    return { kind: 'engine-failed', message: messageOf(error) };
  }
  if (aborted()) return { kind: 'cancelled' };
  const synthesisMs = performance.now() - startedMs;

  const native = concatInt16(chunks);
  const resampler = resamplerFor(worker.samplerate, job.outputRateHz);
  const pcm = new Int16Array(resampler.outputLength(native.length));
  for (let from = 0; from < pcm.length; from += resampleSliceSamples) {
    resampler.resampleInt16Into(native, pcm, from, from + resampleSliceSamples);
    if (aborted()) return { kind: 'cancelled' };
  }
  return { kind: 'speech', pcm, words, synthesisMs };
}

port?.on('message', (job: EspeakJob) => {
  const settled = runJob(job).catch((error: unknown): EspeakJobOutcome => {
    engine = undefined;
    return { kind: 'engine-failed', message: messageOf(error) };
  });
  void settled.then((outcome) => {
    post(
      { type: 'result', id: job.id, outcome },
      outcome.kind === 'speech' ? [outcome.pcm.buffer] : [],
    );
  });
});
