import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import type { SendPayload } from '../../../shared/ipc/contract.ts';
import {
  decodeWireMessage,
  encodeWireMessage,
  type WireMessage,
} from '../../../shared/ipc/wire.ts';
import { ok } from '../../../shared/result.ts';
import {
  createDispatcher,
  type CallContext,
  type Dispatcher,
  type InvokeHandlers,
  type SendHandlers,
} from '../../services/ipc/dispatcher.ts';
import { createMemoryLogger } from '../../services/logging/logger.ts';
import { ipcPath, startHeadlessServer, type HeadlessServer } from './headless-server.ts';
import { redeemLink } from '../../../../testing/support/headless-link.ts';

/**
 * The headless host's transport against a real loopback server and a real `ws` client: who may
 * connect, what crosses the wire (binary intact), what is dropped, and which files are served.
 */

const secretText = 'SECRET-OUTSIDE-THE-RENDERER';

interface Fixture {
  root: string;
  rendererDir: string;
  server: HeadlessServer;
  /** A session token, bought with a one-time link as the page does. */
  token: string;
  logger: ReturnType<typeof createMemoryLogger>;
  /** Every call that reached the dispatcher, before validation. */
  dispatched: { kind: 'invoke' | 'send'; channel: string }[];
  /** Every call that reached a handler, after validation. */
  handled: { channel: string; context: CallContext }[];
  appended: Uint8Array<ArrayBuffer>[];
  logged: SendPayload<'log:write'>[];
}

function unexpected(): Promise<never> {
  return Promise.reject(new Error('this channel is not used by the test'));
}

function stubHandlers(fixture: Pick<Fixture, 'handled' | 'appended' | 'logged'>): {
  invoke: InvokeHandlers;
  send: SendHandlers;
} {
  return {
    invoke: {
      'app:get-launch': unexpected,
      'lesson:open': unexpected,
      'lesson:open-sample': unexpected,
      'lesson:choose-folder': unexpected,
      'lesson:import-images': unexpected,
      'lesson:save': unexpected,
      'lesson:write-asset': unexpected,
      'lesson:recent': unexpected,
      'lesson:convert-pptx': unexpected,
      'lesson:read-predecessor': unexpected,
      'lesson:fetch-plan-assets': unexpected,
      'lesson:read-plan-asset': unexpected,
      'lesson:fetch-plan-cancel': unexpected,
      'app:metrics': unexpected,
      'program-window:displays': unexpected,
      'program-window:place': unexpected,
      // Hands back the last appended chunk: binary in via one call, out via the other.
      'lesson:read-asset': (request, context) => {
        fixture.handled.push({ channel: 'lesson:read-asset', context });
        const last = fixture.appended.at(-1);
        if (last === undefined) return unexpected();
        return Promise.resolve(
          ok({ bytes: last, mimeType: `application/x-${request.path.replace(/\W/g, '')}` }),
        );
      },
      'speech:synthesize': unexpected,
      'voice:elevenlabs-status': unexpected,
      'voice:elevenlabs-set-key': unexpected,
      'voice:elevenlabs-clear-key': unexpected,
      'voice:elevenlabs-voices': unexpected,
      'voice:elevenlabs-models': unexpected,
      'voice:elevenlabs-quota': unexpected,
      'voice:estimate': unexpected,
      'avatar:synctalk-check': unexpected,
      'avatar:synctalk-load': unexpected,
      'avatar:segment': unexpected,
      'pipeline:prepare-lesson': unexpected,
      'live:get-config': unexpected,
      'live:save-config': unexpected,
      'live:connect-info': unexpected,
      'recording:start': unexpected,
      'recording:append': (request, context) => {
        fixture.handled.push({ channel: 'recording:append', context });
        fixture.appended.push(request.chunk);
        return Promise.resolve(
          ok({
            recordingId: request.recordingId,
            path: '/recordings/talk.mp4',
            bytesWritten: request.chunk.byteLength,
          }),
        );
      },
      'recording:finish': unexpected,
      'recording:choose-folder': unexpected,
      'export:start': unexpected,
      'export:write': unexpected,
      'export:finish': unexpected,
      'export:cancel': unexpected,
      'shell:show-file': (_request, context) => {
        fixture.handled.push({ channel: 'shell:show-file', context });
        return Promise.resolve(ok({}));
      },
      'import:read-source': unexpected,
    },
    send: {
      'log:write': (payload, context) => {
        fixture.handled.push({ channel: 'log:write', context });
        fixture.logged.push(payload);
      },
      'render:progress': (_payload, context) => {
        fixture.handled.push({ channel: 'render:progress', context });
      },
      'import:progress': () => undefined,
      'avatar:segment-credit': () => undefined,
      'avatar:segment-cancel': () => undefined,
      'pipeline:prepare-cancel': () => undefined,
      'voice:warm': () => undefined,
    },
  };
}

function counting(dispatcher: Dispatcher, dispatched: Fixture['dispatched']): Dispatcher {
  return {
    invoke(channel, payload, context) {
      dispatched.push({ kind: 'invoke', channel });
      return dispatcher.invoke(channel, payload, context);
    },
    send(channel, payload, context) {
      dispatched.push({ kind: 'send', channel });
      dispatcher.send(channel, payload, context);
    },
  };
}

async function makeRendererDir(): Promise<{ root: string; rendererDir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'rapido-headless-server-'));
  const rendererDir = join(root, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>fake renderer</title>');
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log("app");');
  await writeFile(join(rendererDir, 'assets', 'style.css'), 'body { margin: 0 }');
  await writeFile(join(rendererDir, 'assets', 'voice.wasm'), new Uint8Array([0, 97, 115, 109]));
  await writeFile(join(rendererDir, 'assets', 'blob.xyz'), 'opaque');
  // Targets a traversal would reach: the parent folder and a sibling sharing the name's prefix.
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: secretText }));
  await writeFile(join(root, 'secret.txt'), secretText);
  await mkdir(join(root, 'renderer-private'));
  await writeFile(join(root, 'renderer-private', 'file.txt'), secretText);
  return { root, rendererDir };
}

async function startFixture(
  options: { rendererDir?: (dir: string) => string; dispatcher?: Dispatcher } = {},
): Promise<Fixture> {
  const { root, rendererDir } = await makeRendererDir();
  const logger = createMemoryLogger();
  const partial = {
    dispatched: [] as Fixture['dispatched'],
    handled: [] as Fixture['handled'],
    appended: [] as Uint8Array<ArrayBuffer>[],
    logged: [] as SendPayload<'log:write'>[],
  };
  const handlers = stubHandlers(partial);
  const dispatcher =
    options.dispatcher ?? createDispatcher(handlers.invoke, handlers.send, logger.child('ipc'));
  const server = await startHeadlessServer({
    rendererDir: options.rendererDir ? options.rendererDir(rendererDir) : rendererDir,
    dispatcher: counting(dispatcher, partial.dispatched),
    logger,
  });
  const token = await redeemLink(server, server.appUrl);
  if (token.status !== 200 || token.token === null) throw new Error('no session token');
  return { root, rendererDir, server, token: token.token, logger, ...partial };
}

function ipcUrl(server: HeadlessServer, token: string | null, path = ipcPath): string {
  const url = new URL(path, server.origin.replace(/^http/, 'ws'));
  if (token !== null) url.searchParams.set('token', token);
  return url.href;
}

type Handshake = { kind: 'open'; socket: WebSocket } | { kind: 'refused'; statusCode: number };

/** Opens a WebSocket and reports whether the server accepted it or answered with a status. */
function handshake(url: string, origin: string | undefined): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, origin === undefined ? {} : { origin });
    socket.once('open', () => resolve({ kind: 'open', socket }));
    socket.once('unexpected-response', (_request, response) => {
      response.resume();
      resolve({ kind: 'refused', statusCode: response.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

/** A minimal renderer-side client: invoke with ids, collect events, in wire frames. */
function wireClient(socket: WebSocket) {
  let nextId = 1;
  const pending = new Map<number, (value: unknown) => void>();
  const events: WireMessage[] = [];
  const eventWaiters: ((message: WireMessage) => void)[] = [];
  socket.on('message', (data: RawData, isBinary: boolean) => {
    if (!isBinary || !(data instanceof Buffer))
      throw new Error('the server sent a non-binary frame');
    const message = decodeWireMessage(new Uint8Array(data));
    if (message.kind === 'result') {
      pending.get(message.id)?.(message.value);
      pending.delete(message.id);
    } else if (message.kind === 'event') {
      const waiter = eventWaiters.shift();
      if (waiter) waiter(message);
      else events.push(message);
    }
  });
  return {
    invoke(channel: string, payload: unknown): Promise<unknown> {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        socket.send(encodeWireMessage({ kind: 'invoke', id, channel, payload }));
      });
    },
    send(channel: string, payload: unknown): void {
      socket.send(encodeWireMessage({ kind: 'send', channel, payload }));
    },
    nextEvent(): Promise<WireMessage> {
      const queued = events.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve) => eventWaiters.push(resolve));
    },
  };
}

async function connectClient(fixture: Fixture) {
  const opened = await handshake(ipcUrl(fixture.server, fixture.token), fixture.server.origin);
  if (opened.kind !== 'open') throw new Error(`refused with ${opened.statusCode}`);
  return { socket: opened.socket, client: wireClient(opened.socket) };
}

/** A GET with the path sent byte for byte (fetch would normalise `..` away before sending). */
function rawGet(
  server: HeadlessServer,
  path: string,
  method = 'GET',
): Promise<{
  status: number;
  contentType: string | undefined;
  nosniff: string | undefined;
  body: string;
}> {
  const { port } = new URL(server.origin);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          contentType: response.headers['content-type'],
          nosniff: response.headers['x-content-type-options'] as string | undefined,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

/** Writes raw bytes to the server and resolves with whatever it answers before closing. */
function rawExchange(server: HeadlessServer, bytes: string): Promise<string> {
  const { port } = new URL(server.origin);
  return new Promise((resolve, reject) => {
    const socket = netConnect(Number(port), '127.0.0.1', () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}

function closed(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => socket.once('close', (code: number) => resolve(code)));
}

function bytesOf(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  // Every byte value appears, and no run of them could pass for JSON text.
  for (let i = 0; i < length; i += 1) bytes[i] = (i * 131 + seed) & 0xff;
  return bytes;
}

describe('headless server', () => {
  let fixture: Fixture;
  const sockets: WebSocket[] = [];

  beforeEach(async () => {
    fixture = await startFixture();
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await fixture.server.close();
    await rm(fixture.root, { recursive: true, force: true });
  });

  describe('refuses WebSockets that are not the app page', () => {
    const cases: {
      name: string;
      url: (f: Fixture) => string;
      origin: (f: Fixture) => string | undefined;
    }[] = [
      {
        name: 'a wrong token',
        url: (f) => ipcUrl(f.server, `${f.token}x`),
        origin: (f) => f.server.origin,
      },
      {
        name: 'a token of the right length but wrong',
        url: (f) =>
          ipcUrl(
            f.server,
            f.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
          ),
        origin: (f) => f.server.origin,
      },
      { name: 'no token', url: (f) => ipcUrl(f.server, null), origin: (f) => f.server.origin },
      {
        name: 'another origin',
        url: (f) => ipcUrl(f.server, f.token),
        origin: () => 'http://127.0.0.1:1',
      },
      {
        name: 'a lookalike origin',
        url: (f) => ipcUrl(f.server, f.token),
        origin: (f) => f.server.origin.replace('127.0.0.1', 'localhost'),
      },
      {
        name: 'no origin (a non-browser client)',
        url: (f) => ipcUrl(f.server, f.token),
        origin: () => undefined,
      },
      {
        name: 'another path',
        url: (f) => ipcUrl(f.server, f.token, '/other-ipc'),
        origin: (f) => f.server.origin,
      },
      {
        name: 'the IPC path with a suffix',
        url: (f) => ipcUrl(f.server, f.token, `${ipcPath}/x`),
        origin: (f) => f.server.origin,
      },
    ];
    for (const testCase of cases) {
      it(`with ${testCase.name}: 403, and nothing is dispatched`, async () => {
        const answer = await handshake(testCase.url(fixture), testCase.origin(fixture));
        if (answer.kind === 'open') sockets.push(answer.socket);
        expect(answer).toEqual({ kind: 'refused', statusCode: 403 });
        expect(fixture.dispatched).toEqual([]);
        expect(fixture.handled).toEqual([]);
        expect(
          fixture.logger.lines.filter((l) => l.record.event_type === 'ipc_rejected'),
        ).toHaveLength(1);
      });
    }

    it('never writes the token to the log', async () => {
      await handshake(ipcUrl(fixture.server, 'guess'), fixture.server.origin);
      const { socket, client } = await connectClient(fixture);
      sockets.push(socket);
      await client.invoke('shell:show-file', { path: '/x' });
      const text = JSON.stringify(fixture.logger.lines);
      expect(text).not.toContain(fixture.token);
    });
  });

  it('round-trips binary payloads intact, in and out, with the socket as the caller', async () => {
    const { socket, client } = await connectClient(fixture);
    sockets.push(socket);
    const chunk = bytesOf(300_001, 7);

    const appended = await client.invoke('recording:append', { recordingId: 'rec-1', chunk });
    expect(appended).toEqual({
      ok: true,
      value: { recordingId: 'rec-1', path: '/recordings/talk.mp4', bytesWritten: 300_001 },
    });
    const received = fixture.appended[0];
    expect(received).toBeInstanceOf(Uint8Array);
    expect(received?.byteLength).toBe(chunk.byteLength);
    expect(Buffer.from(received ?? []).equals(Buffer.from(chunk))).toBe(true);

    const read = await client.invoke('lesson:read-asset', { lessonDir: '/l', path: 'slide.png' });
    expect(read).toMatchObject({ ok: true, value: { mimeType: 'application/x-slidepng' } });
    const bytes = (read as { value: { bytes: unknown } }).value.bytes;
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(bytes as Uint8Array).equals(Buffer.from(chunk))).toBe(true);

    expect(fixture.handled.map((h) => h.channel)).toEqual([
      'recording:append',
      'lesson:read-asset',
    ]);
    expect(fixture.handled[0]?.context).toEqual({ transport: 'websocket', clientId: 'ws-1' });
  });

  it('answers invalid requests with a Result, never running the handler', async () => {
    const { socket, client } = await connectClient(fixture);
    sockets.push(socket);
    const unknown = await client.invoke('fs:delete-everything', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const badPayload = await client.invoke('recording:append', {
      recordingId: 'r',
      chunk: 'not bytes',
    });
    expect(badPayload).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(fixture.handled).toEqual([]);
  });

  it('carries fire-and-forget messages to the send handlers', async () => {
    const { socket, client } = await connectClient(fixture);
    sockets.push(socket);
    const entry = {
      level: 'info',
      logger: 'test',
      message: 'hello from the page',
      lessonId: 'lesson-1',
      eventType: 'test_event',
    } as const;
    client.send('log:write', entry);
    // Frames are handled in order, so once this answer is back the send has been handled.
    await client.invoke('shell:show-file', { path: '/x' });
    expect(fixture.logged).toEqual([entry]);
  });

  it('drops a text frame and a malformed binary frame, then answers the next invoke', async () => {
    const { socket, client } = await connectClient(fixture);
    sockets.push(socket);
    socket.send(
      JSON.stringify({
        kind: 'invoke',
        id: 1,
        channel: 'shell:show-file',
        payload: { path: '/x' },
      }),
    );
    socket.send(new Uint8Array([1, 2, 3]));
    socket.send(new Uint8Array([255, 255, 255, 255, 0]));
    const headerLie = encodeWireMessage({ kind: 'send', channel: 'log:write', payload: {} });
    socket.send(headerLie.subarray(0, headerLie.byteLength - 3));
    socket.send(new Uint8Array([...new Uint8Array(new Uint32Array([2]).buffer), 0x7b, 0x7d]));

    const answer = await client.invoke('shell:show-file', { path: '/x' });
    expect(answer).toEqual({ ok: true, value: {} });
    expect(fixture.handled.map((h) => h.channel)).toEqual(['shell:show-file']);
    const rejected = fixture.logger.lines.filter((l) => l.record.event_type === 'ipc_rejected');
    expect(rejected.map((l) => l.record.message)).toEqual([
      'dropped a non-binary IPC message',
      'dropped a malformed IPC frame',
      'dropped a malformed IPC frame',
      'dropped a malformed IPC frame',
      'dropped a malformed IPC frame',
    ]);
  });

  it('survives a frame the WebSocket layer itself rejects (invalid UTF-8 text)', async () => {
    const first = await connectClient(fixture);
    sockets.push(first.socket);
    const closing = closed(first.socket);
    first.socket.send(Buffer.from([0xc3, 0x28, 0xff]), { binary: false });
    // The protocol error closes that connection (1007) instead of taking the host down.
    expect(await closing).toBe(1007);
    const second = await connectClient(fixture);
    sockets.push(second.socket);
    expect(await second.client.invoke('shell:show-file', { path: '/x' })).toEqual({
      ok: true,
      value: {},
    });
  });

  it('emits events to every connected client', async () => {
    const one = await connectClient(fixture);
    const two = await connectClient(fixture);
    sockets.push(one.socket, two.socket);
    fixture.server.emit('app:command', { command: 'next-slide' });
    const expected = { kind: 'event', channel: 'app:command', payload: { command: 'next-slide' } };
    expect(await one.client.nextEvent()).toEqual(expected);
    expect(await two.client.nextEvent()).toEqual(expected);
  });

  it('keeps emitting to the clients still connected after one leaves', async () => {
    const one = await connectClient(fixture);
    const two = await connectClient(fixture);
    sockets.push(one.socket, two.socket);
    const gone = closed(one.socket);
    one.socket.close();
    await gone;
    // The server has seen the close once a round trip on the other socket completes after it.
    await two.client.invoke('shell:show-file', { path: '/x' });
    fixture.server.emit('app:command', { command: 'play' });
    expect(await two.client.nextEvent()).toMatchObject({ payload: { command: 'play' } });
  });

  describe('static files', () => {
    const types: [string, string][] = [
      ['/', 'text/html; charset=utf-8'],
      ['/index.html', 'text/html; charset=utf-8'],
      ['/assets/app.js', 'text/javascript; charset=utf-8'],
      ['/assets/style.css', 'text/css; charset=utf-8'],
      ['/assets/voice.wasm', 'application/wasm'],
      ['/assets/blob.xyz', 'application/octet-stream'],
    ];
    for (const [path, type] of types) {
      it(`serves ${path} as ${type}`, async () => {
        const answer = await rawGet(fixture.server, path);
        expect(answer.status).toBe(200);
        expect(answer.contentType).toBe(type);
        expect(answer.nosniff).toBe('nosniff');
      });
    }

    it('serves the file contents', async () => {
      expect((await rawGet(fixture.server, '/')).body).toContain('fake renderer');
      expect((await rawGet(fixture.server, '/assets/app.js?v=1')).body).toBe('console.log("app");');
    });

    it('answers 404 for missing files, folders and methods other than GET', async () => {
      expect((await rawGet(fixture.server, '/missing.js')).status).toBe(404);
      expect((await rawGet(fixture.server, '/assets')).status).toBe(404);
      expect((await rawGet(fixture.server, '/index.html', 'POST')).status).toBe(404);
    });

    const traversals = [
      '/../package.json',
      '/%2e%2e/package.json',
      '/..%2fpackage.json',
      '/%2e%2e%2fpackage.json',
      '/assets/..%2f..%2fsecret.txt',
      '/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/..%2frenderer-private%2ffile.txt',
      '/%2e%2e%5csecret.txt',
    ];
    for (const path of traversals) {
      it(`refuses the traversal ${path}`, async () => {
        const answer = await rawGet(fixture.server, path);
        expect(answer.status).toBe(404);
        expect(answer.body).not.toContain(secretText);
      });
    }

    it('answers a malformed URL with 400 and keeps serving', async () => {
      expect((await rawGet(fixture.server, '/%E0%A4%A')).status).toBe(400);
      expect((await rawGet(fixture.server, '/%')).status).toBe(400);
      expect((await rawGet(fixture.server, '/')).status).toBe(200);
    });

    it('survives unparsable request targets on plain and upgrade requests', async () => {
      const plain = await rawExchange(fixture.server, 'GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(plain).toMatch(/^HTTP\/1\.1 4\d\d /);
      const upgrade = await rawExchange(
        fixture.server,
        'GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          `Origin: ${fixture.server.origin}\r\nSec-WebSocket-Version: 13\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      expect(upgrade).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect((await rawGet(fixture.server, '/')).status).toBe(200);
    });
  });
});

describe('headless server setup', () => {
  it('serves from a renderer folder given with a trailing separator', async () => {
    const fixture = await startFixture({ rendererDir: (dir) => `${dir}/` });
    try {
      expect((await rawGet(fixture.server, '/')).status).toBe(200);
      expect((await rawGet(fixture.server, '/../secret.txt')).status).toBe(404);
      expect((await rawGet(fixture.server, '/..%2fsecret.txt')).status).toBe(404);
    } finally {
      await fixture.server.close();
      await rm(fixture.root, { recursive: true, force: true });
    }
  });

  it('answers with an internal error when a handler returns what the wire cannot carry', async () => {
    const fixture = await startFixture({
      dispatcher: {
        // A Float32Array cannot cross the wire (only Uint8Array can): a handler bug.
        invoke: () => Promise.resolve(ok({ samples: new Float32Array(4) })),
        send: () => undefined,
      },
    });
    try {
      const { socket, client } = await connectClient(fixture);
      const answer = await client.invoke('speech:synthesize', {});
      expect(answer).toMatchObject({ ok: false, error: { code: 'internal' } });
      expect(fixture.logger.lines.some((l) => l.record.event_type === 'ipc_handler_bug')).toBe(
        true,
      );
      expect(await client.invoke('speech:synthesize', {})).toMatchObject({ ok: false });
      socket.terminate();
    } finally {
      await fixture.server.close();
      await rm(fixture.root, { recursive: true, force: true });
    }
  });

  it('closes open connections on close()', async () => {
    const fixture = await startFixture();
    const { socket } = await connectClient(fixture);
    const gone = closed(socket);
    await fixture.server.close();
    expect(await gone).toBeGreaterThan(0);
    await rm(fixture.root, { recursive: true, force: true });
  });
});
