import type { RapidoError, Result } from '../../../../shared/result.ts';
import type { Logger } from '../../logging/logger.ts';
import type { AudioPacer, PacingPolicy } from './audio-pacing.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { FramePlacer, PlacementStats } from './frame-placement.ts';
import type { FrameSize } from './frame-size.ts';

/**
 * One SyncTalk_2D avatar stream: a WebSocket that carries any number of utterances, one at a
 * time. Each utterance is framed by `start_of_stream` / `end_of_stream`, its audio paced ahead of
 * real time within a bounded look-ahead; frames are counted from `start_speech` (frame n is
 * n x 40 ms: the wire has no timestamps) until `end_speech`. Idle frames between utterances are
 * expected and only counted. A dropped connection fails the utterance it interrupted, reconnects
 * with backoff and resumes at the next one; after too many failures the session is
 * `unavailable` and the caller switches to the local avatar.
 */
export type SyncTalkSessionState =
  'idle' | 'connecting' | 'ready' | 'speaking' | 'reconnecting' | 'unavailable' | 'closed';

export interface SyncTalkStateChange {
  state: SyncTalkSessionState;
  previous: SyncTalkSessionState;
  /** Why, for reconnecting and unavailable. */
  error: RapidoError | null;
  /** For reconnecting: the delay before the next attempt and its number (1-based). */
  retryInMs: number | null;
  attempt: number | null;
}

export type UtteranceStatus = 'started' | 'completed' | 'failed' | 'cancelled';

export interface SyncTalkUtteranceEvent {
  utteranceId: string;
  status: UtteranceStatus;
  error: RapidoError | null;
}

export interface SyncTalkSessionEvents {
  state: SyncTalkStateChange;
  utterance: SyncTalkUtteranceEvent;
}

export interface SyncTalkUtterance {
  id: string;
  /** 16 kHz mono. */
  pcm: Int16Array;
}

/**
 * One avatar frame and the 40 ms of audio it shows; both buffers are its own (transferable).
 * Frames come in index order, one per 40 ms of the utterance: each is placed by the audio it was
 * made from (frame-placement.ts), so `audio` is the utterance's own samples at `timeMs`.
 */
export interface SyncTalkFrame {
  utteranceId: string;
  index: number;
  /** index x 40 ms from the utterance's first sample. */
  timeMs: number;
  width: number;
  height: number;
  /** RGB24, row-major, width x height x 3 bytes. */
  rgb: Uint8Array<ArrayBuffer>;
  /** 640 samples of 16 kHz mono s16le (1280 bytes). */
  audio: Uint8Array<ArrayBuffer>;
}

export interface UtteranceHandlers {
  onFrame(frame: SyncTalkFrame): void;
  /** `start_speech` arrived; `latencyMs` since `start_of_stream` was sent. */
  onStart?(info: { utteranceId: string; latencyMs: number }): void;
}

export interface UtteranceSummary {
  utteranceId: string;
  frames: number;
  /** Frames the audio called for: its length padded to 40 ms, / 40 ms. */
  expectedFrames: number;
  audioMs: number;
  /** From `start_of_stream` sent to the first frame, or null when none came. */
  firstFrameLatencyMs: number | null;
  /** From `start_of_stream` sent to the end of the utterance. */
  wallMs: number;
  chunksSent: number;
  /** The largest audio time sent beyond the frames received. */
  maxLookAheadMs: number;
  /** `grace-timeout` when `end_speech` never came after the last expected frame. */
  endedBy: 'end_speech' | 'grace-timeout' | 'empty';
  /**
   * Every frame is the server's own frame for its 40 ms (none held, none missing): only such a
   * segment may be cached.
   */
  complete: boolean;
  /** How the frames were put in place (see frame-placement.ts). */
  placement: PlacementStats;
  /** Times the stream stalled during the utterance and the rest of it was sent again. */
  replays: number;
  /** Per replay: from the last frame before the stall to the next frame placed, in ms. */
  replayGapsMs: number[];
}

export interface SpeakOptions {
  signal?: AbortSignal;
}

export interface SyncTalkSessionStats {
  state: SyncTalkSessionState;
  /** Sockets opened (the first and every reconnection). */
  connections: number;
  /** Sockets replaced because the stream stalled (or its generator ended) mid-utterance. */
  recycles: number;
  utterancesCompleted: number;
  utterancesFailed: number;
  utterancesCancelled: number;
  utteranceFrames: number;
  idleFrames: number;
  chunksSent: number;
  audioBytesSent: number;
  /** Messages that could not be decoded, text frames and markers out of place. */
  protocolProblems: number;
  /** Frames per second over the last full second, or null before one. */
  lastFps: number | null;
}

export interface SyncTalkSession {
  readonly state: SyncTalkSessionState;
  /** The error behind the latest reconnecting or unavailable state. */
  readonly lastError: RapidoError | null;
  on<K extends keyof SyncTalkSessionEvents>(
    event: K,
    listener: (payload: SyncTalkSessionEvents[K]) => void,
  ): () => void;
  /** Opens the stream (speak does too); settles once ready, or unavailable/closed with why. */
  connect(): Promise<Result<void>>;
  /**
   * Queues an utterance; settles when its `end_speech` arrives (ok), or when it fails or is
   * cancelled. Never throws.
   */
  speak(
    utterance: SyncTalkUtterance,
    handlers: UtteranceHandlers,
    options?: SpeakOptions,
  ): Promise<Result<UtteranceSummary>>;
  /** Ends the session: pending utterances are cancelled and the socket closed. Idempotent. */
  close(): Promise<void>;
  stats(): SyncTalkSessionStats;
}

export interface SyncTalkSessionOptions {
  /** http(s)://host:port of the SyncTalk server (ws:// and wss:// also accepted). */
  serverUrl: string;
  avatarName: string;
  /** The avatar's folder name on the server, when known (see avatar-readiness.ts). */
  folderName?: string;
  /** The avatar's frame size; without it only square frames are accepted. */
  frameSize?: FrameSize;
  logger: Logger;
  lessonId?: string;
  pacing?: Partial<PacingPolicy>;
  backoff?: Partial<BackoffPolicy>;
  /** Limit for the WebSocket handshake. */
  connectTimeoutMs?: number;
  /** An utterance that makes no progress (no marker, no frame) this long breaks the socket. */
  stallTimeoutMs?: number;
  /**
   * Once a socket has sent a frame, silence this long while an utterance's frames are still due
   * means the server's stream died (issue 15, quirk 1): the socket is replaced and the rest of
   * the utterance sent again. Default 450 (the check runs every 50 ms: recognised within 500).
   */
  frameGapMs?: number;
  /** After the last expected frame, how long to wait for `end_speech` before ending anyway. */
  endSpeechGraceMs?: number;
  /** When admission fails for want of a loaded model, load the avatar and retry once. */
  loadOnDemand?: boolean;
  loadTimeoutMs?: number;
  /** [0, 1); replaceable so tests can fix the jitter. */
  random?: () => number;
}

// ---- shared by the session's parts (not exported from synctalk-session.ts) ----------------------

/** An utterance waiting its turn, or running: what `speak` was given and how to settle it. */
export interface PendingUtterance {
  id: string;
  pcm: Int16Array;
  expectedFrames: number;
  handlers: UtteranceHandlers;
  signal: AbortSignal | undefined;
  detachAbort: () => void;
  settle: (result: Result<UtteranceSummary>) => void;
  /** Set when a stalled run is queued again: the frames placed so far carry over. */
  resumed: ActiveUtterance | null;
}

/**
 * The utterance on the socket. The utterance queue creates it and decides when it ends; the frame
 * intake numbers its frames and moves it through its phases.
 */
export interface ActiveUtterance {
  pending: PendingUtterance;
  /** `ending`: end_speech came before all our audio's frames; the rest still comes (quirk 2). */
  phase: 'awaiting-start' | 'speaking' | 'ending';
  /** This run's audio (from `runStartFrame`), chunked; credit is frames placed in this run. */
  pacer: AudioPacer;
  endSent: boolean;
  /**
   * Audio waits for start_speech since then (a socket that has carried audio before, see
   * `audioMayFollowStart` in utterance-queue.ts), or null once it may go.
   */
  audioHeldSinceMs: number | null;
  cancelled: boolean;
  /** Frames delivered (placed or held), in order: = placer.nextIndex. */
  framesReceived: number;
  placer: FramePlacer;
  /**
   * The last frame placed (its place and how far its audio is from it, in samples): a place
   * whose own frame never came holds it or the next one, whichever's lips are nearer.
   */
  lastPlaced: { rgb: Uint8Array; index: number; driftSamples: number } | null;
  /** The utterance frame this run's audio starts at (0, or a little before a stall on replay). */
  runStartFrame: number;
  /** Runs after the first (stalls), and the gap each one cost. */
  replays: number;
  replayGapsMs: number[];
  /** When the stream stalled, while its replay waits for its next frame. */
  stalledAtMs: number | null;
  startAnnounced: boolean;
  startedMs: number;
  firstFrameMs: number | null;
  lastProgressMs: number;
  allFramesAtMs: number | null;
  chunksSent: number;
  maxLookAheadMs: number;
  audioSizeWarned: boolean;
}
