import type { RapidoTransport } from '../../shared/ipc/rapido-api.ts';
import { decodeWireMessage, encodeWireMessage } from '../../shared/ipc/wire.ts';

/** Where the tab keeps its session token: across reloads, never shared with other tabs. */
const sessionKey = 'rapido-session-token';

/**
 * The session token for this tab. A fresh page carries a one-time link's nonce in its fragment
 * (`#boot=`): it is taken off the address bar at once and traded, over a same-origin POST, for a
 * session token kept in sessionStorage, so a reload still connects while the link itself, which a
 * terminal or a command line may have shown, is worthless.
 */
async function sessionToken(location: Location): Promise<string> {
  const nonce = new URLSearchParams(location.hash.slice(1)).get('boot');
  if (nonce !== null) {
    history.replaceState(history.state, '', `${location.pathname}${location.search}`);
    const response = await fetch('/rapido-session', {
      method: 'POST',
      headers: { 'x-rapido-bootstrap': nonce },
      cache: 'no-store',
    });
    if (response.ok) {
      const { token } = (await response.json()) as { token: string };
      sessionStorage.setItem(sessionKey, token);
      return token;
    }
  }
  const stored = sessionStorage.getItem(sessionKey);
  if (stored === null) {
    throw new Error(
      'This Rapido link was already used or is not valid. For a new one, press Enter in the terminal running `rapido serve`.',
    );
  }
  return stored;
}

function openSocket(location: Location, token: string): WebSocket {
  return new WebSocket(
    `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rapido-ipc?token=${encodeURIComponent(token)}`,
  );
}

/**
 * The renderer's side of the headless host: the IPC contract over one binary WebSocket back to
 * the page's own origin, opened with the tab's session token.
 */
export function createHeadlessTransport(location: Location): RapidoTransport {
  const pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;

  function listen(socket: WebSocket): void {
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('message', (event: MessageEvent<ArrayBuffer>) => {
      const message = decodeWireMessage(new Uint8Array(event.data));
      if (message.kind === 'result') {
        pending.get(message.id)?.resolve(message.value);
        pending.delete(message.id);
      } else if (message.kind === 'event') {
        for (const listener of listeners.get(message.channel) ?? []) listener(message.payload);
      }
    });
    socket.addEventListener('close', () => {
      for (const { reject } of pending.values())
        reject(new Error('the connection to the Rapido host closed'));
      pending.clear();
    });
  }

  const ready = sessionToken(location).then((token) => {
    const socket = openSocket(location, token);
    listen(socket);
    return new Promise<WebSocket>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(socket), { once: true });
      socket.addEventListener('error', () => reject(new Error('cannot reach the Rapido host')), {
        once: true,
      });
    });
  });

  return {
    async invoke(channel, payload) {
      const socket = await ready;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        socket.send(encodeWireMessage({ kind: 'invoke', id, channel, payload }));
      });
    },
    send(channel, payload) {
      // Without a connection a fire-and-forget message is lost; invoke reports why.
      ready.then(
        (socket) => socket.send(encodeWireMessage({ kind: 'send', channel, payload })),
        () => undefined,
      );
    },
    on(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  };
}
