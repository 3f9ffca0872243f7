import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { closeNow, listenLocal } from '../../platform/net/listen-local.ts';
import { z } from 'zod';
import { parseLoadModelBody } from './load-model-body.ts';
import { StreamSession, type SessionInfo } from './stream-session.ts';

/**
 * A stand-in for the SyncTalk_2D FastAPI server (docs: /work/shared/protocols/synctalk.md and
 * README.md next to this file) that behaves like it wherever a client can observe: HTTP shapes and
 * status codes, admission refused before the WebSocket handshake (HTTP 403), batching, markers,
 * idle frames, pacing with bursts, a 13-frame send queue; plus injectable faults.
 */

export interface ReferenceAvatar {
  name: string;
  width: number;
  height: number;
  keyColor: string;
}

export type AdmissionRejection =
  'capacity' | 'no-model' | 'unknown-avatar' | 'not-loaded' | 'not-initialised';

export interface FaultSettings {
  /** Extra delay before the first frame of each utterance (realistic: 600). */
  firstFrameDelayMs: number;
  /** After N frames of an utterance, produce nothing for stallMs, then catch up in a burst. */
  stallAfterFrames: number | null;
  stallMs: number;
  /** Rate of the catch-up burst (>= 50). */
  burstFps: number;
  /** Terminate the socket abruptly (no close frame) after N frames sent on it. */
  dropAfterFrames: number | null;
  /** Refuse every WebSocket upgrade with HTTP 403, as the real server does for this reason. */
  rejectAdmission: AdmissionRejection | null;
  /** Final end_speech, then close 1011 "Server error: ..." after N frames. */
  closeWithErrorAfterFrames: number | null;
  /**
   * Later upstream versions (commit 05daf53) end the generator at the first end_of_stream: one
   * end_speech for the marker, a final end_speech, then silence on a socket that stays open.
   */
  generatorStopsAtEndOfStream: boolean;
}

export interface ReferenceServerOptions {
  /** 0 = random; default 8000. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  avatars: ReferenceAvatar[];
  /** Avatar names loaded at start-up (default: the first). */
  preloaded?: string[];
  /** How long the start-up preload takes; /status lists nothing until then. Default 0. */
  preloadDelayMs?: number;
  /** Default 5. */
  maxStreams?: number;
  /** How long POST /load_model takes. Default 300. */
  loadDelayMs?: number;
  faults?: Partial<FaultSettings>;
  log?: (line: string) => void;
}

export interface ReferenceServerStats {
  activeStreams: number;
  /** Video frames (speech and idle) written to sockets. */
  framesSent: number;
  /** start_of_stream markers received. */
  utterances: number;
  /** PCM bytes received, markers excluded, before resampling. */
  audioBytesReceived: number;
}

export interface ReferenceServer {
  /** http://HOST:PORT */
  readonly url: string;
  readonly port: number;
  setFaults(faults: Partial<FaultSettings>): void;
  stats(): ReferenceServerStats;
  /** Closes every socket (final end_speech, then 1012) and the listener. */
  close(): Promise<void>;
}

export const defaultFaults: FaultSettings = {
  firstFrameDelayMs: 0,
  stallAfterFrames: null,
  stallMs: 1000,
  burstFps: 60,
  dropAfterFrames: null,
  rejectAdmission: null,
  closeWithErrorAfterFrames: null,
  generatorStopsAtEndOfStream: false,
};

const count = z.number().int().nonnegative();
const faultsSchema = z
  .object({
    firstFrameDelayMs: count,
    stallAfterFrames: count.nullable(),
    stallMs: count,
    burstFps: z.number().min(50).max(1000),
    dropAfterFrames: z.number().int().positive().nullable(),
    rejectAdmission: z
      .enum(['capacity', 'no-model', 'unknown-avatar', 'not-loaded', 'not-initialised'])
      .nullable(),
    closeWithErrorAfterFrames: z.number().int().positive().nullable(),
    generatorStopsAtEndOfStream: z.boolean(),
  })
  .partial()
  .strict();

const avatarSchema = z.object({
  name: z.string().min(1),
  width: z.number().int().min(8).max(4096),
  height: z.number().int().min(8).max(4096),
  keyColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'key colour must look like #089831'),
});

const optionsSchema = z.object({
  port: z.number().int().min(0).max(65535).default(8000),
  host: z.string().min(1).default('127.0.0.1'),
  avatars: z.array(avatarSchema).min(1),
  preloaded: z.array(z.string()).optional(),
  preloadDelayMs: count.default(0),
  maxStreams: z.number().int().positive().default(5),
  loadDelayMs: count.default(300),
  faults: faultsSchema.optional(),
});

/** uvicorn's default ws_max_size. */
const maxMessageBytes = 16 * 1024 * 1024;
const maxBodyBytes = 1024 * 1024;
const websocketPath = '/ws/audio_to_video';
const shutdownGraceMs = 500;

/** The server's internal model key differs from the avatar name, as in the public config. */
export function folderNameFor(avatarName: string): string {
  const words = avatarName.split(/[\s_-]+/).filter((word) => word.length > 0);
  const title = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('-');
  return `${title}-dataset`;
}

export async function startReferenceServer(
  options: ReferenceServerOptions,
): Promise<ReferenceServer> {
  const { faults: initialFaults, ...rest } = options;
  const config = optionsSchema.parse({ ...rest, faults: initialFaults });
  const log = options.log ?? (() => undefined);
  const avatars = config.avatars;
  const names = new Set(avatars.map((avatar) => avatar.name));
  if (names.size !== avatars.length) throw new RangeError('avatar names must be unique');
  const preloadNames = config.preloaded ?? avatars.slice(0, 1).map((avatar) => avatar.name);
  for (const name of preloadNames) {
    if (!names.has(name)) throw new RangeError(`preloaded avatar "${name}" is not configured`);
  }

  let faults: FaultSettings = { ...defaultFaults, ...config.faults };
  /** inference_api.models keys, in load order. */
  const loadedFolders: string[] = [];
  const sessions = new Map<string, StreamSession>();
  let loadInProgress = false;
  let lastInferenceTime: number | null = null;
  let totalCreated = 0;
  let totalCompleted = 0;
  const totals = { framesSent: 0, utterances: 0, audioBytesReceived: 0 };
  const timers = new Set<NodeJS.Timeout>();

  function later(delayMs: number, action: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, delayMs);
    timers.add(timer);
  }

  function markLoaded(avatar: ReferenceAvatar): void {
    const folder = folderNameFor(avatar.name);
    if (!loadedFolders.includes(folder)) loadedFolders.push(folder);
  }

  function preload(): void {
    // The real preload walks the avatar config in order, so that order is the load order.
    for (const avatar of avatars) if (preloadNames.includes(avatar.name)) markLoaded(avatar);
    if (preloadNames.length > 0) log(`preloaded: ${loadedFolders.join(', ')}`);
  }

  /** What `/status` and `/streams` both say of a stream (each adds its own fields). */
  function sessionFields(session: StreamSession): Record<string, unknown> {
    const { info } = session;
    return {
      avatar_name: info.avatarName,
      model_name: info.modelName,
      start_time: pythonIsoFormat(info.startTime),
      last_activity: pythonIsoFormat(info.lastActivity),
      duration_seconds: (Date.now() - info.startTime.getTime()) / 1000,
      sample_rate: info.sampleRateHz,
      background_url: info.backgroundUrl,
    };
  }

  function streamInfo(): Record<string, unknown> {
    const activeStreams: Record<string, unknown> = {};
    for (const [streamId, session] of sessions) {
      activeStreams[streamId] = { ...sessionFields(session), client_info: session.info.clientInfo };
    }
    return {
      active_streams: activeStreams,
      active_count: sessions.size,
      max_concurrent: config.maxStreams,
      total_created: totalCreated,
      total_completed: totalCompleted,
    };
  }

  function statusBody(): Record<string, unknown> {
    const active = sessions.size;
    return {
      available: active < config.maxStreams,
      status: active < config.maxStreams ? 'ready' : 'busy',
      is_model_loaded: loadedFolders.length > 0,
      loaded_models: [...loadedFolders],
      last_inference_time: lastInferenceTime,
      multi_stream: streamInfo(),
      capacity: {
        current: active,
        maximum: config.maxStreams,
        available: config.maxStreams - active,
      },
    };
  }

  function streamDetails(session: StreamSession): Record<string, unknown> {
    const { info } = session;
    return {
      stream_id: info.streamId,
      ...sessionFields(session),
      has_chroma_key: false,
      client_info: info.clientInfo,
      websocket_state: 'CONNECTED',
    };
  }

  async function loadModel(res: ServerResponse, modelName: string): Promise<void> {
    // Like the real handler: the 404 it raises inside its try is caught by its own
    // `except Exception` and comes out as a 500 whose detail embeds "404: ...".
    const avatar = avatars.find((candidate) => candidate.name === modelName);
    if (!avatar) {
      sendJson(res, 500, {
        detail: `Failed to load model: 404: Avatar '${modelName}' not found in config`,
      });
      return;
    }
    if (loadedFolders.includes(folderNameFor(avatar.name))) {
      sendJson(res, 200, { message: `Model ${modelName} already loaded` });
      return;
    }
    log(`loading ${modelName} (${config.loadDelayMs} ms)`);
    await new Promise<void>((resolve) => {
      later(config.loadDelayMs, resolve);
    });
    markLoaded(avatar);
    log(`loaded ${modelName} as ${folderNameFor(avatar.name)}`);
    sendJson(res, 200, { message: `Model ${modelName} loaded successfully` });
  }

  async function handleLoadModel(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    if (raw === null) {
      sendJson(res, 413, { detail: 'Request body too large' });
      return;
    }
    // FastAPI validates the body before the handler runs, so 422 wins over 409.
    const body = parseLoadModelBody(raw, req.headers['content-type']);
    if (!body.ok) {
      sendJson(res, 422, { detail: body.issues });
      return;
    }
    if (loadInProgress) {
      sendJson(res, 409, { detail: 'Another model is currently being loaded' });
      return;
    }
    loadInProgress = true;
    try {
      await loadModel(res, body.modelName);
    } finally {
      loadInProgress = false;
    }
  }

  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const method = req.method ?? 'GET';
    const route = routeFor(path);
    if (route === null) {
      sendJson(res, 404, { detail: 'Not Found' });
      return;
    }
    if (method !== route.method) {
      res.setHeader('allow', route.method);
      sendJson(res, 405, { detail: 'Method Not Allowed' });
      return;
    }
    switch (route.name) {
      case 'status':
        sendJson(res, 200, statusBody());
        return;
      case 'models':
        sendJson(res, 200, { models: avatars.map((avatar) => avatar.name).sort() });
        return;
      case 'streams':
        sendJson(res, 200, streamInfo());
        return;
      case 'stream': {
        const session = sessions.get(route.streamId);
        if (session) sendJson(res, 200, streamDetails(session));
        else sendJson(res, 404, { detail: `Stream ${route.streamId} not found` });
        return;
      }
      case 'load_model':
        handleLoadModel(req, res).catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          if (!res.headersSent) sendJson(res, 500, { detail: `Failed to load model: ${message}` });
        });
        return;
    }
  }

  type Admission =
    | { ok: true; avatar: ReferenceAvatar; sampleRateHz: number; backgroundUrl: string | null }
    | { ok: false; reason: string };

  /** The real endpoint's checks, in its order, all before accept(). */
  function admit(query: URLSearchParams): Admission {
    const sampleRateText = query.get('sample_rate');
    const sampleRateHz = sampleRateText === null ? 16000 : parsePythonInt(sampleRateText);
    if (sampleRateHz === null)
      return { ok: false, reason: 'invalid sample_rate (query validation)' };
    if (faults.rejectAdmission !== null) {
      return { ok: false, reason: `${faults.rejectAdmission} (injected fault)` };
    }
    if (sessions.size >= config.maxStreams) {
      return { ok: false, reason: `Maximum concurrent streams (${config.maxStreams}) exceeded` };
    }
    if (loadedFolders.length === 0) {
      return { ok: false, reason: 'No model loaded. Please load a model first.' };
    }
    let avatarName = query.get('avatar_name') ?? '';
    if (avatarName === '') {
      const firstLoaded = avatars.find((avatar) =>
        loadedFolders.includes(folderNameFor(avatar.name)),
      );
      if (!firstLoaded) {
        return { ok: false, reason: 'No avatar configuration found for available models' };
      }
      avatarName = firstLoaded.name;
    }
    const avatar = avatars.find((candidate) => candidate.name === avatarName);
    if (!avatar) return { ok: false, reason: `Avatar '${avatarName}' not found` };
    const folder = folderNameFor(avatar.name);
    if (!loadedFolders.includes(folder)) {
      return { ok: false, reason: `Model '${folder}' not loaded. Please load the model first.` };
    }
    const backgroundUrl = query.get('background_url');
    return { ok: true, avatar, sampleRateHz, backgroundUrl };
  }

  const websocketServer = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: maxMessageBytes,
  });

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== websocketPath) {
      rejectUpgrade(socket);
      log(`websocket ${url.pathname}: 403 (no such route)`);
      return;
    }
    const admission = admit(url.searchParams);
    if (!admission.ok) {
      rejectUpgrade(socket);
      log(`websocket rejected with 403: ${admission.reason}`);
      return;
    }
    websocketServer.handleUpgrade(req, socket, head, (websocket) => {
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
        modelName: folderNameFor(avatar.name),
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
      const session = new StreamSession(websocket, avatar, info, {
        faults: () => faults,
        log,
        clockMs: () => performance.now(),
        onAudioBytes: (byteCount) => {
          totals.audioBytesReceived += byteCount;
          lastInferenceTime = Date.now() / 1000;
        },
        onFrameSent: () => {
          totals.framesSent++;
          lastInferenceTime = Date.now() / 1000;
          info.lastActivity = new Date();
        },
        onUtteranceStarted: () => {
          totals.utterances++;
        },
        onClosed: () => {
          onSessionClosed(streamId);
        },
      });
      sessions.set(streamId, session);
      totalCreated++;
      log(
        `stream ${streamId.slice(0, 8)}: accepted (avatar ${avatar.name}, ${sampleRateHz} Hz${backgroundUrl ? ', background_url ignored' : ''})`,
      );
    });
  }

  const httpServer = createServer(handleRequest);
  httpServer.on('upgrade', onUpgrade);
  const { port, url } = await listenLocal(httpServer, config.port, config.host);

  if (config.preloadDelayMs === 0) preload();
  else later(config.preloadDelayMs, preload);

  let closing: Promise<void> | null = null;
  /** Resolved when a session's socket has closed, during shutdown. */
  const closeWaiters = new Map<string, () => void>();

  function onSessionClosed(streamId: string): void {
    if (sessions.delete(streamId)) totalCompleted++;
    closeWaiters.get(streamId)?.();
    closeWaiters.delete(streamId);
  }

  async function close(): Promise<void> {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    const open = [...sessions.values()];
    await new Promise<void>((resolve) => {
      if (open.length === 0) {
        resolve();
        return;
      }
      const grace = setTimeout(() => {
        for (const session of sessions.values()) session.terminate();
        resolve();
      }, shutdownGraceMs);
      let remaining = open.length;
      for (const session of open) {
        const done = (): void => {
          remaining--;
          if (remaining === 0) {
            clearTimeout(grace);
            resolve();
          }
        };
        closeWaiters.set(session.info.streamId, done);
        session.shutdown();
      }
    });
    websocketServer.close();
    await closeNow(httpServer);
  }

  return {
    url,
    port,
    setFaults(update: Partial<FaultSettings>): void {
      faults = { ...faults, ...faultsSchema.parse(update) };
    },
    stats(): ReferenceServerStats {
      return { activeStreams: sessions.size, ...totals };
    },
    close(): Promise<void> {
      closing ??= close();
      return closing;
    },
  };
}

type Route =
  | { name: 'status' | 'models' | 'streams'; method: 'GET' }
  | { name: 'stream'; method: 'GET'; streamId: string }
  | { name: 'load_model'; method: 'POST' };

function routeFor(path: string): Route | null {
  if (path === '/status') return { name: 'status', method: 'GET' };
  if (path === '/models') return { name: 'models', method: 'GET' };
  if (path === '/streams') return { name: 'streams', method: 'GET' };
  if (path === '/load_model') return { name: 'load_model', method: 'POST' };
  const streamId = /^\/streams\/([^/]+)$/.exec(path)?.[1];
  if (streamId !== undefined) {
    return { name: 'stream', method: 'GET', streamId: decodeURIComponent(streamId) };
  }
  return null;
}

/** What uvicorn answers when the app closes a WebSocket before accepting it. */
function rejectUpgrade(socket: Duplex): void {
  socket.once('finish', () => socket.destroy());
  socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
}

function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The body, or null when it is larger than we accept. */
async function readBody(req: IncomingMessage): Promise<Uint8Array | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** pydantic's lax int from a query string: optional sign, digits, underscores between digits. */
function parsePythonInt(text: string): number | null {
  const trimmed = text.trim();
  if (!/^[+-]?\d+(_\d+)*$/.test(trimmed)) return null;
  const value = Number(trimmed.replaceAll('_', ''));
  return Number.isSafeInteger(value) ? value : null;
}

/** Python's datetime.now().isoformat(): local time, microseconds, no offset. */
function pythonIsoFormat(date: Date): string {
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `.${pad(date.getMilliseconds() * 1000, 6)}`
  );
}
