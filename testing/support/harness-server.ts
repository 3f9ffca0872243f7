import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';

/**
 * A tiny static server for the built test pages (and test media) on 127.0.0.1: the harness page
 * needs a real http origin, because file:// pages cannot fetch images for WebGL (CORS) and
 * behave differently from the app.
 */

export const repoRoot = resolve(import.meta.dirname, '..', '..');
/** Where `npm run build:harness` (testing/harness/vite.config.ts) writes the test pages. */
export const harnessOutDir = join(repoRoot, '.cache', 'harness');
const harnessSourceDir = join(repoRoot, 'testing', 'harness');
/** Shared media fixtures, outside the repo; tests skip when they are absent. */
export const fixturesDir = resolve(repoRoot, '..', 'shared', 'fixtures', 'media');

export interface HarnessServer {
  /** Origin without a trailing slash, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.wav': 'audio/wav',
  '.pdf': 'application/pdf',
};

/** Maps a URL path to a file inside one of the roots, or null (never outside a root). */
function resolveRequest(
  pathname: string,
  rootDir: string,
  mounts: Readonly<Record<string, string>>,
): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  let base = rootDir;
  let relative = decoded;
  for (const [prefix, dir] of Object.entries(mounts)) {
    if (decoded.startsWith(prefix)) {
      base = dir;
      relative = decoded.slice(prefix.length);
      break;
    }
  }
  if (relative === '' || relative === '/') relative = 'index.html';
  const absoluteBase = resolve(base);
  const file = resolve(absoluteBase, `.${relative.startsWith('/') ? '' : '/'}${relative}`);
  return file.startsWith(absoluteBase + sep) ? file : null;
}

/**
 * Serves `rootDir` at / and each mount (URL prefix ending in '/', to a folder) beside it.
 */
export async function startHarnessServer(
  options: { rootDir?: string; mounts?: Readonly<Record<string, string>> } = {},
): Promise<HarnessServer> {
  const rootDir = options.rootDir ?? harnessOutDir;
  const mounts = options.mounts ?? {};
  const server = createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = resolveRequest(pathname, rootDir, mounts);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405).end();
      return;
    }
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${pathname}`);
      return;
    }
    response.writeHead(200, {
      'content-type': contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolveClose, rejectClose) => {
        server.closeAllConnections();
        server.close((error) => (error ? rejectClose(error) : resolveClose()));
      }),
  };
}

/**
 * The source files a page entry is built from: the entry and every relative import, followed
 * recursively (imports in this repo are relative and carry their extension).
 */
function sourceFilesOf(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry) || !existsSync(entry)) return seen;
  seen.add(entry);
  const text = readFileSync(entry, 'utf8');
  const pattern =
    /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]|src=["'](\.{1,2}\/[^'"]+)["']/g;
  for (const match of text.matchAll(pattern)) {
    const specifier = match[1] ?? match[2];
    if (specifier) sourceFilesOf(resolve(dirname(entry), specifier), seen);
  }
  return seen;
}

/**
 * Why a built test page (`harness.html`, `subscriber.html`) cannot be trusted, or null if it
 * can: missing, or older than any source it is built from (testing a stale bundle would test old
 * code).
 */
export function pageBuildProblem(page: string): string | null {
  const built = join(harnessOutDir, page);
  const fix = 'Build the test pages first: npm run build:harness';
  if (!existsSync(built)) return `${built} does not exist. ${fix}`;
  const builtMs = statSync(built).mtimeMs;
  const sources = sourceFilesOf(join(harnessSourceDir, page));
  const stale = [...sources].filter((file) => statSync(file).mtimeMs > builtMs);
  if (stale.length > 0) {
    const names = stale.map((file) => relative(repoRoot, file)).join(', ');
    return `${built} is older than ${names}. ${fix}`;
  }
  return null;
}

/** Why the built compositor harness page cannot be trusted, or null if it can. */
export function harnessBuildProblem(): string | null {
  return pageBuildProblem('harness.html');
}
