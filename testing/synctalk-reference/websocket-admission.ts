import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { loadBackground } from './server-keying.ts';
import { folderOf, type ReferenceAvatar, type ServerState } from './server-state.ts';
import { StreamSession, type SessionInfo } from './stream-session.ts';

/**
 * The WebSocket endpoint's admission: the real server's checks, in its order, all before the
 * handshake is accepted (a refusal is an HTTP 403), then one StreamSession per accepted socket.
 */

const websocketPath = '/ws/audio_to_video';

type Admission =
  | { ok: true; avatar: ReferenceAvatar; sampleRateHz: number; backgroundUrl: string | null }
  | { ok: false; reason: string };

/** The real endpoint's checks, in its order, all before accept(). */
function admit(state: ServerState, query: URLSearchParams): Admission {
  const sampleRateText = query.get('sample_rate');
  const sampleRateHz = sampleRateText === null ? 16000 : parsePythonInt(sampleRateText);
  if (sampleRateHz === null) return { ok: false, reason: 'invalid sample_rate (query validation)' };
  if (state.faults.rejectAdmission !== null) {
    return { ok: false, reason: `${state.faults.rejectAdmission} (injected fault)` };
  }
  const { maxStreams } = state.config;
  if (state.sessions.size >= maxStreams) {
    return { ok: false, reason: `Maximum concurrent streams (${maxStreams}) exceeded` };
  }
  if (state.loadedFolders.length === 0) {
    return { ok: false, reason: 'No model loaded. Please load a model first.' };
  }
  let avatarName = query.get('avatar_name') ?? '';
  if (avatarName === '') {
    const firstLoaded = state.avatars.find((avatar) => state.isLoaded(avatar));
    if (!firstLoaded) {
      return { ok: false, reason: 'No avatar configuration found for available models' };
    }
    avatarName = firstLoaded.name;
  }
  const avatar = state.avatars.find((candidate) => candidate.name === avatarName);
  if (!avatar) return { ok: false, reason: `Avatar '${avatarName}' not found` };
  if (!state.isLoaded(avatar)) {
    const folder = folderOf(avatar);
    return { ok: false, reason: `Model '${folder}' not loaded. Please load the model first.` };
  }
  const backgroundUrl = query.get('background_url');
  return { ok: true, avatar, sampleRateHz, backgroundUrl };
}

/** The server's 'upgrade' listener: admits or refuses, then hands the socket to a session. */
export function upgradeHandler(
  state: ServerState,
  websocketServer: WebSocketServer,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== websocketPath) {
      rejectUpgrade(socket);
      state.log(`websocket ${url.pathname}: 403 (no such route)`);
      return;
    }
    const admission = admit(state, url.searchParams);
    if (!admission.ok) {
      rejectUpgrade(socket);
      state.log(`websocket rejected with 403: ${admission.reason}`);
      return;
    }
    websocketServer.handleUpgrade(req, socket, head, (websocket) => {
      openSession(state, req, websocket, admission);
    });
  };
}

function openSession(
  state: ServerState,
  req: IncomingMessage,
  websocket: WebSocket,
  admission: Extract<Admission, { ok: true }>,
): void {
  const { avatar, sampleRateHz, backgroundUrl } = admission;
  if (sampleRateHz <= 0) {
    // torchaudio's Resample raises inside the stream context, after accept().
    websocket.close(1011, `Server error: invalid sample rate ${sampleRateHz}`);
    return;
  }
  const streamId = randomUUID();
  const now = new Date();
  const info: SessionInfo = {
    streamId,
    avatarName: avatar.name,
    modelName: folderOf(avatar),
    startTime: now,
    lastActivity: now,
    sampleRateHz,
    backgroundUrl,
    clientInfo: {
      user_agent: req.headers['user-agent'] ?? 'unknown',
      remote_addr: req.socket.remoteAddress ?? 'unknown',
      avatar_requested: avatar.name,
    },
  };
  // Quirk 6 (stream_manager.py `_init_chroma_key_for_stream`): keying onto background_url, else
  // the avatar's default_background_url; black when it cannot be downloaded.
  const keyingUrl = state.faults.serverKeying
    ? (backgroundUrl ?? state.faults.defaultBackgroundUrl)
    : null;
  const background = keyingUrl
    ? loadBackground(keyingUrl, avatar.width, avatar.height, state.log)
    : null;
  const session = new StreamSession(
    websocket,
    avatar,
    info,
    {
      faults: () => state.faults,
      log: state.log,
      clockMs: () => performance.now(),
      onAudioBytes: (byteCount) => {
        state.totals.audioBytesReceived += byteCount;
        state.lastInferenceTime = Date.now() / 1000;
      },
      onFrameSent: () => {
        state.totals.framesSent++;
        state.lastInferenceTime = Date.now() / 1000;
        info.lastActivity = new Date();
      },
      onUtteranceStarted: () => {
        state.totals.utterances++;
      },
      onClosed: () => {
        state.onSessionClosed(streamId);
      },
    },
    background,
  );
  state.sessions.set(streamId, session);
  state.totalCreated++;
  state.log(
    `stream ${streamId.slice(0, 8)}: accepted (avatar ${avatar.name}, ${sampleRateHz} Hz${keyingUrl ? `, keyed onto ${keyingUrl === backgroundUrl ? 'background_url' : 'the default background'}` : ''})`,
  );
}

/** What uvicorn answers when the app closes a WebSocket before accepting it. */
function rejectUpgrade(socket: Duplex): void {
  socket.once('finish', () => socket.destroy());
  socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
}

/** pydantic's lax int from a query string: optional sign, digits, underscores between digits. */
function parsePythonInt(text: string): number | null {
  const trimmed = text.trim();
  if (!/^[+-]?\d+(_\d+)*$/.test(trimmed)) return null;
  const value = Number(trimmed.replaceAll('_', ''));
  return Number.isSafeInteger(value) ? value : null;
}
