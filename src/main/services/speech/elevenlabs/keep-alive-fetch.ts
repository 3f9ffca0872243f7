import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

/**
 * A fetch for the ElevenLabs SDK whose connections stay open between requests. Node's built-in
 * fetch closes an idle connection after 4 s, so every slide that plays longer than that would
 * pay a new TLS handshake (about 1 s cold, per the vendor's users) before its next sentence.
 * An http(s).Agent with keepAlive holds sockets until the server closes them, and counting the
 * sockets it opens lets a test prove the reuse.
 */
export interface KeepAliveFetch {
  fetch: typeof fetch;
  /** Sockets opened since creation (a warm connection keeps this at the in-flight bound). */
  socketsOpened(): number;
  close(): void;
}

function headerPairs(headers: RequestInit['headers']): [string, string][] {
  return [...new Headers(headers).entries()];
}

function bodyBytes(body: RequestInit['body']): Promise<Buffer | null> {
  if (body === null || body === undefined) return Promise.resolve(null);
  if (typeof body === 'string') return Promise.resolve(Buffer.from(body, 'utf8'));
  // Anything else (Blob, FormData, streams): let Response encode it, as fetch would.
  return new Response(body).arrayBuffer().then((buffer) => Buffer.from(buffer));
}

function responseFrom(message: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const status = message.statusCode ?? 500;
  const hasBody = status !== 204 && status !== 304;
  if (!hasBody) message.resume();
  const body = hasBody ? (Readable.toWeb(message) as ReadableStream<Uint8Array>) : null;
  return new Response(body, { status, statusText: message.statusMessage ?? '', headers });
}

export function createKeepAliveFetch(options: { maxSockets?: number } = {}): KeepAliveFetch {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 6 };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent(agentOptions);
  let opened = 0;
  const count = (): void => {
    opened += 1;
  };
  // 'socket' fires on the request for new and reused sockets alike; only new ones are counted.
  const fetchWithAgent: typeof fetch = async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const isHttps = url.protocol === 'https:';
    const payload = await bodyBytes(init.body);
    const signal = init.signal ?? null;
    signal?.throwIfAborted();
    return new Promise<Response>((resolve, reject) => {
      const send = isHttps ? httpsRequest : httpRequest;
      const request = send(url, {
        method: init.method ?? 'GET',
        headers: Object.fromEntries(headerPairs(init.headers)),
        agent: isHttps ? httpsAgent : httpAgent,
      });
      request.on('socket', (socket) => {
        // A reused socket is already connected; a new one is still connecting.
        if (socket.connecting) count();
      });
      const onAbort = () => {
        const reason: unknown = signal?.reason;
        request.destroy(reason instanceof Error ? reason : new Error('The request was aborted.'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      request.on('response', (message) => {
        message.on('close', () => signal?.removeEventListener('abort', onAbort));
        resolve(responseFrom(message));
      });
      request.on('error', (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      });
      request.end(payload ?? undefined);
    });
  };
  return {
    fetch: fetchWithAgent,
    socketsOpened: () => opened,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
