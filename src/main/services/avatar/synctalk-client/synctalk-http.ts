import { sleepUnlessAborted } from '../../platform/net/abortable-sleep.ts';
import { z } from 'zod';
import { err, ok } from '../../../../shared/result.ts';
import type { RapidoError, Result } from '../../../../shared/result.ts';
import {
  explainReadiness,
  formatList,
  matchLoadedFolder,
  similarAvatars,
} from './avatar-readiness.ts';

/**
 * SyncTalk_2D's HTTP side: `/status`, `/models` and `/load_model`, parsed with schemas of the
 * real server's shapes. Every call has a timeout and answers with a value; failures name the URL
 * and what to check.
 */
const statusBodySchema = z.object({
  available: z.boolean(),
  status: z.string(),
  is_model_loaded: z.boolean(),
  loaded_models: z.array(z.string()),
  last_inference_time: z.number().nullable().optional(),
  capacity: z.object({ current: z.number(), maximum: z.number(), available: z.number() }),
});
/** What the server answers to `/status` before its stream manager exists. */
const notInitialisedBodySchema = z.object({ error: z.string() });
const modelsBodySchema = z.object({ models: z.array(z.string()) });
const loadModelBodySchema = z.object({ message: z.string() });
/** FastAPI's error body; `detail` is a string for HTTPException, a list for validation errors. */
const errorBodySchema = z.object({ detail: z.unknown() });

export interface SyncTalkStatus {
  /** False while the server is still starting (its stream manager does not exist yet). */
  initialised: boolean;
  /** The server's words when it is not initialised. */
  startupMessage: string | null;
  /** A stream slot is free. */
  available: boolean;
  modelLoaded: boolean;
  /** Folder names of loaded models, not avatar names (see avatar-readiness.ts). */
  loadedFolders: string[];
  /** Seconds since the Unix epoch, or null before any inference. */
  lastInferenceTimeS: number | null;
  capacity: { currentStreams: number; maximumStreams: number; availableStreams: number };
}

export interface HttpOptions {
  /** Per request; the defaults suit a server on the local network. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const defaultRequestTimeoutMs = 5000;
/** Loading a model reads checkpoints and video frames onto the GPU: minutes, not seconds. */
export const defaultLoadTimeoutMs = 300_000;

const settingsHint = 'Check SYNCTALK_SERVER_URL / the avatar settings.';

export async function getStatus(
  baseUrl: string,
  options: HttpOptions = {},
): Promise<Result<SyncTalkStatus>> {
  const response = await requestJson(baseUrl, 'GET', 'status', options);
  if (!response.ok) return response;
  const { httpStatus, body, url } = response.value;
  if (httpStatus !== 200) return unexpectedStatus('GET', url, httpStatus, body);
  const notInitialised = notInitialisedBodySchema.safeParse(body);
  if (notInitialised.success) {
    return ok({
      initialised: false,
      startupMessage: notInitialised.data.error,
      available: false,
      modelLoaded: false,
      loadedFolders: [],
      lastInferenceTimeS: null,
      capacity: { currentStreams: 0, maximumStreams: 0, availableStreams: 0 },
    });
  }
  const parsed = statusBodySchema.safeParse(body);
  if (!parsed.success) return notSyncTalk('GET', url, parsed.error);
  const status = parsed.data;
  return ok({
    initialised: true,
    startupMessage: null,
    available: status.available,
    modelLoaded: status.is_model_loaded,
    loadedFolders: status.loaded_models,
    lastInferenceTimeS: status.last_inference_time ?? null,
    capacity: {
      currentStreams: status.capacity.current,
      maximumStreams: status.capacity.maximum,
      availableStreams: status.capacity.available,
    },
  });
}

/** The avatar names the server offers, sorted by the server. */
export async function listModels(
  baseUrl: string,
  options: HttpOptions = {},
): Promise<Result<string[]>> {
  const response = await requestJson(baseUrl, 'GET', 'models', options);
  if (!response.ok) return response;
  const { httpStatus, body, url } = response.value;
  if (httpStatus !== 200) return unexpectedStatus('GET', url, httpStatus, body);
  const parsed = modelsBodySchema.safeParse(body);
  if (!parsed.success) return notSyncTalk('GET', url, parsed.error);
  return ok(parsed.data.models);
}

export type LoadModelAnswer =
  | { kind: 'loaded'; message: string }
  | { kind: 'busy'; detail: string }
  | { kind: 'unknown-avatar'; detail: string }
  | { kind: 'failed'; detail: string };

/**
 * `POST /load_model`. The server answers only when the load is done (or refused); 409 means
 * another load is running. Use `loadModel` for a plain Result.
 */
export async function requestLoadModel(
  baseUrl: string,
  avatarName: string,
  options: HttpOptions = {},
): Promise<Result<LoadModelAnswer>> {
  const response = await requestJson(baseUrl, 'POST', 'load_model', {
    timeoutMs: options.timeoutMs ?? defaultLoadTimeoutMs,
    signal: options.signal,
    body: { model_name: avatarName, config_type: 'default' },
  });
  if (!response.ok) return response;
  const { httpStatus, body, url } = response.value;
  switch (httpStatus) {
    case 200: {
      const parsed = loadModelBodySchema.safeParse(body);
      if (!parsed.success) return notSyncTalk('POST', url, parsed.error);
      return ok({ kind: 'loaded', message: parsed.data.message });
    }
    case 404:
      return ok({ kind: 'unknown-avatar', detail: errorDetail(body) });
    case 409:
      return ok({ kind: 'busy', detail: errorDetail(body) });
    case 500: {
      const detail = errorDetail(body);
      // The real handler raises its 404 inside `try` and its `except Exception` turns it into a
      // 500 whose detail embeds "404: ...": the avatar is unknown, not broken.
      if (/^Failed to load model: 404\b/.test(detail))
        return ok({ kind: 'unknown-avatar', detail });
      return ok({ kind: 'failed', detail });
    }
    default:
      return unexpectedStatus('POST', url, httpStatus, body);
  }
}

export async function loadModel(
  baseUrl: string,
  avatarName: string,
  options: HttpOptions = {},
): Promise<Result<{ message: string }>> {
  const answer = await requestLoadModel(baseUrl, avatarName, options);
  if (!answer.ok) return answer;
  const origin = displayOrigin(baseUrl);
  const value = answer.value;
  switch (value.kind) {
    case 'loaded':
      return ok({ message: value.message });
    case 'unknown-avatar':
      return unknownAvatarError(baseUrl, avatarName, value.detail, options);
    case 'busy':
      return err(
        'not-available',
        `The SyncTalk server at ${origin} is loading another avatar (409: ${value.detail}).`,
        {
          hint: 'Try again when that load has finished.',
        },
      );
    case 'failed':
      return err(
        'not-available',
        `The SyncTalk server at ${origin} failed to load avatar "${avatarName}" (500: ${value.detail}).`,
        {
          hint: "Check the server's log: the avatar's checkpoint or video may be missing.",
        },
      );
  }
}

/**
 * An unknown avatar, said so with the avatars the server offers (GET /models). The real server
 * answers a 500 whose detail embeds its 404 (synctalk_fastapi.py `load_model`: the HTTPException
 * raised at line 389 is caught and re-raised as 500 at line 492); requestLoadModel reads it back.
 */
async function unknownAvatarError(
  baseUrl: string,
  avatarName: string,
  detail: string,
  options: HttpOptions,
): Promise<Result<never>> {
  const origin = displayOrigin(baseUrl);
  const models = await listModels(baseUrl, options);
  const offered = models.ok
    ? ` It offers ${formatList(models.value)}.${suggestion(models.value, avatarName)}`
    : '';
  return err(
    'invalid-request',
    `Unknown avatar: the SyncTalk server at ${origin} has no avatar "${avatarName}" (${detail}).${offered}`,
    { hint: `GET ${origin}/models lists the avatars it offers. ${settingsHint}` },
  );
}

function suggestion(offered: readonly string[], avatarName: string): string {
  const similar = similarAvatars(offered, avatarName);
  return similar.length > 0 ? ` Did you mean ${formatList(similar)}?` : '';
}

export type AvatarLoadPhase = 'checking' | 'loading' | 'waiting' | 'ready';

export interface AvatarLoadProgress {
  phase: AvatarLoadPhase;
  message: string;
  elapsedMs: number;
}

export interface EnsureAvatarOptions {
  /** The avatar's folder name on the server, when the settings know it (see avatar-readiness.ts). */
  folderName?: string;
  signal?: AbortSignal;
  /** Overall limit, loading included. */
  timeoutMs?: number;
  /** How often to look again while the server starts up or loads another avatar. */
  pollIntervalMs?: number;
  requestTimeoutMs?: number;
}

export interface LoadedAvatar {
  avatarName: string;
  /** The loaded folder that matched, or null when the server said "loaded" but no folder matched. */
  folderName: string | null;
  /** True when this call asked the server to load. */
  loadRequested: boolean;
  elapsedMs: number;
}

/**
 * Makes sure the avatar is loaded: checks `/models` and `/status`, asks for a load when needed,
 * and polls while the server starts up or another load (409) runs. Reports progress about once
 * a second while it waits. Never throws.
 */
export async function ensureAvatarLoaded(
  baseUrl: string,
  avatarName: string,
  onProgress: (progress: AvatarLoadProgress) => void,
  options: EnsureAvatarOptions = {},
): Promise<Result<LoadedAvatar>> {
  const startedMs = performance.now();
  const timeoutMs = options.timeoutMs ?? defaultLoadTimeoutMs;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const requestOptions = { timeoutMs: options.requestTimeoutMs, signal: options.signal };
  const origin = displayOrigin(baseUrl);
  const elapsed = () => Math.round(performance.now() - startedMs);
  const report = (phase: AvatarLoadPhase, message: string) => {
    onProgress({ phase, message, elapsedMs: elapsed() });
  };
  let loadRequested = false;

  report('checking', `Checking avatar "${avatarName}" on ${origin}.`);
  for (;;) {
    const [status, models] = await Promise.all([
      getStatus(baseUrl, requestOptions),
      listModels(baseUrl, requestOptions),
    ]);
    if (!status.ok) return status;
    if (!models.ok) return models;
    if (status.value.initialised) {
      const explained = explainReadiness(
        status.value,
        models.value,
        avatarName,
        options.folderName,
      );
      if (explained.readiness === 'not-offered') {
        return err('invalid-request', explained.note, { hint: settingsHint });
      }
      if (explained.readiness === 'loaded') {
        report('ready', explained.note);
        const folder = explained.match.kind === 'none' ? null : explained.match.folder;
        return ok({ avatarName, folderName: folder, loadRequested, elapsedMs: elapsed() });
      }
      report('loading', `Loading avatar "${avatarName}" on ${origin}. ${explained.note}`);
      loadRequested = true;
      const answer = await withTicker(
        requestLoadModel(baseUrl, avatarName, {
          timeoutMs: Math.max(1, timeoutMs - elapsed()),
          signal: options.signal,
        }),
        () => {
          report('loading', `Loading avatar "${avatarName}" on ${origin}.`);
        },
      );
      if (!answer.ok) return answer;
      const value = answer.value;
      if (value.kind === 'loaded') {
        return confirmLoaded(baseUrl, avatarName, status.value.loadedFolders, models.value, {
          ...options,
          report,
          elapsed,
        });
      }
      if (value.kind !== 'busy') {
        return loadModelError(origin, avatarName, value);
      }
      report('waiting', `Another avatar is loading on ${origin}; waiting for it to finish.`);
    } else {
      report(
        'waiting',
        `The SyncTalk server at ${origin} is starting (${status.value.startupMessage ?? 'not initialised'}).`,
      );
    }
    if (elapsed() + pollIntervalMs > timeoutMs) {
      return err(
        'not-available',
        `Avatar "${avatarName}" was not ready on ${origin} within ${Math.round(timeoutMs / 1000)} s.`,
        {
          hint: 'The server may still be loading models; try again shortly.',
        },
      );
    }
    const slept = await sleepUnlessAborted(pollIntervalMs, options.signal);
    if (!slept) return cancelled(avatarName);
  }
}

async function confirmLoaded(
  baseUrl: string,
  avatarName: string,
  foldersBefore: readonly string[],
  offeredAvatars: readonly string[],
  context: EnsureAvatarOptions & {
    report: (phase: AvatarLoadPhase, message: string) => void;
    elapsed: () => number;
  },
): Promise<Result<LoadedAvatar>> {
  // The server answered only after loading; /status tells which folder appeared for the avatar.
  const after = await getStatus(baseUrl, {
    timeoutMs: context.requestTimeoutMs,
    signal: context.signal,
  });
  let folderName: string | null = null;
  if (after.ok) {
    const match = matchLoadedFolder(
      after.value.loadedFolders,
      offeredAvatars,
      avatarName,
      context.folderName,
    );
    const appeared = after.value.loadedFolders.filter((folder) => !foldersBefore.includes(folder));
    if (match.kind !== 'none') folderName = match.folder;
    else if (appeared.length === 1) folderName = appeared[0] ?? null;
  }
  context.report(
    'ready',
    folderName === null
      ? `Avatar "${avatarName}" is loaded.`
      : `Avatar "${avatarName}" is loaded (folder "${folderName}").`,
  );
  return ok({ avatarName, folderName, loadRequested: true, elapsedMs: context.elapsed() });
}

function loadModelError(
  origin: string,
  avatarName: string,
  answer: Exclude<LoadModelAnswer, { kind: 'loaded' | 'busy' }>,
): Result<never> {
  if (answer.kind === 'unknown-avatar') {
    return err(
      'invalid-request',
      `The SyncTalk server at ${origin} has no avatar "${avatarName}" (unknown avatar: ${answer.detail}).`,
      {
        hint: `GET ${origin}/models lists the avatars it offers. ${settingsHint}`,
      },
    );
  }
  return err(
    'not-available',
    `The SyncTalk server at ${origin} failed to load avatar "${avatarName}" (500: ${answer.detail}).`,
    {
      hint: "Check the server's log: the avatar's checkpoint or video may be missing.",
    },
  );
}

function cancelled(avatarName: string): Result<never> {
  return err('cancelled', `Loading avatar "${avatarName}" was cancelled.`);
}

/** Calls `tick` once a second until the work settles, so a long load still shows progress. */
async function withTicker<T>(work: Promise<T>, tick: () => void): Promise<T> {
  const timer = setInterval(tick, 1000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

// ---- transport ---------------------------------------------------------------------------------

interface JsonResponse {
  httpStatus: number;
  body: unknown;
  url: string;
}

/** `path` joined to the base URL, keeping any path prefix a reverse proxy adds. */
export function serverUrl(baseUrl: string, path: string): URL | null {
  try {
    const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(base.protocol)) return null;
    const url = new URL(path, base);
    if (url.protocol === 'ws:') url.protocol = 'http:';
    if (url.protocol === 'wss:') url.protocol = 'https:';
    return url;
  } catch {
    return null;
  }
}

/** The server as people write it: scheme, host and port, plus any path prefix. */
export function displayOrigin(baseUrl: string): string {
  const url = serverUrl(baseUrl, '');
  if (!url) return baseUrl;
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}`;
}

export function invalidServerUrlError(baseUrl: string): RapidoError {
  return {
    code: 'invalid-request',
    message: `"${baseUrl}" is not a SyncTalk server URL.`,
    hint: `Use a URL such as http://localhost:8000. ${settingsHint}`,
  };
}

/**
 * The most of one HTTP answer that is read. /status, /models and /load_model answer a few hundred
 * bytes; a lesson names the server, so an answer that never ends must not fill main's memory.
 */
export const maxResponseBytes = 1024 * 1024;

/** The body as text, or null (and the rest left unread) when it is longer than `limit` bytes. */
async function readCapped(response: Response, limit: number): Promise<string | null> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel();
    return null;
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Leaving the loop early cancels the stream: the rest is never read.
  for await (const value of response.body as AsyncIterable<Uint8Array>) {
    total += value.byteLength;
    if (total > limit) return null;
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function requestJson(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  options: HttpOptions & { body?: unknown },
): Promise<Result<JsonResponse>> {
  const url = serverUrl(baseUrl, path);
  if (!url) return { ok: false, error: invalidServerUrlError(baseUrl) };
  const timeoutMs = options.timeoutMs ?? defaultRequestTimeoutMs;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const href = url.href;
  try {
    const response = await fetch(href, {
      method,
      signal,
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      body: options.body === undefined ? null : JSON.stringify(options.body),
    });
    const text = await readCapped(response, maxResponseBytes);
    if (text === null) {
      return err(
        'not-available',
        `${method} ${href} answered with more than ${maxResponseBytes / 1024} KiB; a SyncTalk server's answers are small, so the rest was not read.`,
        { hint: `Is ${displayOrigin(baseUrl)} a SyncTalk_2D server? ${settingsHint}` },
      );
    }
    let body: unknown;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      return err(
        'not-available',
        `${method} ${href} answered HTTP ${response.status} with a body that is not JSON.`,
        {
          hint: `Is ${displayOrigin(baseUrl)} a SyncTalk_2D server? ${settingsHint}`,
          details: [text.slice(0, 200)],
        },
      );
    }
    return ok({ httpStatus: response.status, body, url: href });
  } catch (error) {
    if (options.signal?.aborted) {
      return err('cancelled', `${method} ${href} was cancelled.`);
    }
    return fetchFailure(method, href, baseUrl, timeoutMs, error, timeout.aborted);
  }
}

/** Finds a system error code (ECONNREFUSED, ENOTFOUND…) in an error or its causes. */
export function systemErrorCode(error: unknown, depth = 0): string | null {
  if (depth > 4 || typeof error !== 'object' || error === null) return null;
  if ('code' in error && typeof error.code === 'string' && /^E[A-Z_]+$/.test(error.code)) {
    return error.code;
  }
  if ('cause' in error) {
    const found = systemErrorCode(error.cause, depth + 1);
    if (found) return found;
  }
  if ('errors' in error && Array.isArray(error.errors)) {
    for (const inner of error.errors as unknown[]) {
      const found = systemErrorCode(inner, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

/** The error a user sees when a SyncTalk server cannot be reached (HTTP or WebSocket). */
export function unreachableError(
  baseUrl: string,
  code: string | null,
  detail: string,
): RapidoError {
  const origin = displayOrigin(baseUrl);
  const host = serverUrl(baseUrl, '')?.hostname ?? baseUrl;
  if (code === 'ECONNREFUSED') {
    return {
      code: 'not-available',
      message: `No SyncTalk server answers at ${origin} — is it running?`,
      hint: settingsHint,
    };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return {
      code: 'not-available',
      message: `The SyncTalk server's host "${host}" cannot be found (${code}).`,
      hint: settingsHint,
    };
  }
  return {
    code: 'not-available',
    message: `The SyncTalk server at ${origin} could not be reached (${code ?? detail}).`,
    hint: `Is it running, and is the network up? ${settingsHint}`,
  };
}

function fetchFailure(
  method: string,
  href: string,
  baseUrl: string,
  timeoutMs: number,
  error: unknown,
  timedOut: boolean,
): Result<never> {
  if (timedOut) {
    return err(
      'not-available',
      `The SyncTalk server did not answer ${method} ${href} within ${formatSeconds(timeoutMs)}.`,
      {
        hint: `Is it overloaded or on a slow network? ${settingsHint}`,
      },
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { ok: false, error: unreachableError(baseUrl, systemErrorCode(error), detail) };
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

function errorDetail(body: unknown): string {
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) return briefJson(body);
  const detail = parsed.data.detail;
  return typeof detail === 'string' ? detail : briefJson(detail);
}

function briefJson(value: unknown): string {
  // JSON.stringify answers undefined for undefined, whatever its declared type says.
  const text = JSON.stringify(value) as string | undefined;
  return (text ?? 'no detail').slice(0, 200);
}

function unexpectedStatus(
  method: string,
  href: string,
  httpStatus: number,
  body: unknown,
): Result<never> {
  return err(
    'not-available',
    `${method} ${href} answered HTTP ${httpStatus}: ${errorDetail(body)}.`,
    {
      hint:
        httpStatus === 404
          ? `Is this a SyncTalk_2D server? ${settingsHint}`
          : "Check the SyncTalk server's log.",
    },
  );
}

function notSyncTalk(method: string, href: string, problem: z.ZodError): Result<never> {
  return err('not-available', `${method} ${href} did not answer like a SyncTalk_2D server.`, {
    hint: settingsHint,
    details: problem.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`),
  });
}
