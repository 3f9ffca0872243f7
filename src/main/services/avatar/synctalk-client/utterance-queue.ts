import { err, ok } from '../../../../shared/result.ts';
import type { RapidoError, Result } from '../../../../shared/result.ts';
import { chunkPcm, createAudioPacer, frameDurationMs, samplesToMs } from './audio-pacing.ts';
import type { PacingPolicy } from './audio-pacing.ts';
import type { Connection, SyncTalkConnection } from './connection.ts';
import type { SessionStatus } from './session-status.ts';
import type {
  ActiveUtterance,
  PendingUtterance,
  UtteranceStatus,
  UtteranceSummary,
} from './session-types.ts';

/**
 * The utterances of a session: the queue, the one on the socket, what is sent for it (the
 * `start_of_stream` / `end_of_stream` markers and its audio, paced by the frames received), how it
 * ends (completed, failed, cancelled), and which one is sent again on a fresh socket.
 */

const startMarker = new TextEncoder().encode('start_of_stream');
const endMarker = new TextEncoder().encode('end_of_stream');
/** Generator restarts in a row without a frame before the utterance is failed instead. */
const maxRecyclesWithoutProgress = 2;

export interface UtteranceQueue {
  /** The utterance on the socket, if any. */
  active(): ActiveUtterance | null;
  /** Queues an utterance (`start` runs it when the socket is free). */
  enqueue(pending: PendingUtterance): void;
  /** Starts the next queued utterance if the socket is open and free. */
  startNext(): void;
  /** Sends whatever audio the look-ahead allows now, then `end_of_stream` once all is sent. */
  pump(): void;
  /** The active utterance ended (end_speech or grace timeout); the next one starts. */
  completeActive(endedBy: UtteranceSummary['endedBy']): void;
  /** The active utterance failed with `error` (the socket dropped or the session gave up). */
  failActive(error: RapidoError): void;
  /** Fails every queued utterance with `error` (the session gave up). */
  failQueued(error: RapidoError): void;
  /** Cancels the active and every queued utterance (the session closed). */
  cancelAll(): void;
  /** Removes a queued utterance, or drops the rest of the active one's audio. */
  cancel(pending: PendingUtterance): void;
  /**
   * The socket is being replaced because the server's generator ended: the active utterance
   * completes (its audio was all sent), is queued again (no frame yet), or fails.
   */
  onRecycle(): void;
  /** A frame of the active utterance arrived: recycles no longer count as without progress. */
  progressed(): void;
  /** The tick's check of the active utterance: stalled (breaks `conn`) or past its grace. */
  checkProgress(conn: Connection, nowMs: number): void;
  warnShort(current: ActiveUtterance): void;
}

export function createUtteranceQueue(options: {
  pacing: PacingPolicy;
  origin: string;
  stallTimeoutMs: number;
  endSpeechGraceMs: number;
  status: SessionStatus;
  connection: SyncTalkConnection;
}): UtteranceQueue {
  const { pacing, status, connection } = options;
  const { log } = status;
  const queue: PendingUtterance[] = [];
  let active: ActiveUtterance | null = null;
  let recyclesWithoutProgress = 0;
  const { finish, finishActive, finishCancelled } = createOutcomes(status);

  function startNext() {
    const conn = connection.usable();
    if (!conn || active) return;
    const pending = queue.shift();
    if (!pending) {
      if (status.state() === 'speaking') status.set('ready');
      return;
    }
    active = startedUtterance(pending, pacing);
    connection.send(conn, startMarker);
    status.set('speaking');
    status.events.emit('utterance', { utteranceId: pending.id, status: 'started', error: null });
    status.lifecycle(
      `Utterance "${pending.id}" started (${Math.round(samplesToMs(pending.pcm.length))} ms of audio)`,
      { utterance_id: pending.id },
    );
    pump();
  }

  function pump() {
    const conn = connection.usable();
    const current = active;
    if (!conn || !current || current.endSent) return;
    if (current.phase === 'ending') return;
    if (!current.cancelled) {
      sendAllowedAudio(
        current,
        (bytes) => {
          connection.send(conn, bytes);
        },
        status,
      );
      if (!current.pacer.finished) return;
    }
    connection.send(conn, endMarker);
    current.endSent = true;
  }

  function completeActive(endedBy: UtteranceSummary['endedBy']) {
    const current = active;
    if (!current) return;
    active = null;
    const { pending } = current;
    if (current.cancelled) finishCancelled(pending);
    else complete(current, endedBy);
    if (status.state() === 'speaking') status.set('ready');
    startNext();
  }

  function complete(current: ActiveUtterance, endedBy: UtteranceSummary['endedBy']) {
    const summary = summarize(current, endedBy);
    status.lifecycle(
      `Utterance "${summary.utteranceId}" done: ${summary.frames} frames in ${summary.wallMs} ms`,
      {
        utterance_id: summary.utteranceId,
        performance_data: {
          frames: summary.frames,
          wallMs: summary.wallMs,
          firstFrameLatencyMs: summary.firstFrameLatencyMs,
        },
      },
    );
    finish(current.pending, ok(summary), 'completed', null);
  }

  function failActive(error: RapidoError) {
    const current = active;
    if (!current) return;
    active = null;
    finishActive(current, error);
  }

  function warnShort(current: ActiveUtterance) {
    log.warn(
      `Utterance "${current.pending.id}" ended after ${current.framesReceived} of ${current.pending.expectedFrames} frames`,
      { event_type: 'synctalk_protocol', utterance_id: current.pending.id },
    );
  }

  function checkProgress(conn: Connection, nowMs: number) {
    const current = active;
    if (!current) return;
    const verdict = progressVerdict(current, nowMs, options);
    if (verdict === 'stalled') {
      conn.stalledMs = nowMs - current.lastProgressMs;
      log.warn(
        `SyncTalk stalled for ${Math.round(conn.stalledMs)} ms during utterance "${current.pending.id}"`,
        { event_type: 'synctalk_stall' },
      );
      conn.socket.terminate();
    } else if (verdict === 'no-end-speech') {
      log.warn(
        `No end_speech for utterance "${current.pending.id}" ${options.endSpeechGraceMs} ms after its last frame; ending it`,
        { event_type: 'synctalk_protocol' },
      );
      completeActive('grace-timeout');
    }
  }

  return {
    active: () => active,
    enqueue(pending) {
      queue.push(pending);
    },
    startNext,
    pump,
    completeActive,
    failActive,
    failQueued(error) {
      for (const pending of queue.splice(0)) {
        finish(
          pending,
          err(error.code, `Utterance "${pending.id}" was not spoken: ${error.message}`, {
            hint: error.hint,
          }),
          'failed',
          error,
        );
      }
    },
    cancelAll() {
      const current = active;
      active = null;
      if (current) {
        current.cancelled = true;
        finishActive(current, { code: 'cancelled', message: 'The avatar session was closed.' });
      }
      for (const pending of queue.splice(0)) {
        finish(
          pending,
          err(
            'cancelled',
            `Utterance "${pending.id}" was cancelled: the avatar session was closed.`,
          ),
          'cancelled',
          null,
        );
      }
    },
    cancel(pending) {
      const queued = queue.indexOf(pending);
      if (queued >= 0) {
        queue.splice(queued, 1);
        finishCancelled(pending);
        return;
      }
      if (active?.pending === pending && !active.cancelled) {
        // The rest of its audio is dropped; the socket stays in step by waiting for end_speech.
        active.cancelled = true;
        pump();
      }
    },
    onRecycle() {
      recyclesWithoutProgress += 1;
      const current = active;
      if (current?.phase === 'ending' && current.endSent) {
        warnShort(current);
        completeActive('end_speech');
      } else if (current) {
        active = null;
        if (
          current.framesReceived === 0 &&
          !current.cancelled &&
          recyclesWithoutProgress <= maxRecyclesWithoutProgress
        ) {
          queue.unshift(current.pending);
        } else {
          finishActive(current, {
            code: 'not-available',
            message: `The SyncTalk server at ${options.origin} ended the stream's generator during the utterance.`,
          });
        }
      }
    },
    progressed() {
      recyclesWithoutProgress = 0;
    },
    checkProgress,
    warnShort,
  };
}

function startedUtterance(pending: PendingUtterance, pacing: PacingPolicy): ActiveUtterance {
  const nowMs = performance.now();
  return {
    pending,
    phase: 'awaiting-start',
    pacer: createAudioPacer(chunkPcm(pending.pcm, pacing.chunkMs), pacing.lookAheadMs),
    endSent: false,
    cancelled: false,
    framesReceived: 0,
    startedMs: nowMs,
    firstFrameMs: null,
    lastProgressMs: nowMs,
    allFramesAtMs: null,
    chunksSent: 0,
    maxLookAheadMs: 0,
    audioSizeWarned: false,
  };
}

/** Sends the chunks the look-ahead allows now (the frames received are the credit). */
function sendAllowedAudio(
  current: ActiveUtterance,
  send: (bytes: Uint8Array) => void,
  status: SessionStatus,
) {
  const { counters, log } = status;
  const receivedMs = current.framesReceived * frameDurationMs;
  for (const chunk of current.pacer.take(current.framesReceived)) {
    send(chunk.bytes);
    current.chunksSent += 1;
    counters.chunksSent += 1;
    counters.audioBytesSent += chunk.bytes.byteLength;
    const lookAheadMs = chunk.endMs - receivedMs;
    current.maxLookAheadMs = Math.max(current.maxLookAheadMs, lookAheadMs);
    log.perf('SyncTalk audio chunk sent', {
      event_type: 'synctalk_chunk_sent',
      performance_data: {
        utteranceId: current.pending.id,
        chunkIndex: chunk.index,
        bytes: chunk.bytes.byteLength,
        audioMs: chunk.audioMs,
        sendTimeMs: Math.round((performance.now() - current.startedMs) * 10) / 10,
        lookAheadMs,
      },
    });
  }
}

function summarize(
  current: ActiveUtterance,
  endedBy: UtteranceSummary['endedBy'],
): UtteranceSummary {
  const { pending } = current;
  return {
    utteranceId: pending.id,
    frames: current.framesReceived,
    expectedFrames: pending.expectedFrames,
    audioMs: samplesToMs(pending.pcm.length),
    firstFrameLatencyMs:
      current.firstFrameMs === null ? null : Math.round(current.firstFrameMs - current.startedMs),
    wallMs: Math.round(performance.now() - current.startedMs),
    chunksSent: current.chunksSent,
    maxLookAheadMs: current.maxLookAheadMs,
    endedBy,
  };
}

/**
 * `stalled`: no marker or frame for the stall timeout (the socket is broken). `no-end-speech`:
 * every frame came and the audio was all sent, but end_speech has not followed within the grace.
 */
function progressVerdict(
  current: ActiveUtterance,
  nowMs: number,
  limits: { stallTimeoutMs: number; endSpeechGraceMs: number },
): 'stalled' | 'no-end-speech' | null {
  if (nowMs - current.lastProgressMs > limits.stallTimeoutMs) return 'stalled';
  if (
    current.phase === 'speaking' &&
    current.endSent &&
    current.framesReceived >= current.pending.expectedFrames
  ) {
    current.allFramesAtMs ??= nowMs;
    if (nowMs - current.allFramesAtMs > limits.endSpeechGraceMs) return 'no-end-speech';
  }
  return null;
}

/** How utterances end: each settles its `speak` promise once, is counted and announced. */
function createOutcomes(status: SessionStatus) {
  const { counters, log } = status;

  function finishActive(current: ActiveUtterance, error: RapidoError) {
    const { pending } = current;
    if (current.cancelled) {
      finishCancelled(pending);
      return;
    }
    const failure: RapidoError = {
      code: error.code,
      message: `Utterance "${pending.id}" failed after ${current.framesReceived} of ${pending.expectedFrames} frames: ${error.message}`,
      hint: error.hint,
    };
    log.warn(failure.message, {
      event_type: 'synctalk_utterance_failed',
      utterance_id: pending.id,
    });
    finish(pending, { ok: false, error: failure }, 'failed', failure);
  }

  function finishCancelled(pending: PendingUtterance) {
    finish(
      pending,
      err('cancelled', `Utterance "${pending.id}" was cancelled.`),
      'cancelled',
      null,
    );
  }

  function finish(
    pending: PendingUtterance,
    result: Result<UtteranceSummary>,
    outcome: Exclude<UtteranceStatus, 'started'>,
    error: RapidoError | null,
  ) {
    pending.detachAbort();
    if (outcome === 'completed') counters.utterancesCompleted += 1;
    if (outcome === 'failed') counters.utterancesFailed += 1;
    if (outcome === 'cancelled') counters.utterancesCancelled += 1;
    pending.settle(result);
    status.events.emit('utterance', { utteranceId: pending.id, status: outcome, error });
  }

  return { finish, finishActive, finishCancelled };
}
