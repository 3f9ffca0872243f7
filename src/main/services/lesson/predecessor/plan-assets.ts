import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { FetchedAsset } from '../../../../shared/lesson/predecessor-import.ts';
import type { Result } from '../../../../shared/result.ts';
import { err, errorMessage, ok } from '../../../../shared/result.ts';
import { fsErrorCode } from '../../platform/atomic-write.ts';
import { numberedName } from '../lesson-save.ts';
import { contentTypeAllows, extensionFor, type AssetKind } from './asset-types.ts';
import type { PlannedAsset } from './plan-common.ts';
import type { StoredPlan } from './plan-store.ts';

/**
 * Brings a plan's pictures and recordings into the lesson folder (`sources/images/`,
 * `sources/audio/`): http(s) URLs fetched with bounded time, size and redirects, at most four at
 * once; local files (named in the document or supplied for parsed slide data) copied when they
 * lie in a folder the user chose. What cannot be had is reported `missing` with the reason the
 * user sees; nothing is half-written (each file appears whole or not at all), and a cancelled
 * run removes what it wrote.
 */

export interface FetchLimits {
  /** Until the server answers with headers. */
  headersTimeoutMs: number;
  /** Longest wait for the next bytes of a body. */
  idleTimeoutMs: number;
  /** One asset, redirects and body included. */
  totalTimeoutMs: number;
  maxImageBytes: number;
  maxAudioBytes: number;
  maxRedirects: number;
  concurrency: number;
}

export const defaultFetchLimits: FetchLimits = {
  headersTimeoutMs: 15_000,
  idleTimeoutMs: 15_000,
  totalTimeoutMs: 120_000,
  maxImageBytes: 50 * 1024 * 1024,
  maxAudioBytes: 100 * 1024 * 1024,
  maxRedirects: 5,
  concurrency: 4,
};

export interface FetchProgress {
  done: number;
  total: number;
  bytesDone: number;
  /** What is being fetched now (as the document named it), or null. */
  current: string | null;
}

export interface FetchPlanAssetsOptions {
  stored: StoredPlan;
  /** The lesson folder, already checked against the user's chosen folders. */
  lessonDir: string;
  /** Whether main may read a local file the plan names (the folder grants' check). */
  allowLocal: (path: string) => Promise<Result<string>>;
  signal: AbortSignal;
  onProgress: (progress: FetchProgress) => void;
  limits?: Partial<FetchLimits>;
}

/** Why an asset is missing; thrown inside one asset's fetch only. */
class Missing extends Error {}

const progressIntervalMs = 100;

export async function fetchPlanAssets(
  options: FetchPlanAssetsOptions,
): Promise<Result<{ assets: FetchedAsset[] }>> {
  const limits = { ...defaultFetchLimits, ...options.limits };
  const assets = [...options.stored.assets.values()];
  const results: FetchedAsset[] = new Array<FetchedAsset>(assets.length);
  const written: string[] = [];
  const running = new Set<string>();
  let done = 0;
  let bytesDone = 0;
  let lastReport = 0;
  const report = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastReport < progressIntervalMs) return;
    lastReport = now;
    const [current = null] = running;
    options.onProgress({ done, total: assets.length, bytesDone, current });
  };
  report(true);

  let next = 0;
  const worker = async () => {
    while (next < assets.length && !options.signal.aborted) {
      const index = next;
      next += 1;
      const asset = assets[index];
      if (asset === undefined) continue;
      running.add(asset.source);
      report(true);
      const onBytes = (count: number) => {
        bytesDone += count;
        report(false);
      };
      results[index] = await fetchOne(asset, { ...options, limits, onBytes, written });
      running.delete(asset.source);
      done += 1;
      report(true);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limits.concurrency) }, worker));
  if (options.signal.aborted) {
    await Promise.all(written.map((path) => unlink(path).catch(() => undefined)));
    return err('cancelled', 'Fetching the pictures and recordings was cancelled', {
      hint: 'Nothing fetched was kept; import again to fetch them.',
    });
  }
  return ok({ assets: results });
}

interface OneOptions extends FetchPlanAssetsOptions {
  limits: FetchLimits;
  onBytes: (count: number) => void;
  written: string[];
}

async function fetchOne(asset: PlannedAsset, options: OneOptions): Promise<FetchedAsset> {
  const maxBytes =
    asset.kind === 'image' ? options.limits.maxImageBytes : options.limits.maxAudioBytes;
  try {
    let bytes: Uint8Array;
    if (asset.origin.type === 'unsupported') throw new Missing(asset.origin.reason);
    if (asset.origin.type === 'file') {
      bytes = await readLocal(asset.origin.path, maxBytes, options);
    } else {
      bytes = await download(asset.origin.url, asset.kind, maxBytes, options);
    }
    const extension = extensionFor(asset.kind, bytes);
    if (extension === null) {
      throw new Missing(
        asset.kind === 'image'
          ? 'not a picture Rapido can use (png, jpeg, webp, gif, svg, bmp, avif)'
          : 'not a recording Rapido can use (mp3, wav, ogg, m4a, flac, webm)',
      );
    }
    if (options.signal.aborted) throw new Missing('cancelled');
    const folder = asset.kind === 'image' ? 'sources/images' : 'sources/audio';
    const path = await writeWhole(options.lessonDir, folder, `${asset.key}.${extension}`, bytes);
    options.written.push(join(options.lessonDir, path));
    return { key: asset.key, state: 'ready', path };
  } catch (error) {
    const reason =
      error instanceof Missing
        ? error.message
        : `could not be saved (${fsErrorCode(error) ?? errorMessage(error)})`;
    return { key: asset.key, state: 'missing', reason: reason.slice(0, 2000) };
  }
}

async function readLocal(path: string, maxBytes: number, options: OneOptions): Promise<Uint8Array> {
  const allowed = await options.allowLocal(path);
  if (!allowed.ok)
    throw new Missing(
      `${path} is not in a folder you chose (choose its folder, then import again)`,
    );
  try {
    const stats = await stat(allowed.value);
    if (!stats.isFile()) throw new Missing(`${path} is not a file`);
    if (stats.size > maxBytes)
      throw new Missing(`${path} is ${sizeText(stats.size)}, more than ${sizeText(maxBytes)}`);
    const bytes = await readFile(allowed.value);
    options.onBytes(bytes.byteLength);
    return bytes;
  } catch (error) {
    if (error instanceof Missing) throw error;
    throw new Missing(`${path} cannot be read (${fsErrorCode(error) ?? errorMessage(error)})`);
  }
}

/** A size as people read it: KB below a megabyte, MB above. */
function sizeText(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}

/** The network error's cause as a user can read it (ECONNREFUSED, ENOTFOUND…). */
function networkReason(error: unknown): string {
  const cause =
    error instanceof Error
      ? (error.cause as { code?: unknown; message?: unknown } | undefined)
      : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : null;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return 'the server name was not found (offline, or the address is wrong)';
  if (code === 'ECONNREFUSED') return 'the server refused the connection';
  if (code !== null) return `the server could not be reached (${code})`;
  return `the server could not be reached (${errorMessage(cause ?? error)})`;
}

async function download(
  url: string,
  kind: AssetKind,
  maxBytes: number,
  options: OneOptions,
): Promise<Uint8Array> {
  const { limits } = options;
  const controller = new AbortController();
  let timeoutReason = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (ms: number, reason: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timeoutReason = reason;
      controller.abort();
    }, ms);
  };
  const deadline = setTimeout(() => {
    timeoutReason = `it took longer than ${limits.totalTimeoutMs / 1000} s`;
    controller.abort();
  }, limits.totalTimeoutMs);
  const onCancel = () => controller.abort();
  options.signal.addEventListener('abort', onCancel);
  const why = (error: unknown): Missing => {
    if (options.signal.aborted) return new Missing('cancelled');
    if (timeoutReason !== '') return new Missing(`the server did not answer: ${timeoutReason}`);
    return error instanceof Missing ? error : new Missing(networkReason(error));
  };
  try {
    let current = url;
    const seen = new Set<string>();
    for (let redirects = 0; ; redirects += 1) {
      seen.add(current);
      arm(limits.headersTimeoutMs, `no answer within ${limits.headersTimeoutMs / 1000} s`);
      let response: Response;
      try {
        response = await fetch(current, {
          redirect: 'manual',
          signal: controller.signal,
          headers: { accept: kind === 'image' ? 'image/*' : 'audio/*' },
        });
      } catch (error) {
        throw why(error);
      }
      if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
        await response.body?.cancel().catch(() => undefined);
        const target = new URL(response.headers.get('location') ?? '', current);
        if (target.protocol !== 'http:' && target.protocol !== 'https:')
          throw new Missing(`the server redirected to a ${target.protocol} address`);
        if (seen.has(target.href)) throw new Missing('the server redirects in a loop');
        if (redirects >= limits.maxRedirects)
          throw new Missing(`more than ${limits.maxRedirects} redirects`);
        current = target.href;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw new Missing(
          `the server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
        );
      }
      const contentType = response.headers.get('content-type');
      if (!contentTypeAllows(kind, contentType)) {
        await response.body?.cancel().catch(() => undefined);
        throw new Missing(
          `the server sent ${contentType ?? 'something else'}, not ${kind === 'image' ? 'a picture' : 'a recording'}`,
        );
      }
      const length = Number(response.headers.get('content-length') ?? Number.NaN);
      if (Number.isFinite(length) && length > maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        throw new Missing(`it is ${sizeText(length)}, more than the ${sizeText(maxBytes)} allowed`);
      }
      return await readBody(
        response,
        maxBytes,
        options,
        () => arm(limits.idleTimeoutMs, `no data for ${limits.idleTimeoutMs / 1000} s`),
        why,
      );
    }
  } finally {
    clearTimeout(timer);
    clearTimeout(deadline);
    options.signal.removeEventListener('abort', onCancel);
  }
}

async function readBody(
  response: Response,
  maxBytes: number,
  options: OneOptions,
  rearm: () => void,
  why: (error: unknown) => Missing,
): Promise<Uint8Array> {
  const body = response.body;
  if (body === null) throw new Missing('the server sent nothing');
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      rearm();
      let read: Awaited<ReturnType<typeof reader.read>>;
      try {
        read = await reader.read();
      } catch (error) {
        throw why(error);
      }
      if (read.done) break;
      const chunk: unknown = read.value;
      if (!(chunk instanceof Uint8Array)) throw new Missing('the server sent something unreadable');
      total += chunk.byteLength;
      if (total > maxBytes) throw new Missing(`it is more than the ${sizeText(maxBytes)} allowed`);
      chunks.push(chunk);
      options.onBytes(chunk.byteLength);
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  if (total === 0) throw new Missing('the server sent an empty file');
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Writes `bytes` as `folder/name` inside `dir` without replacing anything (`name-2.ext`… when
 * taken): written beside under a temporary name, then linked into place, so the file appears
 * whole or not at all. Returns the lesson-relative path.
 */
async function writeWhole(
  dir: string,
  folder: string,
  name: string,
  bytes: Uint8Array,
): Promise<string> {
  const target = join(dir, ...folder.split('/'));
  await mkdir(target, { recursive: true });
  const temporary = join(target, `.${name}.${randomUUID()}.part`);
  const handle = await open(temporary, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    for (let number = 1; number < 10_000; number += 1) {
      const candidate = number === 1 ? name : numberedName(name, number);
      try {
        await link(temporary, join(target, candidate));
        return `${folder}/${candidate}`;
      } catch (error) {
        if (fsErrorCode(error) !== 'EEXIST') throw error;
      }
    }
    throw new Error(`no free name for ${name}`);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
