import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ReferenceState, RecordedRequest } from './server-state.ts';

/** One chunk of a synthesis response: its bytes and where its audio starts. */
export interface Payload {
  bytes: Buffer;
  audioStartMs: number;
}

/**
 * Writes the status line, headers and first chunk at `dueAtMs`, then each later chunk when the
 * audio before it, played `speedFactor` times faster, has elapsed since that first byte.
 * Returns a function that cancels what is still pending.
 */
export function deliver(
  state: ReferenceState,
  res: ServerResponse,
  record: RecordedRequest,
  headers: OutgoingHttpHeaders,
  payloads: readonly Payload[],
  dueAtMs: number,
): () => void {
  let timer: NodeJS.Timeout | null = null;
  let firstByteAtMs = 0;
  function cancel(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    state.cancellers.delete(cancel);
  }
  function at(atMs: number, action: () => void): void {
    timer = setTimeout(
      () => {
        timer = null;
        // Node's timers may fire up to a millisecond early; never deliver before the promise.
        if (performance.now() < atMs) at(atMs, action);
        else action();
      },
      Math.max(0, Math.ceil(atMs - performance.now())),
    );
  }
  function send(index: number): void {
    const payload = payloads[index];
    if (res.destroyed || payload === undefined) return;
    if (index === 0) {
      firstByteAtMs = performance.now();
      record.status = 200;
      record.firstByteAtMs = firstByteAtMs;
      res.writeHead(200, headers);
    }
    res.write(payload.bytes);
    // A stalled response holds its socket (and concurrency slot) until either side closes it.
    if (index === 0 && state.stallAfterFirst) return;
    const next = payloads[index + 1];
    if (next === undefined) {
      cancel();
      res.end();
      return;
    }
    at(firstByteAtMs + next.audioStartMs / state.config.speedFactor, () => {
      send(index + 1);
    });
  }
  state.cancellers.add(cancel);
  at(dueAtMs, () => {
    send(0);
  });
  return cancel;
}
