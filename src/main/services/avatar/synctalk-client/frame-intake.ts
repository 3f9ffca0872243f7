import type { RawData } from 'ws';
import { decodeFrameMessage } from '../../../../shared/synctalk/frame-message.ts';
import { frameAudioBytes, frameDurationMs } from './audio-pacing.ts';
import type { Connection, SyncTalkConnection } from './connection.ts';
import { checkFrameSize } from './frame-size.ts';
import type { FrameSize } from './frame-size.ts';
import type { SessionStatus } from './session-status.ts';
import type { SyncTalkFrame } from './session-types.ts';
import type { UtteranceQueue } from './utterance-queue.ts';

/**
 * What comes back on the socket: each message decoded as a FrameMessage; `start_speech` and
 * `end_speech` move the active utterance through its phases; frames are numbered from
 * `start_speech` (frame n is n x 40 ms: the wire has no timestamps), handed to the utterance's
 * `onFrame`, and each one is credit for more audio (the queue's pump). Idle frames between
 * utterances are only counted. Also: the frame rate, and the server's generator ending early.
 */

const fpsWindowMs = 1000;
/**
 * After an end_speech that did not end our audio, how long to wait for the close that usually
 * follows (it carries the server's reason) before deciding the generator stopped silently.
 */
const generatorEndWaitMs = 500;

export interface FrameIntake {
  /** One message from the socket in use (only live sockets' messages get here). */
  onMessage(conn: Connection, data: RawData, isBinary: boolean): void;
  /** Starts a fresh frame-rate window (a socket opened). */
  resetFps(): void;
  /** The tick: closes a frame-rate window once a second and logs it. */
  tickFps(nowMs: number): void;
  /**
   * The tick: an end_speech that did not end our audio, followed by silence, means the generator
   * stopped; the socket is replaced. True when it was.
   */
  checkGeneratorEnd(conn: Connection, nowMs: number): boolean;
}

export function createFrameIntake(options: {
  avatarName: string;
  frameSize: FrameSize | undefined;
  status: SessionStatus;
  connection: SyncTalkConnection;
  queue: UtteranceQueue;
}): FrameIntake {
  const { avatarName, status, connection, queue } = options;
  const { counters, log } = status;
  let frameSize = options.frameSize;
  const fps = createFpsWindow();

  function onMessage(conn: Connection, data: RawData, isBinary: boolean) {
    if (!isBinary) {
      status.noteProtocolProblem('SyncTalk sent a text message; ignored');
      return;
    }
    const decoded = decodeFrameMessage(rawBytes(data));
    if (!decoded.ok) {
      status.noteProtocolProblem(
        `SyncTalk sent a message that is not a FrameMessage: ${decoded.reason}`,
      );
      return;
    }
    connection.answered();
    if (conn.generatorEndedAtMs !== null) {
      resolveGeneratorEnd(conn, 'message');
      if (!connection.isLive(conn)) return;
    }
    const message = decoded.message;
    if (message.start_speech === true) onStartSpeech();
    if (message.video_bytes !== undefined && message.video_bytes.length > 0) {
      if (!onVideo(conn, message.video_bytes, message.audio_bytes)) return;
    }
    if (message.end_speech === true) onEndSpeech(conn);
  }

  function onStartSpeech() {
    const current = queue.active();
    if (current?.phase !== 'awaiting-start') {
      status.noteProtocolProblem('SyncTalk sent start_speech outside an utterance; ignored');
      return;
    }
    const nowMs = performance.now();
    current.phase = 'speaking';
    current.lastProgressMs = nowMs;
    if (!current.cancelled) {
      current.pending.handlers.onStart?.({
        utteranceId: current.pending.id,
        latencyMs: Math.round(nowMs - current.startedMs),
      });
    }
  }

  /** False when the frame ended the session (its size is wrong). */
  function onVideo(conn: Connection, video: Uint8Array, audio: Uint8Array | undefined): boolean {
    const size = checkFrameSize(video.length, frameSize, avatarName);
    if (!size.ok) {
      connection.becomeUnavailable(size.error);
      return false;
    }
    // An inferred square size is then required of every later frame.
    frameSize ??= size.value;
    fps.frames += 1;
    const current = queue.active();
    if (current?.phase !== 'speaking') {
      counters.idleFrames += 1;
      return true;
    }
    const nowMs = performance.now();
    const index = current.framesReceived;
    current.framesReceived += 1;
    current.lastProgressMs = nowMs;
    current.firstFrameMs ??= nowMs;
    counters.utteranceFrames += 1;
    fps.utteranceFrames += 1;
    queue.progressed();
    if (!current.cancelled) {
      if (audio?.length !== frameAudioBytes && !current.audioSizeWarned) {
        current.audioSizeWarned = true;
        log.warn(`SyncTalk frame audio is ${audio?.length ?? 0} bytes, not ${frameAudioBytes}`, {
          event_type: 'synctalk_protocol',
          utterance_id: current.pending.id,
        });
      }
      const frame: SyncTalkFrame = {
        utteranceId: current.pending.id,
        index,
        timeMs: index * frameDurationMs,
        width: size.value.width,
        height: size.value.height,
        // Copies: the decoded fields are views into the socket's buffer.
        rgb: new Uint8Array(video),
        audio: audio === undefined ? new Uint8Array(frameAudioBytes) : new Uint8Array(audio),
      };
      try {
        current.pending.handlers.onFrame(frame);
      } catch (error) {
        log.error('An avatar frame handler threw', { error, utterance_id: current.pending.id });
      }
    }
    // The frame is credit for more audio within the look-ahead.
    if (conn === connection.current()) queue.pump();
    return true;
  }

  function onEndSpeech(conn: Connection) {
    const current = queue.active();
    if (
      current?.phase === 'speaking' &&
      current.endSent &&
      current.framesReceived >= current.pending.expectedFrames
    ) {
      if (current.framesReceived > current.pending.expectedFrames) {
        log.warn(
          `Utterance "${current.pending.id}" got ${current.framesReceived} frames, expected ${current.pending.expectedFrames}`,
          { event_type: 'synctalk_protocol', utterance_id: current.pending.id },
        );
      }
      queue.completeActive('end_speech');
      return;
    }
    // Not the end of our audio: the generator stopped (a close with the server's reason often
    // follows at once), or a stray marker. resolveGeneratorEnd decides, on the next message or
    // after generatorEndWaitMs of silence.
    if (current?.phase === 'speaking') current.phase = 'ending';
    conn.generatorEndedAtMs = performance.now();
  }

  /**
   * Settles an end_speech that did not end our audio. A later message means the generator lives:
   * an utterance whose audio was all sent is complete (short), anything else was a stray marker.
   * Silence means the generator stopped: the socket is replaced.
   */
  function resolveGeneratorEnd(conn: Connection, cause: 'message' | 'silence') {
    conn.generatorEndedAtMs = null;
    const current = queue.active();
    if (cause === 'silence' || (current?.phase === 'ending' && !current.endSent)) {
      recycle(conn);
      return;
    }
    if (current?.phase === 'ending') {
      queue.warnShort(current);
      queue.completeActive('end_speech');
      return;
    }
    status.noteProtocolProblem('SyncTalk sent end_speech outside an utterance; ignored');
  }

  /**
   * Some SyncTalk versions end the stream's generator after `end_of_stream`: a second
   * `end_speech` arrives and the socket never sends another frame. A fresh socket continues; an
   * utterance that got no frame yet is sent again, not failed.
   */
  function recycle(conn: Connection) {
    // Retiring first, so finishing the utterance cannot start the next one on this socket.
    conn.retiring = 'recycle';
    counters.recycles += 1;
    queue.onRecycle();
    status.lifecycle('SyncTalk ended the stream generator; opening a fresh avatar stream', {
      performance_data: { recycles: counters.recycles },
    });
    connection.retire(conn, 'recycle');
  }

  return {
    onMessage,
    resetFps: () => {
      fps.reset(performance.now());
    },
    tickFps(nowMs) {
      const window = fps.close(nowMs);
      if (window === null) return;
      counters.lastFps = window.fps;
      if (window.frames > 0 || queue.active()) {
        log.perf('SyncTalk frames received', {
          event_type: 'synctalk_fps',
          performance_data: window,
        });
      }
    },
    checkGeneratorEnd(conn, nowMs) {
      if (
        conn.generatorEndedAtMs === null ||
        nowMs - conn.generatorEndedAtMs < generatorEndWaitMs
      ) {
        return false;
      }
      resolveGeneratorEnd(conn, 'silence');
      return true;
    },
  };
}

function rawBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/** Frames counted over windows of about a second. */
function createFpsWindow() {
  let startMs = performance.now();
  const counts = {
    frames: 0,
    utteranceFrames: 0,
    reset(nowMs: number) {
      startMs = nowMs;
      counts.frames = 0;
      counts.utteranceFrames = 0;
    },
    /** The window's figures once it is a second long (and a new window starts), else null. */
    close(nowMs: number) {
      const windowMs = nowMs - startMs;
      if (windowMs < fpsWindowMs) return null;
      const figures = {
        fps: Math.round((counts.frames * 1000 * 10) / windowMs) / 10,
        frames: counts.frames,
        utteranceFrames: counts.utteranceFrames,
        windowMs: Math.round(windowMs),
      };
      counts.reset(nowMs);
      return figures;
    },
  };
  return counts;
}
