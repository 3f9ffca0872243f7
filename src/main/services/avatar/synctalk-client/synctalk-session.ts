import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import { err, ok } from '../../../../shared/result.ts';
import type { RapidoError, Result } from '../../../../shared/result.ts';
import { decodeFrameMessage } from '../../../../shared/synctalk/frame-message.ts';
import type { Logger } from '../../logging/logger.ts';
import { diagnoseAdmission } from './admission.ts';
import {
  chunkPcm,
  createAudioPacer,
  defaultPacingPolicy,
  frameAudioBytes,
  frameDurationMs,
  framesForSamples,
  pacingPolicyProblem,
  padToWholeFrames,
  samplesToMs,
} from './audio-pacing.ts';
import type { AudioPacer, PacingPolicy } from './audio-pacing.ts';
import { backoffDelayMs, defaultBackoffPolicy } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';
import { checkFrameSize } from './frame-size.ts';
import type { FrameSize } from './frame-size.ts';
import {
  displayOrigin,
  ensureAvatarLoaded,
  getStatus,
  invalidServerUrlError,
  listModels,
  serverUrl,
  systemErrorCode,
  unreachableError,
} from './synctalk-http.ts';
import { createTypedEmitter } from './typed-emitter.ts';

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

/** One avatar frame and the 40 ms of audio it shows; both buffers are its own (transferable). */
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
}

export interface SpeakOptions {
  signal?: AbortSignal;
}

export interface SyncTalkSessionStats {
  state: SyncTalkSessionState;
  /** Sockets opened (the first and every reconnection). */
  connections: number;
  /** Sockets replaced because the server's generator had ended (see `recycle`). */
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
  /** After the last expected frame, how long to wait for `end_speech` before ending anyway. */
  endSpeechGraceMs?: number;
  /** When admission fails for want of a loaded model, load the avatar and retry once. */
  loadOnDemand?: boolean;
  loadTimeoutMs?: number;
  /** [0, 1); replaceable so tests can fix the jitter. */
  random?: () => number;
}

const startMarker = new TextEncoder().encode('start_of_stream');
const endMarker = new TextEncoder().encode('end_of_stream');
const tickIntervalMs = 250;
const fpsWindowMs = 1000;
/** Info lines at most this often (LOGGING rubric: one per lifecycle transition, about 1/s). */
const infoIntervalMs = 1000;
/** Generator restarts in a row without a frame before the utterance is failed instead. */
const maxRecyclesWithoutProgress = 2;
/**
 * After an end_speech that did not end our audio, how long to wait for the close that usually
 * follows (it carries the server's reason) before deciding the generator stopped silently.
 */
const generatorEndWaitMs = 500;

export function websocketUrl(baseUrl: string, avatarName: string): string | null {
  const url = serverUrl(baseUrl, 'ws/audio_to_video');
  if (!url) return null;
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('avatar_name', avatarName);
  url.searchParams.set('sample_rate', '16000');
  return url.href;
}

interface PendingUtterance {
  id: string;
  pcm: Int16Array;
  expectedFrames: number;
  handlers: UtteranceHandlers;
  signal: AbortSignal | undefined;
  detachAbort: () => void;
  settle: (result: Result<UtteranceSummary>) => void;
}

interface ActiveUtterance {
  pending: PendingUtterance;
  /** `ending`: an end_speech came before all our audio's frames; waiting to see why. */
  phase: 'awaiting-start' | 'speaking' | 'ending';
  pacer: AudioPacer;
  endSent: boolean;
  cancelled: boolean;
  framesReceived: number;
  startedMs: number;
  firstFrameMs: number | null;
  lastProgressMs: number;
  allFramesAtMs: number | null;
  chunksSent: number;
  maxLookAheadMs: number;
  audioSizeWarned: boolean;
}

interface Connection {
  socket: WebSocket;
  opened: boolean;
  /** Set when the upgrade was answered with an HTTP status instead of 101. */
  httpStatus: number | null;
  socketError: Error | null;
  /** Closed by us: its close event must not count as a failure. */
  retiring: 'recycle' | 'final' | null;
  stalledMs: number | null;
  /** When an end_speech arrived that did not end our audio: the server's generator may be gone. */
  generatorEndedAtMs: number | null;
}

export function createSyncTalkSession(options: SyncTalkSessionOptions): SyncTalkSession {
  const pacing: PacingPolicy = { ...defaultPacingPolicy, ...options.pacing };
  const pacingProblem = pacingPolicyProblem(pacing);
  if (pacingProblem) throw new RangeError(`SyncTalk pacing: ${pacingProblem}`);
  const backoff: BackoffPolicy = { ...defaultBackoffPolicy, ...options.backoff };
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const stallTimeoutMs = options.stallTimeoutMs ?? 10_000;
  const endSpeechGraceMs = options.endSpeechGraceMs ?? 2000;
  const loadOnDemand = options.loadOnDemand ?? true;
  const random = options.random ?? Math.random;
  const { avatarName } = options;
  const origin = displayOrigin(options.serverUrl);
  const url = websocketUrl(options.serverUrl, avatarName);
  const log = options.logger.child(
    'synctalk',
    options.lessonId === undefined ? {} : { lesson_id: options.lessonId },
  );
  const emitter = createTypedEmitter<SyncTalkSessionEvents>((error) => {
    log.error('A SyncTalk session listener threw', { error });
  });

  let state: SyncTalkSessionState = 'idle';
  let lastError: RapidoError | null = null;
  let connection: Connection | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let ticker: ReturnType<typeof setInterval> | null = null;
  /** Failed attempts since a socket last delivered a message. */
  let failures = 0;
  /** One on-demand load per run of failures, so a server that keeps refusing is not reloaded. */
  let loadTried = false;
  let recyclesWithoutProgress = 0;
  let frameSize: FrameSize | undefined = options.frameSize;
  const queue: PendingUtterance[] = [];
  let active: ActiveUtterance | null = null;
  let connectWaiters: ((result: Result<void>) => void)[] = [];
  let closePromise: Promise<void> | null = null;
  /** Aborted by close(): stops the HTTP look-ups and loads the session started. */
  const lifetime = new AbortController();
  let lastInfoMs = -Infinity;
  let fpsWindowStartMs = performance.now();
  let fpsWindowFrames = 0;
  let fpsWindowUtteranceFrames = 0;
  const counters: Omit<SyncTalkSessionStats, 'state'> = {
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

  /** The state as it is now: a plain read of `state` after a call would be narrowed stale by TS. */
  function currentState(): SyncTalkSessionState {
    return state;
  }

  /** Lifecycle lines at info, but never more than one a second: extras go to debug. */
  function lifecycle(message: string, fields: Record<string, unknown> = {}) {
    const nowMs = performance.now();
    if (nowMs - lastInfoMs >= infoIntervalMs) {
      lastInfoMs = nowMs;
      log.info(message, { event_type: 'synctalk_lifecycle', ...fields });
    } else {
      log.debug(message, { event_type: 'synctalk_lifecycle', ...fields });
    }
  }

  function setState(
    next: SyncTalkSessionState,
    extra: { error?: RapidoError | null; retryInMs?: number; attempt?: number } = {},
  ) {
    const previous = state;
    if (next === previous && extra.error === undefined) return;
    state = next;
    if (extra.error) lastError = extra.error;
    emitter.emit('state', {
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

  function settleConnectWaiters(result: Result<void>) {
    const waiters = connectWaiters;
    connectWaiters = [];
    for (const waiter of waiters) waiter(result);
  }

  /** The socket in use and not being closed by us (a function: TS would keep a stale narrowing). */
  function isLive(conn: Connection): boolean {
    return conn === connection && conn.retiring === null;
  }

  // ---- connection -------------------------------------------------------------------------------

  function openConnection() {
    retryTimer = null;
    if (state === 'closed') return;
    if (url === null) {
      becomeUnavailable(invalidServerUrlError(options.serverUrl));
      return;
    }
    if (state !== 'reconnecting') setState('connecting');
    const socket = new WebSocket(url, {
      handshakeTimeout: connectTimeoutMs,
      // Raw RGB on a LAN: compressing 25 frames a second costs more than it saves.
      perMessageDeflate: false,
    });
    const conn: Connection = {
      socket,
      opened: false,
      httpStatus: null,
      socketError: null,
      retiring: null,
      stalledMs: null,
      generatorEndedAtMs: null,
    };
    connection = conn;
    socket.on('unexpected-response', (_request, response) => {
      conn.httpStatus = response.statusCode ?? 0;
      response.resume();
      socket.terminate();
    });
    socket.on('open', () => {
      onOpen(conn);
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      onMessage(conn, data, isBinary);
    });
    socket.on('error', (error: Error) => {
      conn.socketError = error;
    });
    socket.on('close', (code: number, reason: Buffer) => {
      onClose(conn, code, reason.toString('utf8'));
    });
  }

  function onOpen(conn: Connection) {
    if (conn !== connection || conn.retiring) return;
    conn.opened = true;
    counters.connections += 1;
    // `failures` resets on the first message, not here: a server that accepts and closes at
    // once must still run out of attempts.
    loadTried = false;
    startTicker();
    lifecycle(
      counters.connections === 1
        ? `Avatar stream open on ${origin} (avatar "${avatarName}")`
        : `Avatar stream reopened on ${origin} (connection ${counters.connections})`,
      { performance_data: { connection: counters.connections } },
    );
    setState('ready');
    startNext();
  }

  function onClose(conn: Connection, code: number, reason: string) {
    if (conn !== connection) return;
    connection = null;
    stopTicker();
    if (state === 'closed') return;
    if (conn.retiring === 'final') return;
    if (conn.retiring === 'recycle') {
      openConnection();
      return;
    }
    if (!conn.opened) {
      if (conn.httpStatus !== null) {
        void handleRefusal(conn.httpStatus);
        return;
      }
      const detail = conn.socketError?.message ?? `closed with code ${code}`;
      const error = /handshake has timed out/i.test(detail)
        ? {
            code: 'not-available' as const,
            message: `The SyncTalk server at ${origin} did not accept the avatar stream within ${Math.round(connectTimeoutMs / 1000)} s.`,
            hint: 'Is it overloaded? Check SYNCTALK_SERVER_URL / the avatar settings.',
          }
        : unreachableError(options.serverUrl, systemErrorCode(conn.socketError), detail);
      retryLater(error);
      return;
    }
    const error = dropError(conn, code, reason);
    failActive(error);
    retryLater(error);
  }

  function dropError(conn: Connection, code: number, reason: string): RapidoError {
    if (conn.stalledMs !== null) {
      return {
        code: 'not-available',
        message: `The SyncTalk server at ${origin} sent nothing for the utterance in ${Math.round(conn.stalledMs / 1000)} s, so the stream was reopened.`,
        hint: "Check the SyncTalk server's load and log.",
      };
    }
    if (code === 1011) {
      return {
        code: 'not-available',
        message: `The SyncTalk server at ${origin} closed the avatar stream with an error: ${reason || 'no reason given'}.`,
        hint: "Check the SyncTalk server's log.",
      };
    }
    if (code === 1012) {
      return {
        code: 'not-available',
        message: `The SyncTalk server at ${origin} is restarting (code 1012${reason ? `: ${reason}` : ''}).`,
      };
    }
    if (code === 1000 || code === 1001 || code === 1008) {
      return {
        code: 'not-available',
        message: `The SyncTalk server at ${origin} closed the avatar stream (code ${code}${reason ? `: ${reason}` : ''}).`,
      };
    }
    return {
      code: 'not-available',
      message: `The connection to the SyncTalk server at ${origin} dropped (code ${code}${conn.socketError ? `: ${conn.socketError.message}` : ''}).`,
      hint: 'Check the network and the server.',
    };
  }

  async function handleRefusal(httpStatus: number) {
    const [status, models] = await Promise.all([
      getStatus(options.serverUrl, { timeoutMs: 3000, signal: lifetime.signal }),
      listModels(options.serverUrl, { timeoutMs: 3000, signal: lifetime.signal }),
    ]);
    if (currentState() === 'closed') return;
    const diagnosis = diagnoseAdmission({
      baseUrl: options.serverUrl,
      avatarName,
      folderName: options.folderName,
      httpStatus,
      status,
      models,
    });
    log.warn(diagnosis.error.message, {
      event_type: 'synctalk_admission_refused',
      refusal: diagnosis.refusal,
    });
    if (diagnosis.remedy === 'give-up') {
      becomeUnavailable(diagnosis.error);
      return;
    }
    if (diagnosis.remedy === 'load' && loadOnDemand && !loadTried) {
      loadTried = true;
      const loaded = await ensureAvatarLoaded(
        options.serverUrl,
        avatarName,
        (progress) => {
          lifecycle(progress.message, {
            event_type: 'synctalk_avatar_load',
            phase: progress.phase,
          });
        },
        {
          folderName: options.folderName,
          timeoutMs: options.loadTimeoutMs,
          signal: lifetime.signal,
        },
      );
      if (currentState() === 'closed') return;
      if (!loaded.ok) {
        becomeUnavailable(loaded.error);
        return;
      }
      openConnection();
      return;
    }
    retryLater(diagnosis.error);
  }

  function retryLater(error: RapidoError) {
    if (state === 'closed') return;
    if (failures >= backoff.maxAttempts) {
      becomeUnavailable({
        ...error,
        message: `${error.message} Gave up after ${failures} attempts to reconnect.`,
      });
      return;
    }
    const delayMs = backoffDelayMs(failures, backoff, random);
    failures += 1;
    log.warn(
      `SyncTalk stream unavailable, retry ${failures} of ${backoff.maxAttempts} in ${delayMs} ms: ${error.message}`,
      {
        event_type: 'synctalk_reconnect',
        performance_data: { attempt: failures, delayMs },
      },
    );
    setState('reconnecting', { error, retryInMs: delayMs, attempt: failures });
    retryTimer = setTimeout(openConnection, delayMs);
  }

  function becomeUnavailable(error: RapidoError) {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    failActive(error);
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
    log.error(`SyncTalk avatar unavailable: ${error.message}`, {
      event_type: 'synctalk_unavailable',
      hint: error.hint,
    });
    if (connection) retire(connection, 'final');
    setState('unavailable', { error });
  }

  /** Closes a socket on purpose; `recycle` opens a fresh one once it has closed. */
  function retire(conn: Connection, why: 'recycle' | 'final') {
    conn.retiring = why;
    if (conn.socket.readyState === WebSocket.OPEN) {
      conn.socket.close(1000, why === 'recycle' ? 'reopening' : 'done');
      // A server that never answers the close handshake must not hold the next socket back.
      setTimeout(() => {
        conn.socket.terminate();
      }, 1000).unref();
    } else {
      conn.socket.terminate();
    }
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
          message: `The SyncTalk server at ${origin} ended the stream's generator during the utterance.`,
        });
      }
    }
    lifecycle('SyncTalk ended the stream generator; opening a fresh avatar stream', {
      performance_data: { recycles: counters.recycles },
    });
    retire(conn, 'recycle');
  }

  /**
   * Settles an end_speech that did not end our audio. A later message means the generator lives:
   * an utterance whose audio was all sent is complete (short), anything else was a stray marker.
   * Silence means the generator stopped: the socket is replaced.
   */
  function resolveGeneratorEnd(conn: Connection, cause: 'message' | 'silence') {
    conn.generatorEndedAtMs = null;
    const current = active;
    if (cause === 'silence' || (current?.phase === 'ending' && !current.endSent)) {
      recycle(conn);
      return;
    }
    if (current?.phase === 'ending') {
      warnShort(current);
      completeActive('end_speech');
      return;
    }
    noteProtocolProblem('SyncTalk sent end_speech outside an utterance; ignored');
  }

  function warnShort(current: ActiveUtterance) {
    log.warn(
      `Utterance "${current.pending.id}" ended after ${current.framesReceived} of ${current.pending.expectedFrames} frames`,
      { event_type: 'synctalk_protocol', utterance_id: current.pending.id },
    );
  }

  // ---- utterances -------------------------------------------------------------------------------

  function startNext() {
    const conn = connection;
    if (!conn?.opened || conn.retiring || active) return;
    const pending = queue.shift();
    if (!pending) {
      if (state === 'speaking') setState('ready');
      return;
    }
    const nowMs = performance.now();
    active = {
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
    send(conn, startMarker);
    setState('speaking');
    emitter.emit('utterance', { utteranceId: pending.id, status: 'started', error: null });
    lifecycle(
      `Utterance "${pending.id}" started (${Math.round(samplesToMs(pending.pcm.length))} ms of audio)`,
      {
        utterance_id: pending.id,
      },
    );
    pump();
  }

  /** Sends whatever audio the look-ahead allows now, then `end_of_stream` once all is sent. */
  function pump() {
    const conn = connection;
    const current = active;
    if (!conn?.opened || conn.retiring || !current || current.endSent) return;
    if (current.phase === 'ending') return;
    if (!current.cancelled) {
      const receivedMs = current.framesReceived * frameDurationMs;
      for (const chunk of current.pacer.take(current.framesReceived)) {
        send(conn, chunk.bytes);
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
      if (!current.pacer.finished) return;
    }
    send(conn, endMarker);
    current.endSent = true;
  }

  function send(conn: Connection, bytes: Uint8Array) {
    // Binary only: a text frame breaks SyncTalk's session.
    conn.socket.send(bytes, { binary: true }, (error) => {
      if (error) conn.socketError ??= error;
    });
  }

  function onMessage(conn: Connection, data: RawData, isBinary: boolean) {
    if (conn !== connection || conn.retiring) return;
    if (!isBinary) {
      noteProtocolProblem('SyncTalk sent a text message; ignored');
      return;
    }
    const decoded = decodeFrameMessage(rawBytes(data));
    if (!decoded.ok) {
      noteProtocolProblem(`SyncTalk sent a message that is not a FrameMessage: ${decoded.reason}`);
      return;
    }
    failures = 0;
    if (conn.generatorEndedAtMs !== null) {
      resolveGeneratorEnd(conn, 'message');
      if (!isLive(conn)) return;
    }
    const message = decoded.message;
    if (message.start_speech === true) onStartSpeech();
    if (message.video_bytes !== undefined && message.video_bytes.length > 0) {
      if (!onVideo(conn, message.video_bytes, message.audio_bytes)) return;
    }
    if (message.end_speech === true) onEndSpeech(conn);
  }

  function onStartSpeech() {
    const current = active;
    if (current?.phase !== 'awaiting-start') {
      noteProtocolProblem('SyncTalk sent start_speech outside an utterance; ignored');
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
      becomeUnavailable(size.error);
      return false;
    }
    // An inferred square size is then required of every later frame.
    frameSize ??= size.value;
    fpsWindowFrames += 1;
    const current = active;
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
    fpsWindowUtteranceFrames += 1;
    recyclesWithoutProgress = 0;
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
    if (conn === connection) pump();
    return true;
  }

  function onEndSpeech(conn: Connection) {
    const current = active;
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
      completeActive('end_speech');
      return;
    }
    // Not the end of our audio: the generator stopped (a close with the server's reason often
    // follows at once), or a stray marker. resolveGeneratorEnd decides, on the next message or
    // after generatorEndWaitMs of silence.
    if (current?.phase === 'speaking') current.phase = 'ending';
    conn.generatorEndedAtMs = performance.now();
  }

  function completeActive(endedBy: UtteranceSummary['endedBy']) {
    const current = active;
    if (!current) return;
    active = null;
    const nowMs = performance.now();
    const { pending } = current;
    if (current.cancelled) {
      finishCancelled(pending);
    } else {
      const summary: UtteranceSummary = {
        utteranceId: pending.id,
        frames: current.framesReceived,
        expectedFrames: pending.expectedFrames,
        audioMs: samplesToMs(pending.pcm.length),
        firstFrameLatencyMs:
          current.firstFrameMs === null
            ? null
            : Math.round(current.firstFrameMs - current.startedMs),
        wallMs: Math.round(nowMs - current.startedMs),
        chunksSent: current.chunksSent,
        maxLookAheadMs: current.maxLookAheadMs,
        endedBy,
      };
      lifecycle(
        `Utterance "${pending.id}" done: ${summary.frames} frames in ${summary.wallMs} ms`,
        {
          utterance_id: pending.id,
          performance_data: {
            frames: summary.frames,
            wallMs: summary.wallMs,
            firstFrameLatencyMs: summary.firstFrameLatencyMs,
          },
        },
      );
      finish(pending, ok(summary), 'completed', null);
    }
    if (state === 'speaking') setState('ready');
    startNext();
  }

  function failActive(error: RapidoError) {
    const current = active;
    if (!current) return;
    active = null;
    finishActive(current, error);
  }

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
    status: Exclude<UtteranceStatus, 'started'>,
    error: RapidoError | null,
  ) {
    pending.detachAbort();
    if (status === 'completed') counters.utterancesCompleted += 1;
    if (status === 'failed') counters.utterancesFailed += 1;
    if (status === 'cancelled') counters.utterancesCancelled += 1;
    pending.settle(result);
    emitter.emit('utterance', { utteranceId: pending.id, status, error });
  }

  function cancel(pending: PendingUtterance) {
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
  }

  function noteProtocolProblem(message: string) {
    counters.protocolProblems += 1;
    if (counters.protocolProblems <= 5 || counters.protocolProblems % 100 === 0) {
      log.warn(message, {
        event_type: 'synctalk_protocol',
        performance_data: { protocolProblems: counters.protocolProblems },
      });
    }
  }

  // ---- housekeeping -----------------------------------------------------------------------------

  function startTicker() {
    if (ticker) return;
    fpsWindowStartMs = performance.now();
    fpsWindowFrames = 0;
    fpsWindowUtteranceFrames = 0;
    ticker = setInterval(tick, tickIntervalMs);
    ticker.unref();
  }

  function stopTicker() {
    if (ticker) clearInterval(ticker);
    ticker = null;
  }

  function tick() {
    const nowMs = performance.now();
    const windowMs = nowMs - fpsWindowStartMs;
    if (windowMs >= fpsWindowMs) {
      const fps = Math.round((fpsWindowFrames * 1000 * 10) / windowMs) / 10;
      counters.lastFps = fps;
      if (fpsWindowFrames > 0 || active) {
        log.perf('SyncTalk frames received', {
          event_type: 'synctalk_fps',
          performance_data: {
            fps,
            frames: fpsWindowFrames,
            utteranceFrames: fpsWindowUtteranceFrames,
            windowMs: Math.round(windowMs),
          },
        });
      }
      fpsWindowStartMs = nowMs;
      fpsWindowFrames = 0;
      fpsWindowUtteranceFrames = 0;
    }
    const conn = connection;
    if (!conn?.opened || conn.retiring) return;
    if (conn.generatorEndedAtMs !== null && nowMs - conn.generatorEndedAtMs >= generatorEndWaitMs) {
      resolveGeneratorEnd(conn, 'silence');
      return;
    }
    const current = active;
    if (!current) return;
    if (nowMs - current.lastProgressMs > stallTimeoutMs) {
      conn.stalledMs = nowMs - current.lastProgressMs;
      log.warn(
        `SyncTalk stalled for ${Math.round(conn.stalledMs)} ms during utterance "${current.pending.id}"`,
        {
          event_type: 'synctalk_stall',
        },
      );
      conn.socket.terminate();
      return;
    }
    if (
      current.phase === 'speaking' &&
      current.endSent &&
      current.framesReceived >= current.pending.expectedFrames
    ) {
      current.allFramesAtMs ??= nowMs;
      if (nowMs - current.allFramesAtMs > endSpeechGraceMs) {
        log.warn(
          `No end_speech for utterance "${current.pending.id}" ${endSpeechGraceMs} ms after its last frame; ending it`,
          {
            event_type: 'synctalk_protocol',
          },
        );
        completeActive('grace-timeout');
      }
    }
  }

  // ---- public API -------------------------------------------------------------------------------

  function connect(): Promise<Result<void>> {
    switch (state) {
      case 'ready':
      case 'speaking':
        return Promise.resolve(ok(undefined));
      case 'closed':
        return Promise.resolve(err('cancelled', 'The avatar session was closed.'));
      case 'idle':
      case 'unavailable':
        failures = 0;
        loadTried = false;
        openConnection();
        break;
      case 'connecting':
      case 'reconnecting':
        break;
    }
    // openConnection may already have settled (an invalid URL makes the session unavailable).
    const settled = currentState();
    if (settled === 'ready' || settled === 'speaking') return Promise.resolve(ok(undefined));
    if (settled === 'unavailable') {
      return Promise.resolve(
        err('not-available', lastError?.message ?? 'SyncTalk is unavailable.', {
          hint: lastError?.hint,
        }),
      );
    }
    return new Promise((resolve) => {
      connectWaiters.push(resolve);
    });
  }

  function speak(
    utterance: SyncTalkUtterance,
    handlers: UtteranceHandlers,
    speakOptions: SpeakOptions = {},
  ): Promise<Result<UtteranceSummary>> {
    if (state === 'closed') {
      return Promise.resolve(err('cancelled', 'The avatar session was closed.'));
    }
    if (state === 'unavailable') {
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
      return Promise.resolve(
        ok({
          utteranceId: utterance.id,
          frames: 0,
          expectedFrames: 0,
          audioMs: 0,
          firstFrameLatencyMs: null,
          wallMs: 0,
          chunksSent: 0,
          maxLookAheadMs: 0,
          endedBy: 'empty',
        }),
      );
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
      };
      if (signal) {
        const onAbort = () => {
          cancel(pending);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        pending.detachAbort = () => {
          signal.removeEventListener('abort', onAbort);
        };
      }
      queue.push(pending);
      if (state === 'idle') openConnection();
      else startNext();
    });
  }

  function close(): Promise<void> {
    if (closePromise) return closePromise;
    lifetime.abort();
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    stopTicker();
    const current = active;
    active = null;
    if (current) {
      current.cancelled = true;
      finishActive(current, { code: 'cancelled', message: 'The avatar session was closed.' });
    }
    for (const pending of queue.splice(0)) {
      finish(
        pending,
        err('cancelled', `Utterance "${pending.id}" was cancelled: the avatar session was closed.`),
        'cancelled',
        null,
      );
    }
    const conn = connection;
    setState('closed');
    lifecycle(`Avatar stream on ${origin} closed`);
    closePromise = new Promise<void>((resolve) => {
      if (!conn || conn.socket.readyState === WebSocket.CLOSED) {
        resolve();
        return;
      }
      conn.socket.once('close', () => {
        resolve();
      });
      retire(conn, 'final');
    }).then(() => {
      connection = null;
    });
    return closePromise;
  }

  return {
    get state() {
      return state;
    },
    get lastError() {
      return lastError;
    },
    on: (event, listener) => emitter.on(event, listener),
    connect,
    speak,
    close,
    stats: () => ({ state, ...counters }),
  };
}

function rawBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
