import type { RawData } from 'ws';
import { decodeFrameMessage } from '../../../../shared/synctalk/frame-message.ts';
import {
  frameAudioBytes,
  frameDurationMs,
  pcmBytesLittleEndian,
  samplesPerFrame,
} from './audio-pacing.ts';
import type { Connection, SyncTalkConnection } from './connection.ts';
import { checkFrameSize } from './frame-size.ts';
import type { FrameSize } from './frame-size.ts';
import type { SessionStatus } from './session-status.ts';
import type { ActiveUtterance, SyncTalkFrame } from './session-types.ts';
import type { UtteranceQueue } from './utterance-queue.ts';

/**
 * What comes back on the socket: each message decoded as a FrameMessage. Frames of the active
 * utterance are put in place by the audio they carry (frame-placement.ts), not by their count
 * from `start_speech`: the real server inserts silent frames, places `start_speech` at a stale
 * frame and `end_speech` before the last frames (issue 15, quirks 2, 4, 5). A place whose own
 * frame never came is held (the previous frame repeated) so frames stay one per 40 ms. Each frame
 * placed is credit for more audio (the queue's pump). `start_speech` only starts the latency
 * clock and lets frames that match nothing be placed in arrival order (a server that does not
 * echo our audio); `end_speech` completes an utterance whose frames are all in, else it waits
 * for the trailing frames. Also: the frame rate.
 */

const fpsWindowMs = 1000;

export interface FrameIntake {
  /** One message from the socket in use (only live sockets' messages get here). */
  onMessage(conn: Connection, data: RawData, isBinary: boolean): void;
  /** Starts a fresh frame-rate window (a socket opened). */
  resetFps(): void;
  /** The tick: closes a frame-rate window once a second and logs it. */
  tickFps(nowMs: number): void;
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
    conn.lastMessageMs = performance.now();
    const message = decoded.message;
    if (message.start_speech === true) onStartSpeech();
    if (message.video_bytes !== undefined && message.video_bytes.length > 0) {
      if (!onVideo(conn, message.video_bytes, message.audio_bytes)) return;
    }
    if (message.end_speech === true) onEndSpeech();
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
    if (!current.cancelled && !current.startAnnounced) {
      current.startAnnounced = true;
      current.pending.handlers.onStart?.({
        utteranceId: current.pending.id,
        latencyMs: Math.round(nowMs - current.startedMs),
      });
    }
    // A later utterance's audio waits for this echo (utterance-queue.ts, audioMayFollowStart).
    if (current.audioHeldSinceMs !== null) queue.pump();
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
    const placement = current ? placeFrame(current, audio) : null;
    if (!current || placement?.kind !== 'placed') {
      counters.idleFrames += 1;
      return true;
    }
    const nowMs = performance.now();
    current.lastProgressMs = nowMs;
    current.firstFrameMs ??= nowMs;
    if (current.stalledAtMs !== null) {
      current.replayGapsMs.push(Math.round(nowMs - current.stalledAtMs));
      current.stalledAtMs = null;
    }
    queue.progressed();
    if (audio?.length !== frameAudioBytes && !current.audioSizeWarned) {
      current.audioSizeWarned = true;
      log.warn(`SyncTalk frame audio is ${audio?.length ?? 0} bytes, not ${frameAudioBytes}`, {
        event_type: 'synctalk_protocol',
        utterance_id: current.pending.id,
      });
    }
    const { index, driftSamples } = placement;
    // A place whose own frame never came (it fell across an inserted silence) holds the frame
    // before or this one, whichever's audio is nearer its time: within 40 ms either way.
    const held = index - current.placer.nextIndex;
    const before = current.lastPlaced;
    for (let gap = current.placer.nextIndex; gap < index; gap += 1) {
      const toThis = Math.abs((index - gap) * samplesPerFrame + driftSamples);
      const toBefore =
        before === null
          ? Infinity
          : Math.abs((gap - before.index) * samplesPerFrame - before.driftSamples);
      deliver(current, gap, before !== null && toBefore < toThis ? before.rgb : video, size.value);
    }
    if (held > 0) current.placer.noteHeld(held);
    deliver(current, index, video, size.value);
    current.lastPlaced = { rgb: video, index, driftSamples };
    counters.utteranceFrames += 1;
    fps.utteranceFrames += 1;
    if (current.placer.complete && current.phase === 'ending') {
      queue.completeActive('end_speech');
      return true;
    }
    // The frame is credit for more audio within the look-ahead.
    if (conn === connection.current()) queue.pump();
    return true;
  }

  /**
   * Before start_speech only frames whose audio is ours are taken (idle frames keep coming);
   * after it, a server that does not echo our audio gets its frames placed in arrival order.
   */
  function placeFrame(current: ActiveUtterance, audio: Uint8Array | undefined) {
    if (current.placer.complete) return null;
    const placement = current.placer.place(audio);
    if (
      placement.kind === 'placed' &&
      placement.by === 'order' &&
      current.phase === 'awaiting-start'
    ) {
      current.placer.stats.byOrder -= 1;
      return null;
    }
    return placement;
  }

  function deliver(current: ActiveUtterance, index: number, rgb: Uint8Array, size: FrameSize) {
    current.placer.fill(index);
    current.framesReceived = current.placer.nextIndex;
    if (current.cancelled) return;
    const frame: SyncTalkFrame = {
      utteranceId: current.pending.id,
      index,
      timeMs: index * frameDurationMs,
      width: size.width,
      height: size.height,
      // Copies: the decoded fields are views into the socket's buffer.
      rgb: new Uint8Array(rgb),
      audio: utteranceFrameAudio(current.pending.pcm, index),
    };
    try {
      current.pending.handlers.onFrame(frame);
    } catch (error) {
      log.error('An avatar frame handler threw', { error, utterance_id: current.pending.id });
    }
  }

  function onEndSpeech() {
    const current = queue.active();
    if (current?.phase === 'awaiting-start' && current.endSent) {
      // start_speech and end_speech together: the audio's frames all come after (quirk 3).
      current.phase = 'ending';
      return;
    }
    if (current?.phase !== 'speaking') {
      status.noteProtocolProblem('SyncTalk sent end_speech outside an utterance; ignored');
      return;
    }
    if (current.placer.complete) {
      queue.completeActive('end_speech');
      return;
    }
    // The server placed end_speech before the last frames (quirk 2): they still come, and are
    // matched to their audio; a stream that falls silent instead is caught as a stall.
    current.phase = 'ending';
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
  };
}

/** The utterance's own 40 ms at `index` (zero-padded past its end), as s16le. */
function utteranceFrameAudio(pcm: Int16Array, index: number): Uint8Array<ArrayBuffer> {
  const out = new Int16Array(samplesPerFrame);
  const start = index * samplesPerFrame;
  out.set(pcm.subarray(Math.min(start, pcm.length), Math.min(start + samplesPerFrame, pcm.length)));
  return new Uint8Array(pcmBytesLittleEndian(out));
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
