import { err, ok } from '../../../../shared/result.ts';
import type { RapidoError, Result } from '../../../../shared/result.ts';
import {
  chunkPcm,
  createAudioPacer,
  frameDurationMs,
  padForBatching,
  samplesPerFrame,
  samplesToMs,
} from './audio-pacing.ts';
import type { PacingPolicy } from './audio-pacing.ts';
import type { Connection, SyncTalkConnection } from './connection.ts';
import { createFramePlacer } from './frame-placement.ts';
import type { SessionStatus } from './session-status.ts';
import type {
  ActiveUtterance,
  PendingUtterance,
  UtteranceStatus,
  UtteranceSummary,
} from './session-types.ts';

/**
 * The utterances of a session: the queue, the one on the socket, what is sent for it (the
 * `start_of_stream` / `end_of_stream` markers and its audio, paced by the frames placed), how it
 * ends (completed, failed, cancelled), and replaying it on a fresh socket when the stream stalls.
 *
 * Replay (issue 15, quirk 1): the real server's yield thread can die on a marker and leave the
 * socket open and silent (SyncTalk_2D inference_system/api.py around line 1483 compares a
 * marker's `frame_idx=None`). Once a socket has sent frames, `frameGapMs` of silence while frames
 * are due is taken as that: the socket is replaced and the audio is sent again from a little
 * before the first missing frame (`replayContextFrames`, so the server has the audio context the
 * frame needs); the frames placed already are kept, the repeated ones dropped by their audio.
 */

const startMarker = new TextEncoder().encode('start_of_stream');
const endMarker = new TextEncoder().encode('end_of_stream');
/** Replays in a row without a frame placed before the utterance is failed instead. */
const maxRecyclesWithoutProgress = 2;
/** end_of_stream waits until the first of the last this-many frames is in (the mel look-ahead)... */
const endMarkerHoldFrames = 5;
/**
 * ...or until the frames have stopped coming this long: the server makes its held-back frames
 * once its input has run dry and it pads with silence (the reference's quiet flush is 250 ms), so
 * this must outlast that, and stay below `frameGapMs` (450 ms), which would take the silence for
 * a dead stream first.
 */
const endMarkerHoldMs = 400;
/**
 * How long a later utterance's audio waits for its start_speech (see `audioMayFollowStart`):
 * the server echoes it at once (quirk 4), so this only bounds a server that does not.
 */
const startSpeechWaitMs = 300;
/** Frames of audio resent before the first missing frame on a replay (0.4 s of context). */
const replayContextFrames = 10;

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
  /** A frame of the active utterance was placed: replays no longer count as without progress. */
  progressed(): void;
  /**
   * The tick's check of the active utterance: its stream fell silent (replayed on a fresh
   * socket), stalled for good (breaks `conn`) or is past its end_speech grace.
   */
  checkProgress(conn: Connection, nowMs: number): void;
}

export function createUtteranceQueue(options: {
  pacing: PacingPolicy;
  origin: string;
  stallTimeoutMs: number;
  endSpeechGraceMs: number;
  frameGapMs: number;
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
    const resumed = pending.resumed;
    pending.resumed = null;
    active = resumed ? replayRun(resumed, pacing) : startedUtterance(pending, pacing);
    if (conn.carriedAudio) active.audioHeldSinceMs = performance.now();
    connection.send(conn, startMarker);
    status.set('speaking');
    announceStart(status, active, resumed !== null);
    pump();
  }

  function pump() {
    const conn = connection.usable();
    const current = active;
    if (!conn || !current || current.endSent) return;
    if (current.phase === 'ending') return;
    if (!current.cancelled) {
      if (!audioMayFollowStart(current, performance.now())) return;
      sendAllowedAudio(
        current,
        (bytes) => {
          conn.carriedAudio = true;
          connection.send(conn, bytes);
        },
        status,
      );
      if (!current.pacer.finished) return;
      if (!endMarkerSafe(current, performance.now())) return;
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

  function checkProgress(conn: Connection, nowMs: number) {
    const current = active;
    if (!current) return;
    // A held end_of_stream goes once the stream stops making progress (see endMarkerSafe), and
    // held audio once start_speech has been waited for long enough (see audioMayFollowStart).
    if (!current.endSent && (current.pacer.finished || current.audioHeldSinceMs !== null)) pump();
    const verdict = progressVerdict(current, conn, nowMs, options);
    if (verdict === 'silent') {
      replayActive(conn, nowMs);
    } else if (verdict === 'stalled') {
      breakStalled(conn, current, nowMs, status);
    } else if (verdict === 'no-end-speech') {
      log.warn(
        `No end_speech for utterance "${current.pending.id}" ${options.endSpeechGraceMs} ms after its last frame; ending it`,
        { event_type: 'synctalk_protocol' },
      );
      completeActive('grace-timeout');
    }
  }

  /**
   * The stream fell silent with frames still due: a fresh socket, and the rest of the utterance
   * sent again there (or failed after too many replays without a frame placed).
   */
  function replayActive(conn: Connection, nowMs: number) {
    const current = active;
    if (!current) return;
    // Retiring first, so settling the utterance cannot start the next one on this socket.
    conn.retiring = 'recycle';
    status.counters.recycles += 1;
    recyclesWithoutProgress += 1;
    active = null;
    const silentMs = Math.round(nowMs - (conn.lastMessageMs ?? nowMs));
    if (current.cancelled) {
      finishCancelled(current.pending);
    } else if (recyclesWithoutProgress > maxRecyclesWithoutProgress) {
      finishActive(current, notResumedError(options.origin, silentMs));
    } else {
      current.stalledAtMs = current.stalledAtMs ?? nowMs - silentMs;
      current.pending.resumed = current;
      queue.unshift(current.pending);
    }
    log.warn(
      `SyncTalk stream silent for ${silentMs} ms with ${current.pending.expectedFrames - current.placer.nextIndex} frames of "${current.pending.id}" due; opening a fresh stream`,
      { event_type: 'synctalk_stream_silent', performance_data: { silentMs } },
    );
    connection.retire(conn, 'recycle');
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
    progressed() {
      recyclesWithoutProgress = 0;
    },
    checkProgress,
  };
}

/**
 * Whether a later utterance's audio may go now. Its `start_of_stream` marker is queued behind the
 * frames the server still owes the previous one (the padded tail of a short utterance, the frames
 * after end_speech); audio arriving before the marker is yielded arms a latency test (the socket's
 * input ran dry between utterances), and the marker then kills the stream (api.py ~l.1483,
 * quirk 1). So the audio waits for the marker's echo, start_speech. The first utterance on a
 * socket does not wait: the server yields nothing before real audio, and cannot arm a test yet.
 */
function audioMayFollowStart(current: ActiveUtterance, nowMs: number): boolean {
  if (current.audioHeldSinceMs === null) return true;
  if (current.phase === 'awaiting-start' && nowMs - current.audioHeldSinceMs < startSpeechWaitMs) {
    return false;
  }
  current.audioHeldSinceMs = null;
  return true;
}

/**
 * Whether `end_of_stream` may go now. The real server kills its stream when a marker is yielded
 * while a "latency test" is armed (inference_system/api.py ~l.1483); audio arriving after a pause
 * arms one whose target is the first of the last 5 frames its audio makes (~l.700:
 * `get_max_encodable_frame() + 1`), and the end marker is placed right there, before that frame.
 * So the marker is safe only once that target frame has been yielded, i.e. is in here: then any
 * test our audio armed has been measured. (Waiting for one frame less, as before, left the last
 * paced chunk's test armed: one killed stream in a four-slide lesson.) If the frames stop coming
 * first (a server that does not pad a dry input), it goes after `endMarkerHoldMs` without progress.
 */
function endMarkerSafe(current: ActiveUtterance, nowMs: number): boolean {
  const targetFrame = current.pending.expectedFrames - endMarkerHoldFrames;
  return (
    current.placer.nextIndex > targetFrame || nowMs - current.lastProgressMs >= endMarkerHoldMs
  );
}

/** The first run is announced as started; a replay is only logged. */
function announceStart(status: SessionStatus, current: ActiveUtterance, replay: boolean) {
  const { pending } = current;
  if (replay) {
    status.lifecycle(
      `Utterance "${pending.id}" sent again from frame ${current.runStartFrame} (${current.placer.nextIndex} of ${pending.expectedFrames} frames in)`,
      { utterance_id: pending.id },
    );
    return;
  }
  status.events.emit('utterance', { utteranceId: pending.id, status: 'started', error: null });
  status.lifecycle(
    `Utterance "${pending.id}" started (${Math.round(samplesToMs(pending.pcm.length))} ms of audio)`,
    { utterance_id: pending.id },
  );
}

/** No marker or frame for the stall timeout: the socket is broken (its close fails the utterance). */
function breakStalled(
  conn: Connection,
  current: ActiveUtterance,
  nowMs: number,
  status: SessionStatus,
) {
  conn.stalledMs = nowMs - current.lastProgressMs;
  status.log.warn(
    `SyncTalk stalled for ${Math.round(conn.stalledMs)} ms during utterance "${current.pending.id}"`,
    { event_type: 'synctalk_stall' },
  );
  conn.socket.terminate();
}

function notResumedError(origin: string, silentMs: number): RapidoError {
  return {
    code: 'not-available',
    message: `The SyncTalk server at ${origin} stopped streaming (${silentMs} ms without a frame) and did not resume after ${maxRecyclesWithoutProgress} fresh streams.`,
    hint: "Check the SyncTalk server's log.",
  };
}

function startedUtterance(pending: PendingUtterance, pacing: PacingPolicy): ActiveUtterance {
  const nowMs = performance.now();
  return {
    pending,
    phase: 'awaiting-start',
    pacer: runPacer(pending.pcm, 0, pacing),
    endSent: false,
    audioHeldSinceMs: null,
    cancelled: false,
    framesReceived: 0,
    placer: createFramePlacer(pending.pcm, pending.expectedFrames),
    lastPlaced: null,
    runStartFrame: 0,
    replays: 0,
    replayGapsMs: [],
    stalledAtMs: null,
    startAnnounced: false,
    startedMs: nowMs,
    firstFrameMs: null,
    lastProgressMs: nowMs,
    allFramesAtMs: null,
    chunksSent: 0,
    maxLookAheadMs: 0,
    audioSizeWarned: false,
  };
}

/** A stalled utterance's next run: the rest of its audio, from a little before its first gap. */
function replayRun(previous: ActiveUtterance, pacing: PacingPolicy): ActiveUtterance {
  const runStartFrame = Math.max(0, previous.placer.nextIndex - replayContextFrames);
  return {
    ...previous,
    phase: 'awaiting-start',
    pacer: runPacer(previous.pending.pcm, runStartFrame, pacing),
    endSent: false,
    audioHeldSinceMs: null,
    runStartFrame,
    replays: previous.replays + 1,
    lastProgressMs: performance.now(),
    allFramesAtMs: null,
  };
}

/**
 * A run's audio from frame `fromFrame`, padded with silence when it is too short for the
 * server's batching rule (issue 15, quirk 3: padded frames are dropped by their audio).
 */
function runPacer(pcm: Int16Array, fromFrame: number, pacing: PacingPolicy) {
  const audio = padForBatching(pcm.subarray(fromFrame * samplesPerFrame), pacing.chunkMs);
  return createAudioPacer(chunkPcm(audio, pacing.chunkMs), pacing.lookAheadMs);
}

/** Sends the chunks the look-ahead allows now (the frames placed in this run are the credit). */
function sendAllowedAudio(
  current: ActiveUtterance,
  send: (bytes: Uint8Array) => void,
  status: SessionStatus,
) {
  const { counters, log } = status;
  const credit = Math.max(0, current.placer.nextIndex - current.runStartFrame);
  const receivedMs = credit * frameDurationMs;
  for (const chunk of current.pacer.take(credit)) {
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
        ...(current.replays > 0 ? { replay: current.replays } : {}),
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
    complete:
      current.framesReceived === pending.expectedFrames &&
      current.placer.stats.held === 0 &&
      !current.cancelled,
    placement: { ...current.placer.stats },
    replays: current.replays,
    replayGapsMs: [...current.replayGapsMs],
  };
}

/**
 * `silent`: the socket sent frames, then nothing for `frameGapMs` while this utterance's frames
 * are due (its stream died). `stalled`: no marker or frame for the stall timeout (the socket is
 * broken). `no-end-speech`: every frame came and the audio was all sent, but end_speech has not
 * followed within the grace.
 */
function progressVerdict(
  current: ActiveUtterance,
  conn: Connection,
  nowMs: number,
  limits: { stallTimeoutMs: number; endSpeechGraceMs: number; frameGapMs: number },
): 'silent' | 'stalled' | 'no-end-speech' | null {
  if (
    !current.placer.complete &&
    conn.lastMessageMs !== null &&
    nowMs - conn.lastMessageMs > limits.frameGapMs
  ) {
    return 'silent';
  }
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
