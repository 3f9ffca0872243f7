import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseLoadModelBody } from './load-model-body.ts';
import { folderOf, type ServerState } from './server-state.ts';
import type { StreamSession } from './stream-session.ts';

/** The HTTP side of the reference server: /status, /models, /streams, /streams/{id}, /load_model. */

const maxBodyBytes = 1024 * 1024;

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

export function handleRequest(state: ServerState, req: IncomingMessage, res: ServerResponse): void {
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
      sendJson(res, 200, statusBody(state));
      return;
    case 'models':
      sendJson(res, 200, { models: state.avatars.map((avatar) => avatar.name).sort() });
      return;
    case 'streams':
      sendJson(res, 200, streamInfo(state));
      return;
    case 'stream': {
      const session = state.sessions.get(route.streamId);
      if (session) sendJson(res, 200, streamDetails(session));
      else sendJson(res, 404, { detail: `Stream ${route.streamId} not found` });
      return;
    }
    case 'load_model':
      handleLoadModel(state, req, res).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (!res.headersSent) sendJson(res, 500, { detail: `Failed to load model: ${message}` });
      });
      return;
  }
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

function streamInfo(state: ServerState): Record<string, unknown> {
  const activeStreams: Record<string, unknown> = {};
  for (const [streamId, session] of state.sessions) {
    activeStreams[streamId] = { ...sessionFields(session), client_info: session.info.clientInfo };
  }
  return {
    active_streams: activeStreams,
    active_count: state.sessions.size,
    max_concurrent: state.config.maxStreams,
    total_created: state.totalCreated,
    total_completed: state.totalCompleted,
  };
}

function statusBody(state: ServerState): Record<string, unknown> {
  const active = state.sessions.size;
  const { maxStreams } = state.config;
  return {
    available: active < maxStreams,
    status: active < maxStreams ? 'ready' : 'busy',
    is_model_loaded: state.loadedFolders.length > 0,
    loaded_models: [...state.loadedFolders],
    last_inference_time: state.lastInferenceTime,
    multi_stream: streamInfo(state),
    capacity: { current: active, maximum: maxStreams, available: maxStreams - active },
  };
}

function streamDetails(session: StreamSession): Record<string, unknown> {
  const { info } = session;
  return {
    stream_id: info.streamId,
    ...sessionFields(session),
    has_chroma_key: session.hasChromaKey,
    client_info: info.clientInfo,
    websocket_state: 'CONNECTED',
  };
}

async function loadModel(
  state: ServerState,
  res: ServerResponse,
  modelName: string,
): Promise<void> {
  const avatar = state.avatars.find((candidate) => candidate.name === modelName);
  if (!avatar) {
    const notFound = `Avatar '${modelName}' not found in config`;
    // Quirk 7 (synctalk_fastapi.py `load_model`): the HTTPException(404) raised inside its try is
    // caught by its own `except Exception` and re-raised as a 500 whose detail embeds "404: ...".
    if (state.faults.loadModelUnknown500) {
      sendJson(res, 500, { detail: `Failed to load model: 404: ${notFound}` });
    } else {
      sendJson(res, 404, { detail: notFound });
    }
    return;
  }
  if (state.isLoaded(avatar)) {
    sendJson(res, 200, { message: `Model ${modelName} already loaded` });
    return;
  }
  const { loadDelayMs } = state.config;
  state.log(`loading ${modelName} (${loadDelayMs} ms)`);
  await new Promise<void>((resolve) => {
    state.later(loadDelayMs, resolve);
  });
  state.markLoaded(avatar);
  state.log(`loaded ${modelName} as ${folderOf(avatar)}`);
  sendJson(res, 200, { message: `Model ${modelName} loaded successfully` });
}

async function handleLoadModel(
  state: ServerState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
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
  if (state.loadInProgress) {
    sendJson(res, 409, { detail: 'Another model is currently being loaded' });
    return;
  }
  state.loadInProgress = true;
  try {
    await loadModel(state, res, body.modelName);
  } finally {
    state.loadInProgress = false;
  }
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

/** Python's datetime.now().isoformat(): local time, microseconds, no offset. */
function pythonIsoFormat(date: Date): string {
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `.${pad(date.getMilliseconds() * 1000, 6)}`
  );
}
