import type { RapidoTransport } from '../../shared/ipc/rapido-api.ts';
import { decodeWireMessage, encodeWireMessage } from '../../shared/ipc/wire.ts';

/**
 * The renderer's side of the headless host: the IPC contract over one binary WebSocket back to
 * the page's own origin. The token comes from the page URL's fragment.
 */
export function createHeadlessTransport(location: Location): RapidoTransport {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  const socket = new WebSocket(
    `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rapido-ipc?token=${encodeURIComponent(token)}`,
  );
  socket.binaryType = 'arraybuffer';
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('cannot reach the Rapido host')), {
      once: true,
    });
  });
  const pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;

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

  return {
    async invoke(channel, payload) {
      await opened;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        socket.send(encodeWireMessage({ kind: 'invoke', id, channel, payload }));
      });
    },
    send(channel, payload) {
      void opened.then(() => socket.send(encodeWireMessage({ kind: 'send', channel, payload })));
    },
    on(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  };
}
