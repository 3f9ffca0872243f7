import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { startReferenceServer } from '../../../../../testing/synctalk-reference/reference-server.ts';
import type {
  ReferenceServer,
  ReferenceServerOptions,
} from '../../../../../testing/synctalk-reference/reference-server.ts';
import {
  displayOrigin,
  ensureAvatarLoaded,
  getStatus,
  listModels,
  loadModel,
  maxResponseBytes,
  serverUrl,
} from './synctalk-http.ts';
import type { AvatarLoadProgress } from './synctalk-http.ts';

const avatars = [
  { name: 'alin_cc', width: 32, height: 32, keyColor: '#089831' },
  { name: 'jennifer', width: 32, height: 32, keyColor: '#cdffb9' },
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function reference(options: Partial<ReferenceServerOptions> = {}): Promise<ReferenceServer> {
  const server = await startReferenceServer({ port: 0, avatars, ...options });
  cleanups.push(() => server.close());
  return server;
}

/** A plain HTTP server for answers SyncTalk would never give (or never gives in time). */
async function stub(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port nothing listens on: bound, then released. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('server URLs', () => {
  test('joins paths under any prefix and normalises ws schemes', () => {
    expect(serverUrl('http://gpu:8000', 'status')?.href).toBe('http://gpu:8000/status');
    expect(serverUrl('http://gpu:8000/synctalk/', 'status')?.href).toBe(
      'http://gpu:8000/synctalk/status',
    );
    expect(serverUrl('wss://gpu', 'models')?.href).toBe('https://gpu/models');
    expect(serverUrl('ftp://gpu', 'models')).toBeNull();
    expect(serverUrl('not a url', 'models')).toBeNull();
    expect(displayOrigin('http://gpu:8000/')).toBe('http://gpu:8000');
  });
});

describe('SyncTalk HTTP against the reference server', () => {
  test('status and models come back in the real shapes', async () => {
    const server = await reference({ preloaded: ['alin_cc'] });
    const status = await getStatus(server.url);
    expect(status).toMatchObject({
      ok: true,
      value: {
        initialised: true,
        available: true,
        modelLoaded: true,
        loadedFolders: ['Alin-Cc-dataset'],
        capacity: { currentStreams: 0, maximumStreams: 5, availableStreams: 5 },
      },
    });
    expect(await listModels(server.url)).toEqual({ ok: true, value: ['alin_cc', 'jennifer'] });
  });

  test('ensureAvatarLoaded loads a missing avatar, reports progress, then finds it loaded', async () => {
    const server = await reference({ preloaded: [], loadDelayMs: 150 });
    const progress: AvatarLoadProgress[] = [];
    const first = await ensureAvatarLoaded(server.url, 'alin_cc', (step) => progress.push(step));
    expect(first).toMatchObject({
      ok: true,
      value: { avatarName: 'alin_cc', folderName: 'Alin-Cc-dataset', loadRequested: true },
    });
    expect(progress.map((step) => step.phase)).toEqual(['checking', 'loading', 'ready']);
    const second = await ensureAvatarLoaded(server.url, 'alin_cc', () => undefined);
    expect(second).toMatchObject({ ok: true, value: { loadRequested: false } });
  });

  test('a load already running (409) is waited for, not reported as a failure', async () => {
    const server = await reference({ preloaded: [], loadDelayMs: 400 });
    const progressB: AvatarLoadProgress[] = [];
    const loadA = ensureAvatarLoaded(server.url, 'jennifer', () => undefined);
    // B asks while A's load holds the server's single load slot.
    const loadB = ensureAvatarLoaded(server.url, 'alin_cc', (step) => progressB.push(step), {
      pollIntervalMs: 100,
    });
    const [resultA, resultB] = await Promise.all([loadA, loadB]);
    expect(resultA.ok && resultB.ok).toBe(true);
    expect(progressB.some((step) => step.phase === 'waiting')).toBe(true);
    const status = await getStatus(server.url);
    expect(status.ok && [...status.value.loadedFolders].sort()).toEqual([
      'Alin-Cc-dataset',
      'Jennifer-dataset',
    ]);
  });

  test('an unknown avatar is named with what the server offers', async () => {
    const server = await reference();
    const ensured = await ensureAvatarLoaded(server.url, 'Jennifer', () => undefined);
    expect(ensured.ok).toBe(false);
    if (ensured.ok) return;
    expect(ensured.error.code).toBe('invalid-request');
    expect(ensured.error.message).toContain('does not offer avatar "Jennifer"');
    expect(ensured.error.message).toContain('Did you mean "jennifer"?');
    // Straight to /load_model: the real server's 404 arrives wrapped in a 500.
    const loaded = await loadModel(server.url, 'bob');
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.error.code).toBe('invalid-request');
    expect(loaded.error.message).toContain('has no avatar "bob"');
    // Said as an unknown avatar, with what the server offers (issue 15, 7).
    expect(loaded.error.message).toMatch(/^Unknown avatar: /);
    expect(loaded.error.message).toContain('It offers "alin_cc", "jennifer".');
    expect(loaded.error.hint).toContain('/models');
    const typo = await loadModel(server.url, 'Alin-CC');
    expect(!typo.ok && typo.error.message).toContain('Did you mean "alin_cc"?');
  });
});

describe('SyncTalk HTTP failures say what to check', () => {
  test('connection refused', async () => {
    const url = await closedPortUrl();
    const status = await getStatus(url);
    expect(status.ok).toBe(false);
    if (status.ok) return;
    expect(status.error.code).toBe('not-available');
    expect(status.error.message).toBe(`No SyncTalk server answers at ${url} — is it running?`);
    expect(status.error.hint).toBe('Check SYNCTALK_SERVER_URL / the avatar settings.');
  });

  test('a server that never answers times out', async () => {
    const url = await stub(() => undefined);
    const status = await getStatus(url, { timeoutMs: 200 });
    expect(status.ok).toBe(false);
    if (status.ok) return;
    expect(status.error.message).toBe(
      `The SyncTalk server did not answer GET ${url}/status within 200 ms.`,
    );
  });

  test('something that is not SyncTalk', async () => {
    const url = await stub((request, response) => {
      if (request.url === '/status') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"hello":"world"}');
      } else {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html></html>');
      }
    });
    const status = await getStatus(url);
    expect(status.ok).toBe(false);
    if (status.ok) return;
    expect(status.error.message).toContain('did not answer like a SyncTalk_2D server');
    expect(status.error.details?.length).toBeGreaterThan(0);
    const models = await listModels(url);
    expect(models.ok).toBe(false);
    if (models.ok) return;
    expect(models.error.message).toContain('body that is not JSON');
  });

  test('409 and 500 from /load_model', async () => {
    const url = await stub((request, response) => {
      // The same stub under a path prefix answers 500: one server, both cases.
      const busy = request.url === '/load_model';
      response.writeHead(busy ? 409 : 500, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          detail: busy ? 'Another model is currently being loaded' : 'Failed to load model: CUDA',
        }),
      );
    });
    const busy = await loadModel(url, 'alin_cc');
    expect(busy.ok).toBe(false);
    if (busy.ok) return;
    expect(busy.error.message).toContain('is loading another avatar (409');
    const brokenUrl = `${url}/x/`;
    const broken = await loadModel(brokenUrl, 'alin_cc');
    expect(broken.ok).toBe(false);
    if (broken.ok) return;
    expect(broken.error.message).toContain(
      'failed to load avatar "alin_cc" (500: Failed to load model: CUDA)',
    );
  });

  test('the server still starting is a state, not an error', async () => {
    const url = await stub((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"error":"Stream manager not initialized"}');
    });
    expect(await getStatus(url)).toMatchObject({
      ok: true,
      value: { initialised: false, startupMessage: 'Stream manager not initialized' },
    });
  });
});

describe('SyncTalk HTTP answers are read only up to a cap', () => {
  test('an endless body is cut off with a clear error, /status and /load_model alike', async () => {
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const url = await stub((request, response) => {
      // A lesson names the server: this one answers every request with a body that never ends.
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"status": "');
      let open = true;
      response.on('close', () => {
        open = false;
      });
      const pump = () => {
        while (open && response.write(chunk)) sent += chunk.length;
        if (open) response.once('drain', pump);
      };
      pump();
    });
    for (const answer of [
      await getStatus(url, { timeoutMs: 20_000 }),
      await loadModel(url, 'alin_cc', { timeoutMs: 20_000 }),
    ]) {
      expect(answer.ok).toBe(false);
      if (answer.ok) return;
      expect(answer.error.code).toBe('not-available');
      expect(answer.error.message).toMatch(
        /^(GET|POST) http:\/\/127\.0\.0\.1:\d+\/(status|load_model) answered with more than 1024 KiB; a SyncTalk server's answers are small, so the rest was not read\.$/,
      );
    }
    // Stopped near the cap (socket buffers aside), not after the 20 s timeout's worth.
    expect(sent).toBeLessThan(maxResponseBytes * 16);
  });

  test('a declared length over the cap is refused before reading', async () => {
    const url = await stub((_request, response) => {
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(maxResponseBytes + 1),
      });
      response.write('{');
    });
    const status = await getStatus(url, { timeoutMs: 20_000 });
    expect(status.ok ? null : status.error.message).toContain('answered with more than 1024 KiB');
  });
});
