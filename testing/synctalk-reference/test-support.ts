import WebSocket from 'ws';
import { deflateSync } from 'node:zlib';
import { decodeFrameMessage, type FrameMessage } from '../../src/shared/synctalk/frame-message.ts';
import { int16ToBytes } from './pcm.ts';
import {
  startReferenceServer,
  type FaultSettings,
  type ReferenceAvatar,
  type ReferenceServer,
  type ReferenceServerOptions,
} from './reference-server.ts';

/** A real `ws` client that records every decoded message with its arrival time (tests only). */

export interface ReceivedMessage {
  atMs: number;
  message: FrameMessage;
}

export type MessageKind = 'start' | 'end' | 'frame';

export function kindOf(message: FrameMessage): MessageKind {
  if (message.start_speech === true) return 'start';
  if (message.end_speech === true) return 'end';
  return 'frame';
}

export function frameSamples(message: FrameMessage): Int16Array {
  const bytes = message.audio_bytes ?? new Uint8Array(0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const samples = new Int16Array(bytes.length >> 1);
  for (let index = 0; index < samples.length; index++)
    samples[index] = view.getInt16(index * 2, true);
  return samples;
}

export function isSilentFrame(message: FrameMessage): boolean {
  return kindOf(message) === 'frame' && (message.audio_bytes ?? []).every((byte) => byte === 0);
}

export function websocketUrl(server: ReferenceServer, query: string): string {
  return `${server.url.replace(/^http/, 'ws')}/ws/audio_to_video?${query}`;
}

export class TestClient {
  readonly messages: ReceivedMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly socket: WebSocket;
  private readonly waiters = new Set<() => void>();
  decodeFailures = 0;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data: Buffer) => {
      const result = decodeFrameMessage(data);
      if (!result.ok) {
        this.decodeFailures++;
        return;
      }
      this.messages.push({ atMs: performance.now(), message: result.message });
      for (const waiter of [...this.waiters]) waiter();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const waiter of [...this.waiters]) waiter();
      });
    });
    socket.on('error', () => undefined);
  }

  static async connect(server: ReferenceServer, query = 'sample_rate=16000'): Promise<TestClient> {
    const socket = new WebSocket(websocketUrl(server, query), { perMessageDeflate: false });
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => {
        resolve();
      });
      socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`upgrade refused with HTTP ${response.statusCode}`));
      });
      socket.once('error', reject);
    });
    return client;
  }

  /** Resolves once the predicate holds for the messages so far; rejects at the deadline. */
  waitFor(
    predicate: (messages: ReceivedMessage[]) => boolean,
    label: string,
    timeoutMs = 5000,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (predicate(this.messages)) {
          this.waiters.delete(check);
          clearTimeout(deadline);
          resolve();
        } else if (this.socket.readyState === WebSocket.CLOSED) {
          this.waiters.delete(check);
          clearTimeout(deadline);
          reject(new Error(`socket closed while waiting for ${label}`));
        }
      };
      const deadline = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${label} (${this.messages.length} messages)`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  countOf(kind: MessageKind): number {
    return this.messages.filter((entry) => kindOf(entry.message) === kind).length;
  }

  sendMarker(marker: 'start_of_stream' | 'end_of_stream'): void {
    this.socket.send(Buffer.from(marker));
  }

  /** Sends PCM as s16le split into messages of `chunkBytes` (odd sizes allowed). */
  sendAudio(samples: Int16Array, chunkBytes = 3200): void {
    const bytes = int16ToBytes(samples);
    for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
      this.socket.send(bytes.subarray(offset, Math.min(bytes.length, offset + chunkBytes)));
    }
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000);
    return this.closed;
  }
}

/** The HTTP status of a refused upgrade, or 101 when it was accepted (then closed at once). */
export function upgradeStatus(
  server: ReferenceServer,
  query: string,
  path?: string,
): Promise<number> {
  const url =
    path === undefined
      ? websocketUrl(server, query)
      : `${server.url.replace(/^http/, 'ws')}${path}`;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      socket.terminate();
    });
    socket.once('open', () => {
      resolve(101);
      socket.close();
    });
    socket.once('error', (error) => {
      reject(error);
    });
  });
}

/** A sine of `amplitude` at `frequencyHz`, with no exact zeros so padding stays recognisable. */
export function sine(
  durationSamples: number,
  sampleRateHz: number,
  frequencyHz = 220,
  amplitude = 8000,
): Int16Array {
  const samples = new Int16Array(durationSamples);
  for (let index = 0; index < durationSamples; index++) {
    const value = Math.round(
      amplitude * Math.sin((2 * Math.PI * frequencyHz * index) / sampleRateHz),
    );
    samples[index] = value === 0 ? 1 : value;
  }
  return samples;
}

export async function getJson(
  server: ReferenceServer,
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.url}${path}`, init);
  return { status: response.status, body: await response.json() };
}

/** Polls a condition until it holds (for server state with no event to wait on). */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  label: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Servers and clients started by one test file, all closed by `closeAll` (register it with
 * afterEach), so no socket or listener outlives its test. `baseFaults` apply to every server
 * the fixture starts (a test's own `faults` override them).
 */
export function referenceServerFixture(
  avatars: ReferenceAvatar[],
  baseFaults: Partial<FaultSettings> = {},
) {
  const servers: ReferenceServer[] = [];
  const clients: TestClient[] = [];
  return {
    start: async (options: Partial<ReferenceServerOptions> = {}): Promise<ReferenceServer> => {
      const faults = { ...baseFaults, ...options.faults };
      const server = await startReferenceServer({ port: 0, avatars, ...options, faults });
      servers.push(server);
      return server;
    },
    connect: async (server: ReferenceServer, query?: string): Promise<TestClient> => {
      const client = await TestClient.connect(server, query);
      clients.push(client);
      return client;
    },
    closeAll: async (): Promise<void> => {
      await Promise.all(clients.splice(0).map((client) => client.close()));
      await Promise.all(servers.splice(0).map((server) => server.close()));
    },
  };
}

/** A minimal RGB PNG (filter 0, one IDAT) for serving test backgrounds. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Uint8Array {
  const raw = new Uint8Array(height * (width * 3 + 1));
  for (let y = 0; y < height; y++) {
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(Buffer.from(type, 'latin1'), 4);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
