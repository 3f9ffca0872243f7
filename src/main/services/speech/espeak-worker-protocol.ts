/**
 * Messages between offline-voice.ts (main thread) and espeak-worker.ts (the worker thread that
 * owns the espeak-ng engine). Structured-cloned; PCM buffers are transferred, not copied.
 */

export interface EspeakJob {
  id: number;
  /** Already escaped for espeak's SSML input (prepareEspeakInput). */
  text: string;
  voice: string;
  rateWpm: number;
  pitch: number;
  outputRateHz: number;
  /** One Int32 the main thread sets to 1 on abort; the engine callback polls it. */
  abortFlag: SharedArrayBuffer;
}

export interface EspeakWordEvent {
  /** espeak-ng's 1-based code point position in the escaped input. */
  textPosition: number;
  audioMs: number;
}

export type EspeakJobOutcome =
  | {
      kind: 'speech';
      /** Already at outputRateHz. */
      pcm: Int16Array<ArrayBuffer>;
      words: EspeakWordEvent[];
      synthesisMs: number;
    }
  | { kind: 'cancelled' }
  | { kind: 'voice-not-found' }
  | { kind: 'load-failed'; message: string }
  | { kind: 'engine-failed'; message: string };

export type EspeakWorkerMessage =
  | { type: 'result'; id: number; outcome: EspeakJobOutcome }
  | {
      type: 'log';
      level: 'debug' | 'info' | 'warn' | 'error';
      message: string;
      performanceData?: Record<string, number>;
    };
