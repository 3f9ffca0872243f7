import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import type { RapidoError } from '../../../../shared/result.ts';
import { diagnoseAdmission } from './admission.ts';
import { backoffDelayMs } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { SessionStatus } from './session-status.ts';
import type { SyncTalkSessionOptions } from './session-types.ts';
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

/**
 * The session's socket: opening it (and the SyncTalk admission behind a refused handshake),
 * reopening it with backoff after a drop, replacing it on purpose, and giving up (unavailable).
 * It knows nothing of utterances: what a drop or an open means for them is the session's hooks.
 */

export function websocketUrl(baseUrl: string, avatarName: string): string | null {
  const url = serverUrl(baseUrl, 'ws/audio_to_video');
  if (!url) return null;
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('avatar_name', avatarName);
  url.searchParams.set('sample_rate', '16000');
  return url.href;
}

export interface Connection {
  socket: WebSocket;
  opened: boolean;
  /** Set when the upgrade was answered with an HTTP status instead of 101. */
  httpStatus: number | null;
  socketError: Error | null;
  /** Closed by us: its close event must not count as a failure. */
  retiring: 'recycle' | 'final' | null;
  stalledMs: number | null;
  /** When the socket last sent a message: silence after that while frames are due is a stall. */
  lastMessageMs: number | null;
  /** Whether audio has been sent on it (the server's "temporary silence" needs real audio first). */
  carriedAudio: boolean;
}

export interface ConnectionHooks {
  /** A socket opened and the session is ready: start the next utterance. */
  opened(): void;
  message(conn: Connection, data: RawData, isBinary: boolean): void;
  /** The socket in use closed, for whatever reason (before any retry is decided). */
  closed(): void;
  /** An open socket dropped: the utterance on it failed with `error`. */
  dropped(error: RapidoError): void;
  /** The session gives up: every utterance, running or queued, fails with `error`. */
  unavailable(error: RapidoError): void;
}

export interface SyncTalkConnection {
  /** Opens a socket now (or makes the session unavailable for an invalid URL). */
  open(): void;
  /** The socket in use, if any (it may still be opening, or being closed by us). */
  current(): Connection | null;
  /** The socket in use, open and not being closed by us; null otherwise. */
  usable(): Connection | null;
  /** Whether `conn` is the socket in use and not being closed by us. */
  isLive(conn: Connection): boolean;
  /** Sends binary (a text frame breaks SyncTalk's session); a send error is noted on `conn`. */
  send(conn: Connection, bytes: Uint8Array): void;
  /** Closes a socket on purpose; `recycle` opens a fresh one once it has closed. */
  retire(conn: Connection, why: 'recycle' | 'final'): void;
  becomeUnavailable(error: RapidoError): void;
  /** A message arrived: the server is answering, so the failure count starts again. */
  answered(): void;
  /** connect() from idle or unavailable: a fresh run of attempts (and one on-demand load). */
  restartAttempts(): void;
  /** close(): stops retries and the HTTP look-ups and loads the connection started. */
  stop(): void;
  /** close(): closes the socket for good; settles once it has closed. */
  closeFinally(): Promise<void>;
}

export function createSyncTalkConnection(options: {
  session: SyncTalkSessionOptions;
  backoff: BackoffPolicy;
  connectTimeoutMs: number;
  loadOnDemand: boolean;
  random: () => number;
  status: SessionStatus;
  hooks: ConnectionHooks;
}): SyncTalkConnection {
  const { session, backoff, connectTimeoutMs, status, hooks } = options;
  const { avatarName } = session;
  const { counters, log } = status;
  const origin = displayOrigin(session.serverUrl);
  const url = websocketUrl(session.serverUrl, avatarName);
  let connection: Connection | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Failed attempts since a socket last delivered a message. */
  let failures = 0;
  /** One on-demand load per run of failures, so a server that keeps refusing is not reloaded. */
  let loadTried = false;
  /** Aborted by close(): stops the HTTP look-ups and loads the session started. */
  const lifetime = new AbortController();

  function isLive(conn: Connection): boolean {
    return conn === connection && conn.retiring === null;
  }

  function open() {
    retryTimer = null;
    if (status.state() === 'closed') return;
    if (url === null) {
      becomeUnavailable(invalidServerUrlError(session.serverUrl));
      return;
    }
    if (status.state() !== 'reconnecting') status.set('connecting');
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
      lastMessageMs: null,
      carriedAudio: false,
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
      if (isLive(conn)) hooks.message(conn, data, isBinary);
    });
    socket.on('error', (error: Error) => {
      conn.socketError = error;
    });
    socket.on('close', (code: number, reason: Buffer) => {
      onClose(conn, code, reason.toString('utf8'));
    });
  }

  function onOpen(conn: Connection) {
    if (!isLive(conn)) return;
    conn.opened = true;
    counters.connections += 1;
    // `failures` resets on the first message, not here: a server that accepts and closes at
    // once must still run out of attempts.
    loadTried = false;
    status.lifecycle(
      counters.connections === 1
        ? `Avatar stream open on ${origin} (avatar "${avatarName}")`
        : `Avatar stream reopened on ${origin} (connection ${counters.connections})`,
      { performance_data: { connection: counters.connections } },
    );
    status.set('ready');
    hooks.opened();
  }

  function onClose(conn: Connection, code: number, reason: string) {
    if (conn !== connection) return;
    connection = null;
    hooks.closed();
    if (status.state() === 'closed') return;
    if (conn.retiring === 'final') return;
    if (conn.retiring === 'recycle') {
      open();
      return;
    }
    if (!conn.opened) {
      if (conn.httpStatus !== null) {
        void handleRefusal(conn.httpStatus);
        return;
      }
      retryLater(notOpenedError(session.serverUrl, conn, code, connectTimeoutMs));
      return;
    }
    const error = dropError(origin, conn, code, reason);
    hooks.dropped(error);
    retryLater(error);
  }

  async function handleRefusal(httpStatus: number) {
    const mayLoad = options.loadOnDemand && !loadTried;
    const answer = await answerRefusal({
      session,
      httpStatus,
      status,
      mayLoad,
      signal: lifetime.signal,
    });
    if (answer.loaded) loadTried = true;
    if (status.state() === 'closed') return;
    if (answer.next === 'give-up') becomeUnavailable(answer.error);
    else if (answer.next === 'reopen') open();
    else retryLater(answer.error);
  }

  function retryLater(error: RapidoError) {
    if (status.state() === 'closed') return;
    if (failures >= backoff.maxAttempts) {
      becomeUnavailable({
        ...error,
        message: `${error.message} Gave up after ${failures} attempts to reconnect.`,
      });
      return;
    }
    const delayMs = backoffDelayMs(failures, backoff, options.random);
    failures += 1;
    log.warn(
      `SyncTalk stream unavailable, retry ${failures} of ${backoff.maxAttempts} in ${delayMs} ms: ${error.message}`,
      {
        event_type: 'synctalk_reconnect',
        performance_data: { attempt: failures, delayMs },
      },
    );
    status.set('reconnecting', { error, retryInMs: delayMs, attempt: failures });
    retryTimer = setTimeout(open, delayMs);
  }

  function becomeUnavailable(error: RapidoError) {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    hooks.unavailable(error);
    log.error(`SyncTalk avatar unavailable: ${error.message}`, {
      event_type: 'synctalk_unavailable',
      hint: error.hint,
    });
    if (connection) retire(connection, 'final');
    status.set('unavailable', { error });
  }

  return {
    open,
    current: () => connection,
    usable: () => (connection?.opened && !connection.retiring ? connection : null),
    isLive,
    send: sendBinary,
    retire,
    becomeUnavailable,
    answered() {
      failures = 0;
    },
    restartAttempts() {
      failures = 0;
      loadTried = false;
    },
    stop() {
      lifetime.abort();
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
    },
    async closeFinally() {
      const conn = connection;
      if (conn && conn.socket.readyState !== WebSocket.CLOSED) {
        const closed = new Promise((resolve) => conn.socket.once('close', resolve));
        retire(conn, 'final');
        await closed;
      }
      connection = null;
    },
  };
}

/** Why an open socket closed, in words for the user. */
function dropError(origin: string, conn: Connection, code: number, reason: string): RapidoError {
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

/** Why a socket closed before it opened (no HTTP answer): unreachable, or a handshake timeout. */
function notOpenedError(
  baseUrl: string,
  conn: Connection,
  code: number,
  connectTimeoutMs: number,
): RapidoError {
  const detail = conn.socketError?.message ?? `closed with code ${code}`;
  if (/handshake has timed out/i.test(detail)) {
    return {
      code: 'not-available',
      message: `The SyncTalk server at ${displayOrigin(baseUrl)} did not accept the avatar stream within ${Math.round(connectTimeoutMs / 1000)} s.`,
      hint: 'Is it overloaded? Check SYNCTALK_SERVER_URL / the avatar settings.',
    };
  }
  return unreachableError(baseUrl, systemErrorCode(conn.socketError), detail);
}

/**
 * SyncTalk refuses before the handshake with a bare HTTP status: `/status` and `/models` say
 * why. Gives up, loads the avatar (once per run of failures, when `mayLoad`) and reopens, or
 * retries later.
 */
async function answerRefusal(options: {
  session: SyncTalkSessionOptions;
  httpStatus: number;
  status: SessionStatus;
  mayLoad: boolean;
  signal: AbortSignal;
}): Promise<
  | { next: 'give-up' | 'retry'; error: RapidoError; loaded: boolean }
  | { next: 'reopen'; loaded: true }
> {
  const { session, status, signal } = options;
  const [serverStatus, models] = await Promise.all([
    getStatus(session.serverUrl, { timeoutMs: 3000, signal }),
    listModels(session.serverUrl, { timeoutMs: 3000, signal }),
  ]);
  if (status.state() === 'closed') return { next: 'retry', error: closedError, loaded: false };
  const diagnosis = diagnoseAdmission({
    baseUrl: session.serverUrl,
    avatarName: session.avatarName,
    folderName: session.folderName,
    httpStatus: options.httpStatus,
    status: serverStatus,
    models,
  });
  status.log.warn(diagnosis.error.message, {
    event_type: 'synctalk_admission_refused',
    refusal: diagnosis.refusal,
  });
  if (diagnosis.remedy === 'give-up')
    return { next: 'give-up', error: diagnosis.error, loaded: false };
  if (diagnosis.remedy !== 'load' || !options.mayLoad) {
    return { next: 'retry', error: diagnosis.error, loaded: false };
  }
  const loaded = await ensureAvatarLoaded(
    session.serverUrl,
    session.avatarName,
    (progress) => {
      status.lifecycle(progress.message, {
        event_type: 'synctalk_avatar_load',
        phase: progress.phase,
      });
    },
    { folderName: session.folderName, timeoutMs: session.loadTimeoutMs, signal },
  );
  return loaded.ok
    ? { next: 'reopen', loaded: true }
    : { next: 'give-up', error: loaded.error, loaded: true };
}

const closedError: RapidoError = { code: 'cancelled', message: 'The avatar session was closed.' };

/** Closes a socket on purpose (`retiring` keeps its close event from counting as a failure). */
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

function sendBinary(conn: Connection, bytes: Uint8Array) {
  conn.socket.send(bytes, { binary: true }, (error) => {
    if (error) conn.socketError ??= error;
  });
}
