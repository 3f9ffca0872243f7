import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  expectError,
  expectOk,
  pngBytes,
  tempRoot,
  writeFiles,
} from '../../../../../testing/lesson-files.ts';
import type { FetchedAsset } from '../../../../shared/lesson/predecessor-import.ts';
import { err, ok } from '../../../../shared/result.ts';
import type { PlannedAsset } from './plan-common.ts';
import { fetchPlanAssets, type FetchPlanAssetsOptions, type FetchProgress } from './plan-assets.ts';

/**
 * The fetcher against a real HTTP server on this machine (node:http): each route behaves as a
 * real server can (slow, missing, wrong, too big, redirecting in circles), and one port is closed.
 */

const mp3Bytes = Buffer.concat([
  Buffer.from('ID3\u0004\u0000\u0000\u0000\u0000\u0000\u0000'),
  Buffer.alloc(64, 0x55),
]);
const never = (): void => undefined;

let root: string;
let remove: () => Promise<void>;
let server: Server;
let base: string;
let closedPort: number;
let inFlight = 0;
let maxInFlight = 0;
const pending: ServerResponse[] = [];
const waiting: (() => void)[] = [];

function route(request: IncomingMessage, response: ServerResponse): void {
  const url = request.url ?? '/';
  inFlight += 1;
  maxInFlight = Math.max(maxInFlight, inFlight);
  response.on('close', () => (inFlight -= 1));
  const send = (status: number, type: string | null, body: Uint8Array | string) => {
    response.writeHead(status, type === null ? {} : { 'content-type': type });
    response.end(body);
  };
  if (url.startsWith('/picture')) {
    // Held until four wait at once (or 300 ms pass, for the last few): the bound is seen.
    waiting.push(() => send(200, 'image/png', pngBytes));
    if (waiting.length >= 4) for (const release of waiting.splice(0)) release();
    else
      setTimeout(() => {
        for (const release of waiting.splice(0)) release();
      }, 300);
  } else if (url === '/octet-audio') send(200, 'application/octet-stream', mp3Bytes);
  else if (url === '/missing') send(404, 'text/plain', 'no');
  else if (url === '/html') send(200, 'text/html; charset=utf-8', '<html>login</html>');
  else if (url === '/text-as-png') send(200, 'image/png', 'not a png at all');
  else if (url === '/big-declared') {
    response.writeHead(200, { 'content-type': 'image/png', 'content-length': String(10_000) });
    response.end(Buffer.alloc(10_000));
  } else if (url === '/big-chunked') {
    response.writeHead(200, { 'content-type': 'image/png' });
    response.write(pngBytes);
    for (let index = 0; index < 20; index += 1) response.write(Buffer.alloc(500));
    response.end();
  } else if (url === '/slow-headers') pending.push(response);
  else if (url === '/stalled-body') {
    response.writeHead(200, { 'content-type': 'image/png' });
    response.write(pngBytes.subarray(0, 10));
    pending.push(response);
  } else if (url === '/loop-a') send302(response, '/loop-b');
  else if (url === '/loop-b') send302(response, '/loop-a');
  else if (url.startsWith('/chain-')) {
    const step = Number(url.slice('/chain-'.length));
    send302(response, step >= 9 ? '/picture-end' : `/chain-${step + 1}`);
  } else if (url === '/to-file') send302(response, 'file:///etc/passwd');
  else if (url === '/moved') send302(response, 'picture-moved');
  else send(500, 'text/plain', 'unexpected');
}

function send302(response: ServerResponse, location: string): void {
  response.writeHead(302, { location });
  response.end();
}

async function listen(target: Server): Promise<number> {
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  return (target.address() as AddressInfo).port;
}

beforeEach(async () => {
  ({ root, remove } = await tempRoot('rapido-plan-assets-'));
  inFlight = 0;
  maxInFlight = 0;
  server = createServer(route);
  base = `http://127.0.0.1:${await listen(server)}`;
  const closed = createServer();
  closedPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
});

afterEach(async () => {
  for (const response of pending.splice(0)) response.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await remove();
});

function urlAsset(key: string, path: string, kind: 'image' | 'audio' = 'image'): PlannedAsset {
  const url = path.startsWith('http') ? path : `${base}${path}`;
  return { key, kind, source: url, origin: { type: 'url', url } };
}

function options(
  assets: PlannedAsset[],
  extra: Partial<FetchPlanAssetsOptions> = {},
): FetchPlanAssetsOptions {
  return {
    stored: {
      plan: {
        planId: 'p',
        form: 'video-job-document',
        sourceFile: join(root, 'job.json'),
        title: 'T',
        canvas: { widthPx: 1920, heightPx: 1080 },
        placement: { x: 0, y: 0, width: 0.2, height: 0.2 },
        slides: [],
        assets: assets.map(({ key, kind, source }) => ({ key, kind, source })),
        notes: [],
      },
      assets: new Map(assets.map((asset) => [asset.key, asset])),
    },
    lessonDir: join(root, 'lesson'),
    allowLocal: (path) =>
      Promise.resolve(
        path.startsWith(join(root, 'chosen')) ? ok(path) : err('path-not-chosen', 'no'),
      ),
    signal: new AbortController().signal,
    onProgress: never,
    limits: { headersTimeoutMs: 400, idleTimeoutMs: 400, maxImageBytes: 5000 },
    ...extra,
  };
}

function reasonOf(asset: FetchedAsset | undefined): string {
  return asset?.state === 'missing' ? asset.reason : `not missing: ${JSON.stringify(asset)}`;
}

describe('fetchPlanAssets', () => {
  it('fetches pictures and recordings into sources/, four at a time, with progress', async () => {
    const assets = [
      ...Array.from({ length: 8 }, (_, index) =>
        urlAsset(`image-${index + 1}`, `/picture-${index}`),
      ),
      urlAsset('audio-1', '/octet-audio', 'audio'),
      urlAsset('image-9', '/moved'),
    ];
    const progress: FetchProgress[] = [];
    const result = expectOk(
      await fetchPlanAssets(options(assets, { onProgress: (p) => progress.push(p) })),
    );
    expect(result.assets).toEqual([
      ...Array.from({ length: 8 }, (_, index) => ({
        key: `image-${index + 1}`,
        state: 'ready',
        path: `sources/images/image-${index + 1}.png`,
      })),
      { key: 'audio-1', state: 'ready', path: 'sources/audio/audio-1.mp3' },
      { key: 'image-9', state: 'ready', path: 'sources/images/image-9.png' },
    ]);
    expect(await readFile(join(root, 'lesson/sources/audio/audio-1.mp3'))).toEqual(mp3Bytes);
    expect(maxInFlight).toBe(4);
    expect(progress[0]).toEqual({ done: 0, total: 10, bytesDone: 0, current: null });
    expect(progress.at(-1)).toEqual({
      done: 10,
      total: 10,
      bytesDone: 9 * pngBytes.length + mp3Bytes.length,
      current: null,
    });
    expect(progress.some((p) => p.current === `${base}/picture-0`)).toBe(true);
    // Fetched again into the same folder: nothing is replaced.
    const again = expectOk(await fetchPlanAssets(options([urlAsset('image-1', '/picture-x')])));
    expect(again.assets).toEqual([
      { key: 'image-1', state: 'ready', path: 'sources/images/image-1-2.png' },
    ]);
  });

  it('reports each kind of failure as missing, with a reason a user can act on', async () => {
    const cases: [PlannedAsset, RegExp][] = [
      [urlAsset('a', '/missing'), /^the server answered 404 Not Found$/],
      [urlAsset('b', '/html'), /^the server sent text\/html; charset=utf-8, not a picture$/],
      [urlAsset('c', '/text-as-png'), /^not a picture Rapido can use/],
      [urlAsset('d', '/big-declared'), /^it is 10 KB, more than the 5 KB allowed$/],
      [urlAsset('e', '/big-chunked'), /^it is more than the 5 KB allowed$/],
      [urlAsset('f', '/slow-headers'), /^the server did not answer: no answer within 0\.4 s$/],
      [urlAsset('g', '/stalled-body'), /^the server did not answer: no data for 0\.4 s$/],
      [urlAsset('h', '/loop-a'), /^the server redirects in a loop$/],
      [urlAsset('i', '/chain-0'), /^more than 5 redirects$/],
      [urlAsset('j', '/to-file'), /^the server redirected to a file: address$/],
      [
        urlAsset('k', `http://127.0.0.1:${closedPort}/x.png`),
        /^the server refused the connection$/,
      ],
      [urlAsset('l', '/picture', 'audio'), /^the server sent image\/png, not a recording$/],
      [
        {
          key: 'm',
          kind: 'image',
          source: 'data:x',
          origin: { type: 'unsupported', reason: 'data: addresses are not fetched' },
        },
        /^data: addresses/,
      ],
    ];
    const started = Date.now();
    const result = expectOk(await fetchPlanAssets(options(cases.map(([asset]) => asset))));
    // Bounded: the two slow servers cost their timeouts, not minutes.
    expect(Date.now() - started).toBeLessThan(10_000);
    result.assets.forEach((asset, index) => {
      const [planned, reason] = cases[index] ?? [];
      expect(asset.key).toBe(planned?.key);
      expect(asset.state, asset.key).toBe('missing');
      if (asset.state === 'missing') expect(asset.reason, asset.key).toMatch(reason ?? /never/);
    });
    expect(await readdir(join(root))).toEqual([]);
  });

  it('copies local files only from chosen folders', async () => {
    await writeFiles(root, {
      'chosen/a.png': pngBytes,
      'private/b.png': pngBytes,
      'chosen/c.txt': 'text',
    });
    const local = (key: string, path: string): PlannedAsset => ({
      key,
      kind: 'image',
      source: path,
      origin: { type: 'file', path: join(root, path) },
    });
    const result = expectOk(
      await fetchPlanAssets(
        options([
          local('a', 'chosen/a.png'),
          local('b', 'private/b.png'),
          local('c', 'chosen/c.txt'),
          local('d', 'chosen/none.png'),
        ]),
      ),
    );
    expect(result.assets[0]).toEqual({ key: 'a', state: 'ready', path: 'sources/images/a.png' });
    expect(reasonOf(result.assets[1])).toMatch(/is not in a folder you chose/);
    expect(reasonOf(result.assets[2])).toMatch(/^not a picture/);
    expect(reasonOf(result.assets[3])).toMatch(/cannot be read \(ENOENT\)/);
  });

  it('stops when cancelled and keeps nothing it wrote', async () => {
    const controller = new AbortController();
    const assets = [
      urlAsset('image-1', '/picture-1'),
      urlAsset('image-2', '/slow-headers'),
      urlAsset('image-3', '/picture-3'),
    ];
    const result = fetchPlanAssets(
      options(assets, {
        signal: controller.signal,
        limits: { headersTimeoutMs: 30_000, concurrency: 2 },
        // Cancel once the first picture is in and the slow one is waiting.
        onProgress: (progress) => {
          if (progress.done === 1) setTimeout(() => controller.abort(), 50);
        },
      }),
    );
    const started = Date.now();
    const error = expectError(await result);
    expect(error.code).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await readdir(join(root, 'lesson/sources/images'))).toEqual([]);
  });
});
