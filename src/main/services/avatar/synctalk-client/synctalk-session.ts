import { err, ok } from '../../../../shared/result.ts';
import type { Result } from '../../../../shared/result.ts';
import {
  defaultPacingPolicy,
  framesForSamples,
  pacingPolicyProblem,
  padToWholeFrames,
} from './audio-pacing.ts';
import type { PacingPolicy } from './audio-pacing.ts';
import { defaultBackoffPolicy } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';
import { createSyncTalkConnection } from './connection.ts';
import { createFrameIntake } from './frame-intake.ts';
import { createSessionStatus } from './session-status.ts';
import type {
  PendingUtterance,
  SpeakOptions,
  SyncTalkSession,
  SyncTalkSessionOptions,
  SyncTalkUtterance,
  UtteranceHandlers,
  UtteranceSummary,
} from './session-types.ts';
import { displayOrigin } from './synctalk-http.ts';
import { createUtteranceQueue } from './utterance-queue.ts';

export { websocketUrl } from './connection.ts';
export type {
  SpeakOptions,
  SyncTalkFrame,
  SyncTalkSession,
  SyncTalkSessionEvents,
  SyncTalkSessionOptions,
  SyncTalkSessionState,
  SyncTalkSessionStats,
  SyncTalkStateChange,
  SyncTalkUtterance,
  SyncTalkUtteranceEvent,
  UtteranceHandlers,
  UtteranceStatus,
  UtteranceSummary,
} from './session-types.ts';

/**
 * One SyncTalk_2D avatar stream, composed of three parts with one job each: the connection
 * (connection.ts: socket, handshake and admission, reconnects, giving up), the utterance queue
 * (utterance-queue.ts: what is sent, the markers, how an utterance ends, resending after a
 * reopen) and the frame intake (frame-intake.ts: decoding, numbering frames, speech start and
 * end, credit for more audio). This module wires them, runs the housekeeping tick and keeps the
 * public API (types in session-types.ts).
 */

/** Often enough that a stream gone silent is recognised within `frameGapMs` + 50 ms. */
const tickIntervalMs = 50;

export function createSyncTalkSession(options: SyncTalkSessionOptions): SyncTalkSession {
  const pacing: PacingPolicy = { ...defaultPacingPolicy, ...options.pacing };
  const pacingProblem = pacingPolicyProblem(pacing);
  if (pacingProblem) throw new RangeError(`SyncTalk pacing: ${pacingProblem}`);
  const backoff: BackoffPolicy = { ...defaultBackoffPolicy, ...options.backoff };
  const origin = displayOrigin(options.serverUrl);
  const status = createSessionStatus(
    options.logger.child(
      'synctalk',
      options.lessonId === undefined ? {} : { lesson_id: options.lessonId },
    ),
  );
  let ticker: ReturnType<typeof setInterval> | null = null;
  let closePromise: Promise<void> | null = null;

  // The hooks run on socket events, after all three parts exist.
  const connection = createSyncTalkConnection({
    session: options,
    backoff,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    loadOnDemand: options.loadOnDemand ?? true,
    random: options.random ?? Math.random,
    status,
    hooks: {
      opened() {
        startTicker();
        queue.startNext();
      },
      message: (conn, data, isBinary) => {
        intake.onMessage(conn, data, isBinary);
      },
      closed: stopTicker,
      dropped: (error) => {
        queue.failActive(error);
      },
      unavailable(error) {
        queue.failActive(error);
        queue.failQueued(error);
      },
    },
  });
  const queue = createUtteranceQueue({
    pacing,
    origin,
    stallTimeoutMs: options.stallTimeoutMs ?? 10_000,
    // Only waited when every frame is in but end_speech is missing (a marker killed it).
    endSpeechGraceMs: options.endSpeechGraceMs ?? 500,
    frameGapMs: options.frameGapMs ?? 450,
    status,
    connection,
  });
  const intake = createFrameIntake({
    avatarName: options.avatarName,
    frameSize: options.frameSize,
    status,
    connection,
    queue,
  });

  function startTicker() {
    if (ticker) return;
    intake.resetFps();
    ticker = setInterval(tick, tickIntervalMs);
    ticker.unref();
  }

  function stopTicker() {
    if (ticker) clearInterval(ticker);
    ticker = null;
  }

  function tick() {
    const nowMs = performance.now();
    intake.tickFps(nowMs);
    const conn = connection.usable();
    if (!conn) return;
    queue.checkProgress(conn, nowMs);
  }

  function unavailableResult(): Result<never> {
    const lastError = status.lastError();
    return err('not-available', lastError?.message ?? 'SyncTalk is unavailable.', {
      hint: lastError?.hint,
    });
  }

  function connect(): Promise<Result<void>> {
    switch (status.state()) {
      case 'ready':
      case 'speaking':
        return Promise.resolve(ok(undefined));
      case 'closed':
        return Promise.resolve(err('cancelled', 'The avatar session was closed.'));
      case 'idle':
      case 'unavailable':
        connection.restartAttempts();
        connection.open();
        break;
      case 'connecting':
      case 'reconnecting':
        break;
    }
    // open() may already have settled (an invalid URL makes the session unavailable).
    const settled = status.state();
    if (settled === 'ready' || settled === 'speaking') return Promise.resolve(ok(undefined));
    if (settled === 'unavailable') return Promise.resolve(unavailableResult());
    return status.whenConnected();
  }

  function speak(
    utterance: SyncTalkUtterance,
    handlers: UtteranceHandlers,
    speakOptions: SpeakOptions = {},
  ): Promise<Result<UtteranceSummary>> {
    const state = status.state();
    if (state === 'closed') {
      return Promise.resolve(err('cancelled', 'The avatar session was closed.'));
    }
    if (state === 'unavailable') {
      const lastError = status.lastError();
      return Promise.resolve(
        err(
          'not-available',
          `The SyncTalk avatar is unavailable: ${lastError?.message ?? 'unknown reason'}`,
          { hint: lastError?.hint },
        ),
      );
    }
    if (speakOptions.signal?.aborted) {
      return Promise.resolve(err('cancelled', `Utterance "${utterance.id}" was cancelled.`));
    }
    if (utterance.pcm.length === 0) {
      return Promise.resolve(ok(emptySummary(utterance.id)));
    }
    return new Promise((resolve) => {
      const pcm = padToWholeFrames(utterance.pcm);
      const { signal } = speakOptions;
      const pending: PendingUtterance = {
        id: utterance.id,
        pcm,
        expectedFrames: framesForSamples(pcm.length),
        handlers,
        signal,
        detachAbort: () => undefined,
        settle: resolve,
        resumed: null,
      };
      if (signal) {
        const onAbort = () => {
          queue.cancel(pending);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        pending.detachAbort = () => {
          signal.removeEventListener('abort', onAbort);
        };
      }
      queue.enqueue(pending);
      if (status.state() === 'idle') connection.open();
      else queue.startNext();
    });
  }

  function close(): Promise<void> {
    if (closePromise) return closePromise;
    connection.stop();
    stopTicker();
    queue.cancelAll();
    status.set('closed');
    status.lifecycle(`Avatar stream on ${origin} closed`);
    closePromise = connection.closeFinally();
    return closePromise;
  }

  return {
    get state() {
      return status.state();
    },
    get lastError() {
      return status.lastError();
    },
    on: (event, listener) => status.events.on(event, listener),
    connect,
    speak,
    close,
    stats: () => ({ state: status.state(), ...status.counters }),
  };
}

/** What speaking no audio at all gives: no frames, complete. */
function emptySummary(utteranceId: string): UtteranceSummary {
  return {
    utteranceId,
    frames: 0,
    expectedFrames: 0,
    audioMs: 0,
    firstFrameLatencyMs: null,
    wallMs: 0,
    chunksSent: 0,
    maxLookAheadMs: 0,
    endedBy: 'empty',
    complete: true,
    placement: {
      byAudio: 0,
      byOrder: 0,
      silentDropped: 0,
      duplicates: 0,
      unmatchedDropped: 0,
      held: 0,
    },
    replays: 0,
    replayGapsMs: [],
  };
}
