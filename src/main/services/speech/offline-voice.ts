import { Worker } from 'node:worker_threads';
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
import type { EspeakJobOutcome, EspeakWorkerMessage } from './espeak-worker-protocol.ts';
import { speechSampleRateHz } from './speech-types.ts';
import type { OfflineVoice, SpeechProvider, SynthesizedSpeech } from './speech-types.ts';

/**
 * The offline voice: espeak-ng compiled to WebAssembly (@echogarden/espeak-ng-emscripten).
 *
 * - One engine per process, loaded on first use (about 24 MB of voice data) and kept. espeak-ng's
 *   state is global, so every synthesis in the process runs through one queue.
 * - Audio is espeak-ng's output exactly, resampled from 22.05 kHz to 16 kHz: nothing is trimmed,
 *   so its short quiet onset (some tens of ms) stays, and word times count from sample 0.
 * - The engine and the resampling run on a worker thread (espeak-worker.ts): the engine call is
 *   synchronous (about 3 ms of CPU per second of speech, so about 3 s for the 20,000-character
 *   limit) and would otherwise stall IPC, recording and the headless server. Cancellation sets a
 *   shared flag that the engine's callback polls, so an aborted job stops within a chunk.
 */

/** The installed package's version (checked by a test): part of the provider id and cache keys. */
export const espeakEngineVersion = '0.3.5';
/** Bump the `rapido.N` part whenever this module's output for the same input changes. */
export const offlineSpeechProviderId = `espeak-ng-emscripten@${espeakEngineVersion}+rapido.1`;
export const maxOfflineTextLength = 20_000;

interface EngineThread {
  worker: Worker;
  pending: Map<number, (outcome: EspeakJobOutcome) => void>;
}

let engineThread: EngineThread | undefined;
let nextJobId = 1;
let queueTail: Promise<unknown> = Promise.resolve();

/**
 * The electron-vite build emits espeak-worker.js next to the main bundle (the `espeak-worker`
 * input in electron.vite.config.ts). From the .ts sources (tsx, vitest) a worker thread starts
 * without the parent's TypeScript loader, so a two-line bootstrap registers tsx's loader in the
 * new thread before importing espeak-worker.ts (tsx is a dev dependency; the build never runs this).
 */
function createEngineWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./espeak-worker.js', import.meta.url));
  }
  const tsxApiUrl = import.meta.resolve('tsx/esm/api');
  const workerUrl = new URL('./espeak-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApiUrl)})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl)}); });`;
  return new Worker(bootstrap, { eval: true });
}

function startEngineThread(logger: Logger): EngineThread {
  if (engineThread) return engineThread;
  const worker = createEngineWorker();
  const thread: EngineThread = { worker, pending: new Map() };
  // Idle, the thread must not keep the process alive; it is referenced while a job runs.
  worker.unref();
  worker.on('message', (message: EspeakWorkerMessage) => {
    if (message.type === 'log') {
      const fields = message.performanceData
        ? { event_type: 'speech_engine_loaded', performance_data: message.performanceData }
        : undefined;
      logger[message.level](message.message, fields);
      return;
    }
    const settle = thread.pending.get(message.id);
    thread.pending.delete(message.id);
    if (thread.pending.size === 0) worker.unref();
    settle?.(message.outcome);
  });
  function fail(reason: string) {
    // A dead thread takes its engine with it: the next request starts a fresh one.
    if (engineThread === thread) engineThread = undefined;
    for (const settle of thread.pending.values())
      settle({ kind: 'engine-failed', message: reason });
    thread.pending.clear();
  }
  worker.on('error', (error) => {
    logger.error('offline voice thread failed', { error });
    fail(messageOf(error));
  });
  worker.on('exit', (code) => {
    fail(`The offline voice thread exited (code ${code}).`);
  });
  engineThread = thread;
  return thread;
}

function runOnEngineThread(
  logger: Logger,
  job: { text: string; voice: OfflineVoice },
  signal: AbortSignal | undefined,
): Promise<EspeakJobOutcome> {
  const thread = startEngineThread(logger);
  const id = nextJobId++;
  const abortFlag = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const flag = new Int32Array(abortFlag);
  function onAbort() {
    Atomics.store(flag, 0, 1);
  }
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  return new Promise<EspeakJobOutcome>((resolve) => {
    thread.pending.set(id, resolve);
    thread.worker.ref();
    thread.worker.postMessage({
      id,
      text: job.text,
      voice: job.voice.voice,
      rateWpm: job.voice.rateWpm,
      pitch: job.voice.pitch,
      outputRateHz: speechSampleRateHz,
      abortFlag,
    });
  }).finally(() => {
    signal?.removeEventListener('abort', onAbort);
  });
}

function serialised<T>(task: () => Promise<T>): Promise<T> {
  const run = queueTail.then(task, task);
  queueTail = run.catch(() => undefined);
  return run;
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
  const startedMs = performance.now();
  const input = prepareEspeakInput(text);
  const outcome = await runOnEngineThread(logger, { text: input.text, voice }, signal);
  switch (outcome.kind) {
    case 'cancelled':
      return cancelledSpeech();
    case 'voice-not-found':
      return err('speech-failed', `The offline voice "${voice.voice}" is not installed.`, {
        hint: 'Choose an espeak-ng voice such as en-us, en-gb, de or fr.',
      });
    case 'load-failed':
      logger.error('offline voice engine failed to load', { error: outcome.message });
      return err('not-available', 'The offline voice could not be started.', {
        hint: 'Reinstall Rapido: the @echogarden/espeak-ng-emscripten files are missing or damaged.',
        details: [outcome.message],
      });
    case 'engine-failed':
      logger.error('offline voice engine failed', { error: outcome.message });
      return err('speech-failed', 'The offline voice failed while speaking this text.', {
        hint: 'Try again; if it keeps failing, simplify the text (unusual symbols or markup).',
        details: [outcome.message],
      });
    case 'speech':
      break;
  }
  if (signal?.aborted) return cancelledSpeech();

  const { pcm } = outcome;
  const marks = outcome.words.map((word) => ({
    sourceOffset: sourceOffsetOf(input, word.textPosition),
    audioMs: word.audioMs,
  }));
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
      synthesisMs: Math.round(outcome.synthesisMs),
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
