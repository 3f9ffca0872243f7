import type { OutgoingHttpHeaders } from 'node:http';
import type { Logger } from '../../src/main/services/logging/logger.ts';
import type {
  SpeechProvider,
  SynthesizedSpeech,
} from '../../src/main/services/speech/speech-types.ts';

/**
 * What the reference server knows while it runs: its fixed configuration and the mutable state
 * the control API (failNext, setApiKey, ...) and the request handlers share. One object, so the
 * handlers can live in their own modules instead of one closure.
 */

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The `{voice_id}` of the path, where the route has one. */
  voiceId: string | null;
  query: Record<string, string>;
  /** The parsed JSON body; null when there was none or it was not JSON. */
  body: unknown;
  /** Null until a status line has been sent (e.g. the client gave up during the delay). */
  status: number | null;
  keyAccepted: boolean;
  /** performance.now() of this process when the request arrived. */
  startedAtMs: number;
  /** performance.now() when the status line and first body bytes were written. */
  firstByteAtMs: number | null;
}

export interface InjectedFailure {
  status: number;
  /** Default: the real API's body for that status (500, 503, 429 system_busy), else a generic one. */
  body?: unknown;
  /** Sent as a `retry-after` header. */
  retryAfterSeconds?: number;
}

export interface ReferenceConfig {
  speedFactor: number;
  chunkMs: number;
  maxConcurrentRequests: number;
  maxTextLength: number;
}

export interface ReferenceState {
  readonly config: ReferenceConfig;
  readonly log: Logger;
  readonly provider: SpeechProvider;
  apiKey: string;
  firstByteDelayMs: number;
  /** Speech already rendered, by spoken text and voice (see synthesis.ts). */
  readonly rendered: Map<string, SynthesizedSpeech>;
  stallAfterFirst: boolean;
  characterLimit: number;
  characterCount: number;
  failEvery: InjectedFailure | null;
  readonly failQueue: InjectedFailure[];
  activeSyntheses: number;
  connectionCount: number;
  readonly requests: RecordedRequest[];
  /** Cancels a response's pending chunk timer; all of them run at close(). */
  readonly cancellers: Set<() => void>;
  readonly nextResetUnixSeconds: number;
}

/** Every synthesis answer, refusals included, says how busy the account is. */
export function concurrencyHeaders(state: ReferenceState): OutgoingHttpHeaders {
  return {
    'current-concurrent-requests': String(state.activeSyntheses),
    'maximum-concurrent-requests': String(state.config.maxConcurrentRequests),
  };
}
