import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeWireMessage, encodeWireMessage } from '../../shared/ipc/wire.ts';
import { createHeadlessTransport } from './headless-transport.ts';

/**
 * The page's side of the one-time link (issue 17, item 6): the nonce leaves the address bar at
 * once, is traded for a session token kept in the tab, and the socket opens with that token;
 * a reload uses the kept token; a used link says so. Browser globals are stand-ins that record.
 */

class FakeSocket {
  static opened: FakeSocket[] = [];
  binaryType = 'blob';
  readonly sent: Uint8Array[] = [];
  private readonly handlers = new Map<string, ((event: unknown) => void)[]>();
  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
    queueMicrotask(() => this.fire('open', {}));
  }
  addEventListener(type: string, handler: (event: unknown) => void) {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
  }
  send(frame: Uint8Array) {
    this.sent.push(frame);
    const message = decodeWireMessage(frame);
    if (message.kind === 'invoke') {
      const answer = encodeWireMessage({ kind: 'result', id: message.id, value: 'answered' });
      queueMicrotask(() => this.fire('message', { data: answer.slice().buffer }));
    }
  }
  fire(type: string, event: unknown) {
    for (const handler of this.handlers.get(type) ?? []) handler(event);
  }
}

let storage: Map<string, string>;
let addressBar: string[];
let posts: { url: string; nonce: string | undefined }[];
let sessionAnswer: { ok: boolean; token?: string };

function locationOf(hash: string): Location {
  return {
    hash,
    pathname: '/',
    search: '?diagnostics=x',
    protocol: 'http:',
    host: '127.0.0.1:4000',
  } as Location;
}

beforeEach(() => {
  FakeSocket.opened = [];
  storage = new Map();
  addressBar = [];
  posts = [];
  sessionAnswer = { ok: true, token: 'session-token-1' };
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.stubGlobal('sessionStorage', {
    getItem: (key: string) => storage.get(key) ?? null,
    setItem: (key: string, value: string) => storage.set(key, value),
  });
  vi.stubGlobal('history', {
    state: null,
    replaceState: (_state: unknown, _title: string, url: string) => addressBar.push(url),
  });
  vi.stubGlobal('fetch', (url: string, init: { headers: Record<string, string> }) => {
    posts.push({ url, nonce: init.headers['x-rapido-bootstrap'] });
    return Promise.resolve({
      ok: sessionAnswer.ok,
      json: () => Promise.resolve({ token: sessionAnswer.token }),
    });
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the headless transport and its one-time link', () => {
  it('clears the nonce from the address bar, trades it, keeps the token and connects with it', async () => {
    const transport = createHeadlessTransport(locationOf('#boot=nonce-1'));
    expect(await transport.invoke('app:get-launch', {})).toBe('answered');
    expect(addressBar).toEqual(['/?diagnostics=x']);
    expect(posts).toEqual([{ url: '/rapido-session', nonce: 'nonce-1' }]);
    expect(storage.get('rapido-session-token')).toBe('session-token-1');
    expect(FakeSocket.opened.map((s) => s.url)).toEqual([
      'ws://127.0.0.1:4000/rapido-ipc?token=session-token-1',
    ]);
    // Nothing the address bar or a link held is the token.
    expect(addressBar.join()).not.toContain('session-token-1');
  });

  it('reconnects after a reload with the token the tab kept, asking for nothing', async () => {
    storage.set('rapido-session-token', 'kept-token');
    const transport = createHeadlessTransport(locationOf(''));
    expect(await transport.invoke('app:get-launch', {})).toBe('answered');
    expect(posts).toEqual([]);
    expect(FakeSocket.opened[0]?.url).toContain('token=kept-token');
  });

  it('says the link was used when the host refuses it and the tab has no token', async () => {
    sessionAnswer = { ok: false };
    const transport = createHeadlessTransport(locationOf('#boot=used'));
    await expect(transport.invoke('app:get-launch', {})).rejects.toThrow(/already used/);
    expect(FakeSocket.opened).toEqual([]);
    // A send without a connection is dropped, not an unhandled rejection.
    transport.send('voice:warm', {});
  });
});
