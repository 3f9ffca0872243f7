import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import { decodeWireMessage, encodeWireMessage } from '../../../shared/ipc/wire.ts';
import { ok, type Result } from '../../../shared/result.ts';
import type { Dispatcher } from '../../services/ipc/dispatcher.ts';
import { createMemoryLogger } from '../../services/logging/logger.ts';
import {
  appContentSecurityPolicy,
  createTokenBucket,
  defaultHeadlessLimits,
} from './headless-guard.ts';
import { ipcPath, startHeadlessServer, type HeadlessServer } from './headless-server.ts';
import { redeemLink } from '../../../../testing/support/headless-link.ts';

/**
 * The headless server against floods and lookers-on (issue 17, items 6 and 7): one-time links,
 * no reusable secret in what a command line or terminal shows, caps, rate limits and security
 * headers, on a real loopback server. The rate limits run on a clock the test steps, so "in one
 * second" means exactly that whatever the machine's load.
 */

const appPolicy = "default-src 'none'; script-src 'self'; connect-src 'self'";

interface Fixture {
  root: string;
  server: HeadlessServer;
  logger: ReturnType<typeof createMemoryLogger>;
  clock: { ms: number };
  handled: { invoke: number; send: number };
}

const fixtures: Fixture[] = [];

afterEach(async () => {
  for (const fixture of fixtures.splice(0)) {
    await fixture.server.close();
    await rm(fixture.root, { recursive: true, force: true });
  }
});

async function startFixture(): Promise<Fixture> {
  const root = await mkdtemp(join(tmpdir(), 'rapido-headless-guard-'));
  await writeFile(
    join(root, 'index.html'),
    `<!doctype html><meta http-equiv="Content-Security-Policy" content="${appPolicy}" /><title>x</title>`,
  );
  const handled = { invoke: 0, send: 0 };
  const dispatcher: Dispatcher = {
    invoke() {
      handled.invoke += 1;
      return Promise.resolve(ok({}) as Result<never>);
    },
    send() {
      handled.send += 1;
    },
  };
  const clock = { ms: 1_000_000 };
  const logger = createMemoryLogger();
  const server = await startHeadlessServer({
    rendererDir: root,
    dispatcher,
    logger,
    now: () => clock.ms,
  });
  const fixture = { root, server, logger, clock, handled };
  fixtures.push(fixture);
  return fixture;
}

async function sessionToken(server: HeadlessServer): Promise<string> {
  const redeemed = await redeemLink(server, server.appUrl);
  if (redeemed.token === null) throw new Error(`bootstrap refused: ${redeemed.status}`);
  return redeemed.token;
}

type Handshake =
  { kind: 'open'; socket: WebSocket } | { kind: 'refused'; statusCode: number; body: string };

function handshake(server: HeadlessServer, token: string): Promise<Handshake> {
  const url = new URL(ipcPath, server.origin.replace(/^http/, 'ws'));
  url.searchParams.set('token', token);
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.href, { origin: server.origin });
    socket.once('open', () => resolve({ kind: 'open', socket }));
    socket.once('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve({
          kind: 'refused',
          statusCode: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        socket.terminate();
      });
    });
    socket.once('error', reject);
  });
}

async function openClient(server: HeadlessServer, token: string) {
  const opened = await handshake(server, token);
  if (opened.kind !== 'open') throw new Error(`refused with ${opened.statusCode}`);
  const socket = opened.socket;
  const answers = new Map<number, (value: unknown) => void>();
  socket.on('message', (data: RawData) => {
    const message = decodeWireMessage(new Uint8Array(data as Buffer));
    if (message.kind === 'result') answers.get(message.id)?.(message.value);
  });
  let nextId = 1;
  return {
    socket,
    invoke(channel: string, payload: unknown): Promise<Result<unknown>> {
      const id = nextId++;
      return new Promise((resolve) => {
        answers.set(id, (value) => resolve(value as Result<unknown>));
        socket.send(encodeWireMessage({ kind: 'invoke', id, channel, payload }));
      });
    },
    send(channel: string, payload: unknown) {
      socket.send(encodeWireMessage({ kind: 'send', channel, payload }));
    },
  };
}

function get(
  server: HeadlessServer,
  path: string,
  agent?: Agent,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { port } = new URL(server.origin);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, path, ...(agent ? { agent } : {}) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: { ...response.headers },
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** A raw HTTP exchange on its own socket, left open: resolves with the answer's status line. */
function openSocketAndAsk(
  server: HeadlessServer,
): Promise<{ status: string; text: string; closed: Promise<void> }> {
  const { port } = new URL(server.origin);
  return new Promise((resolve, reject) => {
    const socket = netConnect(Number(port), '127.0.0.1', () =>
      socket.write('GET /missing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'),
    );
    let text = '';
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n'))
        resolve({ status: text.slice(0, text.indexOf('\r\n')), text, closed });
    });
    socket.on('error', reject);
    sockets.push(socket);
  });
}
const sockets: ReturnType<typeof netConnect>[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});

const expectedHeaders = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

function expectSecurityHeaders(headers: Record<string, unknown>, policy: string): void {
  expect(headers).toMatchObject({ ...expectedHeaders, 'content-security-policy': policy });
}

describe('one-time links instead of a reusable token', () => {
  it('puts no session token in the link, and burns the link on first use', async () => {
    const { server } = await startFixture();
    const link = server.appUrl;
    expect(link).not.toContain('token');
    expect(new URL(link).search).toBe('');
    const first = await redeemLink(server, link);
    expect(first.status).toBe(200);
    expect(first.token).toMatch(/^[\w-]{40,}$/);
    expect(link).not.toContain(first.token);
    expect((await redeemLink(server, link)).status).toBe(403);
    // The nonce itself opens nothing.
    const nonce = new URLSearchParams(new URL(link).hash.slice(1)).get('boot') ?? '';
    expect(await handshake(server, nonce)).toMatchObject({ kind: 'refused', statusCode: 403 });
    const client = await openClient(server, first.token ?? '');
    expect(await client.invoke('app:get-launch', {})).toEqual(ok({}));
    client.socket.terminate();
  });

  it('mints a different link on each read and refuses other origins and methods', async () => {
    const { server } = await startFixture();
    const [a, b, c] = [server.appUrl, server.appUrl, server.appUrl];
    expect(new Set([a, b, c]).size).toBe(3);
    expect((await redeemLink(server, a, { origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect((await redeemLink(server, b, { method: 'GET' })).status).toBe(403);
    // A refused attempt does not burn the link for the page.
    expect((await redeemLink(server, a)).status).toBe(200);
    expect((await redeemLink(server, c)).status).toBe(200);
  });

  it('forgets the oldest unused link past the cap', async () => {
    const { server } = await startFixture();
    const links = Array.from(
      { length: defaultHeadlessLimits.maxPendingLinks + 1 },
      () => server.appUrl,
    );
    expect((await redeemLink(server, links[0] ?? '')).status).toBe(403);
    expect((await redeemLink(server, links.at(-1) ?? '')).status).toBe(200);
  });
});

describe('security headers on every answer', () => {
  it('on files, errors, the bootstrap and rate-limit refusals', async () => {
    const fixture = await startFixture();
    const { server } = fixture;
    const strict = "default-src 'none'; frame-ancestors 'none'";
    const index = await get(server, '/');
    expect(index.status).toBe(200);
    expectSecurityHeaders(index.headers, `${appPolicy}; frame-ancestors 'none'`);
    const missing = await get(server, '/missing.js');
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing.headers, strict);
    const malformed = await get(server, '/%');
    expect(malformed.status).toBe(400);
    expectSecurityHeaders(malformed.headers, strict);
    const bootstrap = await redeemLink(server, server.appUrl);
    expect(bootstrap.status).toBe(200);
    expectSecurityHeaders(bootstrap.headers, `${appPolicy}; frame-ancestors 'none'`);
    const refusedBootstrap = await redeemLink(server, `${server.origin}/#boot=guess`);
    expect(refusedBootstrap.status).toBe(403);
    expectSecurityHeaders(refusedBootstrap.headers, strict);
    // A frozen clock: the burst is all there is.
    for (let i = 0; i < defaultHeadlessLimits.httpBurst; i += 1) await get(server, '/missing');
    const limited = await get(server, '/');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expectSecurityHeaders(limited.headers, strict);
  });

  it('on a refused WebSocket upgrade', async () => {
    const { server } = await startFixture();
    const { port } = new URL(server.origin);
    const text = await new Promise<string>((resolve, reject) => {
      const socket = netConnect(Number(port), '127.0.0.1', () =>
        socket.write(
          `GET ${ipcPath}?token=guess HTTP/1.1\r\nHost: x\r\nOrigin: ${server.origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        ),
      );
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.on('end', () => {
        socket.end();
        resolve(answer);
      });
      socket.on('error', reject);
    });
    expect(text).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    for (const [name, value] of Object.entries(expectedHeaders))
      expect(text.toLowerCase()).toContain(`${name}: ${value}`);
  });

  it('takes the app policy from the built page, adding frame-ancestors', () => {
    const built = `<meta\n  http-equiv="Content-Security-Policy"\n  content="default-src 'none'; connect-src 'self'"\n/>`;
    expect(appContentSecurityPolicy(built)).toBe(
      "default-src 'none'; connect-src 'self'; frame-ancestors 'none'",
    );
    expect(appContentSecurityPolicy('<title>no policy</title>')).toContain("default-src 'self'");
  });
});

describe('rate limits', () => {
  it('answers 10,000 calls in one second with the burst served and the rest politely refused', async () => {
    const fixture = await startFixture();
    const { server, handled } = fixture;
    const flooder = await openClient(server, await sessionToken(server));
    const bystander = await openClient(server, await sessionToken(server));
    const answers = await Promise.all(
      Array.from({ length: 10_000 }, () => flooder.invoke('app:get-launch', {})),
    );
    const served = answers.filter((a) => a.ok).length;
    const refused = answers.filter((a) => !a.ok && a.error.code === 'not-available');
    expect(served).toBe(defaultHeadlessLimits.callBurst);
    expect(refused).toHaveLength(10_000 - defaultHeadlessLimits.callBurst);
    expect(refused[0]?.ok === false && refused[0].error.message).toMatch(/too many calls/i);
    expect(handled.invoke).toBe(defaultHeadlessLimits.callBurst);
    // Another page's session is not starved by the flood.
    expect(await bystander.invoke('app:get-launch', {})).toEqual(ok({}));
    // Sends beyond the rate are dropped.
    for (let i = 0; i < 100; i += 1) flooder.send('voice:warm', {});
    expect(await bystander.invoke('app:get-launch', {})).toEqual(ok({}));
    expect(handled.send).toBe(0);
    // One warning for the run, not one per refusal.
    const warnings = fixture.logger.lines.filter((l) => l.record.event_type === 'ipc_rate_limited');
    expect(warnings.length).toBeLessThanOrEqual(2);
    // A second later the flooder is served again, at the long-run rate.
    fixture.clock.ms += 1000;
    const later = await Promise.all(
      Array.from({ length: defaultHeadlessLimits.callsPerSecond + 1 }, () =>
        flooder.invoke('app:get-launch', {}),
      ),
    );
    expect(later.filter((a) => a.ok)).toHaveLength(defaultHeadlessLimits.callsPerSecond);
    flooder.socket.terminate();
    bystander.socket.terminate();
  });

  it('passes normal use: a 1,000-slide lesson opening, then a minute of 30 frame credits a second', async () => {
    const fixture = await startFixture();
    const client = await openClient(fixture.server, await sessionToken(fixture.server));
    const opening = await Promise.all(
      Array.from({ length: 1000 }, () => client.invoke('lesson:read-asset', {})),
    );
    expect(opening.every((a) => a.ok)).toBe(true);
    for (let second = 0; second < 60; second += 1) {
      fixture.clock.ms += 1000;
      for (let frame = 0; frame < 30; frame += 1) client.send('avatar:segment-credit', {});
      expect(await client.invoke('app:get-launch', {})).toEqual(ok({}));
    }
    expect(fixture.handled.send).toBe(60 * 30);
    client.socket.terminate();
  });

  it('refuses HTTP requests over the rate with 429, then serves again', async () => {
    const fixture = await startFixture();
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const answers = await Promise.all(
      Array.from({ length: 1000 }, () => get(fixture.server, '/', agent)),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(defaultHeadlessLimits.httpBurst);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(
      1000 - defaultHeadlessLimits.httpBurst,
    );
    fixture.clock.ms += 1000;
    expect((await get(fixture.server, '/', agent)).status).toBe(200);
    agent.destroy();
  });

  it('keeps one token bucket exact: burst, then the long-run rate', () => {
    const clock = { ms: 0 };
    const bucket = createTokenBucket(3, 2, () => clock.ms);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    clock.ms += 500;
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    clock.ms += 60_000;
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});

describe('connection caps', () => {
  it('serves the first 64 of 200 open sockets and answers the rest 429 with a reason, then closes them', async () => {
    const { server } = await startFixture();
    const answers: Awaited<ReturnType<typeof openSocketAndAsk>>[] = [];
    // One at a time, so the order in which the server accepts them is known.
    for (let i = 0; i < 200; i += 1) answers.push(await openSocketAndAsk(server));
    const served = answers.filter((a) => a.status === 'HTTP/1.1 404 Not Found');
    const refused = answers.filter((a) => a.status === 'HTTP/1.1 429 Too Many Requests');
    expect(served).toHaveLength(defaultHeadlessLimits.maxSockets);
    expect(refused).toHaveLength(200 - defaultHeadlessLimits.maxSockets);
    expect(answers.slice(0, defaultHeadlessLimits.maxSockets).map((a) => a.status)).toEqual(
      served.map((a) => a.status),
    );
    expect(refused[0]?.text).toMatch(/at most 64 connections/);
    expect(refused[0]?.text.toLowerCase()).toContain('x-content-type-options: nosniff');
    // The server closes the refused ones itself.
    for (const answer of refused) await answer.closed;
    // Once served sockets go, new ones are served again.
    for (const socket of sockets.splice(0, 10)) socket.destroy();
    await served[9]?.closed;
    let again = await get(server, '/');
    // The server may not have seen the closes yet: a refusal then is the cap still holding.
    while (again.status === 429) again = await get(server, '/');
    expect(again.status).toBe(200);
  });

  it('refuses a WebSocket past the cap with 429 and a reason', async () => {
    const { server } = await startFixture();
    const token = await sessionToken(server);
    const open: WebSocket[] = [];
    for (let i = 0; i < defaultHeadlessLimits.maxClients; i += 1) {
      const answer = await handshake(server, token);
      if (answer.kind !== 'open') throw new Error(`client ${i} refused with ${answer.statusCode}`);
      open.push(answer.socket);
    }
    const extra = await handshake(server, token);
    expect(extra).toMatchObject({ kind: 'refused', statusCode: 429 });
    if (extra.kind === 'refused') expect(extra.body).toMatch(/at most 16 pages/);
    for (const socket of open) socket.terminate();
  });
});
