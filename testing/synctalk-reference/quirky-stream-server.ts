import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { encodeFrameMessage } from '../../src/shared/synctalk/frame-message.ts';

/**
 * A small SyncTalk-like stream for the client's tests (not the reference server in testing/,
 * which another change teaches the same quirks behind switches). It models the real server's
 * stream (SyncTalk_2D inference_system/streaming/streaming_audio_dataset.py and
 * inference_system/api.py, read for behaviour, not copied): one growing audio stream per socket,
 * frame k made from its samples [k x 640, (k + 1) x 640) and carrying them; audio batched until
 * 8,000 samples and 4 chunks are pending (or flushed after a pause); silence appended whenever
 * the stream runs dry (idle frames); markers placed by frame position, which is where the quirks
 * come from. Each frame's RGB starts with a copy of the audio it was made from (its "lips"), so
 * tests can find where each delivered frame's lips come from in the utterance.
 */
export interface QuirkSettings {
  /** Frames per second the server makes (25 is real time; below is "slower than real time"). */
  fps: number;
  /** Silent frames appended before each batch of audio (the slow server's inserted silence). */
  silentFramesPerBatch: number;
  /** Zeros at the start of the stream, so the frame grid is not aligned with our audio. */
  offsetSamples: number;
  /** start_speech is placed this many frames before the utterance's first frame (stale). */
  staleStartFrames: number;
  /**
   * Marker kill (issue 15, quirk 1): the marker after this many on a socket silences it for
   * good (once: the setting then clears itself).
   */
  killAfterMarkers: number | null;
  /** Pending audio below the batching rule is processed after this long without audio. */
  flushAfterMs: number;
}

const samplesPerFrame = 640;

export interface QuirkyEvent {
  socket: number;
  kind: 'start_of_stream' | 'end_of_stream' | 'audio' | 'start_speech';
}

export interface QuirkyServer {
  url: string;
  set(settings: Partial<QuirkSettings>): void;
  /** Sockets accepted so far. */
  connections(): number;
  /** What went over the sockets, in order: the client's markers and audio, our start_speech. */
  events(): QuirkyEvent[];
  close(): Promise<void>;
}

export async function startQuirkyServer(
  frame: { width: number; height: number },
  initial: Partial<QuirkSettings> = {},
): Promise<QuirkyServer> {
  const settings: QuirkSettings = {
    fps: 100,
    silentFramesPerBatch: 0,
    offsetSamples: 0,
    staleStartFrames: 0,
    killAfterMarkers: null,
    flushAfterMs: 30,
    ...initial,
  };
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const sockets = new Set<WebSocket>();
  const timers = new Set<ReturnType<typeof setInterval>>();
  let accepted = 0;
  const events: QuirkyEvent[] = [];
  server.on('connection', (socket) => {
    accepted += 1;
    sockets.add(socket);
    const id = accepted;
    const timer = runStream(socket, settings, frame, (kind) => events.push({ socket: id, kind }));
    timers.add(timer);
    socket.on('close', () => {
      clearInterval(timer);
      timers.delete(timer);
      sockets.delete(socket);
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    set(next) {
      Object.assign(settings, next);
    },
    connections: () => accepted,
    events: () => [...events],
    async close() {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function runStream(
  socket: WebSocket,
  settings: QuirkSettings,
  size: { width: number; height: number },
  record: (kind: QuirkyEvent['kind']) => void,
): ReturnType<typeof setInterval> {
  /** The stream's audio. */
  const audio: number[] = new Array<number>(settings.offsetSamples).fill(0);
  let pending: Int16Array[] = [];
  let pendingSamples = 0;
  let lastAudioMs = performance.now();
  let nextFrame = 0;
  let markers = 0;
  let dead = false;
  let started = false;
  const queued: { frame: number; kind: 'start' | 'end' }[] = [];

  /** Appends audio, or `samples` zeros. */
  function append(samples: Int16Array | number) {
    if (typeof samples === 'number') for (let n = 0; n < samples; n += 1) audio.push(0);
    else audio.push(...samples);
  }

  function process() {
    if (pending.length > 0) append(settings.silentFramesPerBatch * samplesPerFrame);
    for (const chunk of pending) append(chunk);
    pending = [];
    pendingSamples = 0;
  }

  socket.on('message', (data: Buffer) => {
    const text = data.length < 32 ? data.toString('latin1') : '';
    if (text === 'start_of_stream' || text === 'end_of_stream') {
      record(text);
      markers += 1;
      if (settings.killAfterMarkers !== null && markers > settings.killAfterMarkers) {
        // One kill per setting: the fresh socket the client opens then works.
        dead = true;
        settings.killAfterMarkers = null;
      }
      if (text === 'start_of_stream') {
        const boundary = Math.ceil(audio.length / samplesPerFrame);
        queued.push({
          frame: Math.max(nextFrame, boundary - settings.staleStartFrames),
          kind: 'start',
        });
      } else {
        queued.push({ frame: Math.ceil(audio.length / samplesPerFrame), kind: 'end' });
      }
      return;
    }
    record('audio');
    const chunk = new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
    pending.push(chunk);
    pendingSamples += chunk.length;
    lastAudioMs = performance.now();
    if (pendingSamples >= 8000 && pending.length >= 4) process();
  });

  function sendFrame() {
    if (dead || socket.readyState !== socket.OPEN) return;
    if (!started && audio.length === settings.offsetSamples && pending.length === 0) return;
    started = true;
    if (pending.length > 0 && performance.now() - lastAudioMs > settings.flushAfterMs) process();
    const start = nextFrame * samplesPerFrame;
    if (audio.length < start + samplesPerFrame) append(start + samplesPerFrame - audio.length);
    const frameAudio = Int16Array.from(audio.slice(start, start + samplesPerFrame));
    const rgb = new Uint8Array(size.width * size.height * 3);
    rgb.set(new Uint8Array(frameAudio.buffer).subarray(0, rgb.length));
    const head = queued[0];
    const startSpeech = head?.kind === 'start' && head.frame <= nextFrame;
    if (startSpeech) {
      queued.shift();
      record('start_speech');
    }
    socket.send(
      encodeFrameMessage({
        video_bytes: rgb,
        audio_bytes: new Uint8Array(frameAudio.buffer),
        ...(startSpeech ? { start_speech: true } : {}),
      }),
    );
    nextFrame += 1;
    const end = queued[0];
    if (end?.kind === 'end' && end.frame <= nextFrame) {
      queued.shift();
      socket.send(encodeFrameMessage({ end_speech: true }));
    }
  }

  let owed = 0;
  let lastTickMs = performance.now();
  return setInterval(() => {
    const nowMs = performance.now();
    owed += ((nowMs - lastTickMs) * settings.fps) / 1000;
    lastTickMs = nowMs;
    for (; owed >= 1; owed -= 1) sendFrame();
  }, 5);
}
