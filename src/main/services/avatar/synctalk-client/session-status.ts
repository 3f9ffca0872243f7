import { err, ok } from '../../../../shared/result.ts';
import type { RapidoError, Result } from '../../../../shared/result.ts';
import type { Logger } from '../../logging/logger.ts';
import type {
  SyncTalkSessionEvents,
  SyncTalkSessionState,
  SyncTalkSessionStats,
} from './session-types.ts';
import { createTypedEmitter } from './typed-emitter.ts';
import type { TypedEmitter } from './typed-emitter.ts';

/** Info lines at most this often (LOGGING rubric: one per lifecycle transition, about 1/s). */
const infoIntervalMs = 1000;

export type SessionCounters = Omit<SyncTalkSessionStats, 'state'>;

/**
 * What every part of a session shares: its state and the events that announce it, the counters
 * behind `stats()`, and the logger with its rate limits. The parts change the state only here.
 */
export interface SessionStatus {
  /** The state as it is now (a function: a read of a property would be narrowed stale by TS). */
  state(): SyncTalkSessionState;
  /** The error behind the latest reconnecting or unavailable state. */
  lastError(): RapidoError | null;
  set(
    next: SyncTalkSessionState,
    extra?: { error?: RapidoError | null; retryInMs?: number; attempt?: number },
  ): void;
  /** Settles once the session is ready or speaking, or unavailable or closed (with why). */
  whenConnected(): Promise<Result<void>>;
  readonly counters: SessionCounters;
  readonly events: TypedEmitter<SyncTalkSessionEvents>;
  readonly log: Logger;
  /** Lifecycle lines at info, but never more than one a second: extras go to debug. */
  lifecycle(message: string, fields?: Record<string, unknown>): void;
  /** Counts a message out of place; warns for the first few, then every hundredth. */
  noteProtocolProblem(message: string): void;
}

export function createSessionStatus(log: Logger): SessionStatus {
  let state: SyncTalkSessionState = 'idle';
  let lastError: RapidoError | null = null;
  let connectWaiters: ((result: Result<void>) => void)[] = [];
  let lastInfoMs = -Infinity;
  const events = createTypedEmitter<SyncTalkSessionEvents>((error) => {
    log.error('A SyncTalk session listener threw', { error });
  });
  const counters: SessionCounters = {
    connections: 0,
    recycles: 0,
    utterancesCompleted: 0,
    utterancesFailed: 0,
    utterancesCancelled: 0,
    utteranceFrames: 0,
    idleFrames: 0,
    chunksSent: 0,
    audioBytesSent: 0,
    protocolProblems: 0,
    lastFps: null,
  };

  function settleConnectWaiters(result: Result<void>) {
    const waiters = connectWaiters;
    connectWaiters = [];
    for (const waiter of waiters) waiter(result);
  }

  function set(
    next: SyncTalkSessionState,
    extra: { error?: RapidoError | null; retryInMs?: number; attempt?: number } = {},
  ) {
    const previous = state;
    if (next === previous && extra.error === undefined) return;
    state = next;
    if (extra.error) lastError = extra.error;
    events.emit('state', {
      state: next,
      previous,
      error: extra.error ?? null,
      retryInMs: extra.retryInMs ?? null,
      attempt: extra.attempt ?? null,
    });
    if (next === 'ready' || next === 'speaking') settleConnectWaiters(ok(undefined));
    if (next === 'unavailable') {
      settleConnectWaiters(
        err('not-available', (extra.error ?? lastError)?.message ?? 'SyncTalk is unavailable.', {
          hint: (extra.error ?? lastError)?.hint,
        }),
      );
    }
    if (next === 'closed') settleConnectWaiters(err('cancelled', 'The avatar session was closed.'));
  }

  return {
    state: () => state,
    lastError: () => lastError,
    set,
    whenConnected: () =>
      new Promise((resolve) => {
        connectWaiters.push(resolve);
      }),
    counters,
    events,
    log,
    lifecycle(message, fields = {}) {
      const nowMs = performance.now();
      if (nowMs - lastInfoMs >= infoIntervalMs) {
        lastInfoMs = nowMs;
        log.info(message, { event_type: 'synctalk_lifecycle', ...fields });
      } else {
        log.debug(message, { event_type: 'synctalk_lifecycle', ...fields });
      }
    },
    noteProtocolProblem(message) {
      counters.protocolProblems += 1;
      if (counters.protocolProblems <= 5 || counters.protocolProblems % 100 === 0) {
        log.warn(message, {
          event_type: 'synctalk_protocol',
          performance_data: { protocolProblems: counters.protocolProblems },
        });
      }
    },
  };
}
