import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocketServer } from 'ws';
import { createMemoryLogger } from '../../logging/logger.ts';
import { startReferenceServer } from '../../../../../testing/synctalk-reference/reference-server.ts';
import type {
  FaultSettings,
  ReferenceServer,
  ReferenceServerOptions,
} from '../../../../../testing/synctalk-reference/reference-server.ts';
import { padToWholeFrames, pcmBytesLittleEndian } from './audio-pacing.ts';
import { createSyncTalkSession, websocketUrl } from './synctalk-session.ts';
import type {
  SyncTalkFrame,
  SyncTalkSession,
  SyncTalkSessionOptions,
  SyncTalkSessionState,
} from './synctalk-session.ts';

/** Small non-square frames keep the suite fast and prove the size comes from the settings. */
const alin = { name: 'alin_cc', width: 48, height: 32, keyColor: '#089831' };
const jennifer = { name: 'jennifer', width: 40, height: 40, keyColor: '#cdffb9' };
const fastBackoff = { initialDelayMs: 20, maxDelayMs: 80, maxAttempts: 3 };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function reference(options: Partial<ReferenceServerOptions> = {}): Promise<ReferenceServer> {
  const server = await startReferenceServer({
    port: 0,
    avatars: [alin, jennifer],
    preloaded: ['alin_cc'],
    ...options,
    // The real server's quirks are on (realServerQuirks, the default): the client copes.
    faults: { ...options.faults },
  });
  cleanups.push(() => server.close());
  return server;
}

function session(
  server: { url: string },
  options: Partial<SyncTalkSessionOptions> = {},
): {
  session: SyncTalkSession;
  states: SyncTalkSessionState[];
  logger: ReturnType<typeof createMemoryLogger>;
} {
  const logger = createMemoryLogger();
  const created = createSyncTalkSession({
    serverUrl: server.url,
    avatarName: alin.name,
    frameSize: { width: alin.width, height: alin.height },
    logger,
    lessonId: 'lesson-7',
    backoff: fastBackoff,
    ...options,
  });
  const states: SyncTalkSessionState[] = [];
  created.on('state', (change) => states.push(change.state));
  cleanups.push(() => created.close());
  return { session: created, states, logger };
}

/** A deterministic, never-silent signal: every sample differs from its neighbours. */
function speech(durationMs: number, seed = 1): Int16Array {
  const length = Math.round((durationMs * 16_000) / 1000) + 77;
  return Int16Array.from(
    { length },
    (_, n) => Math.round(8000 * Math.sin((n * (seed + 3)) / 17)) + ((n * 7919 * seed) % 997) - 498,
  );
}

function collector() {
  const frames: SyncTalkFrame[] = [];
  return {
    frames,
    handlers: {
      onFrame(frame: SyncTalkFrame) {
        frames.push(frame);
      },
    },
    audio(): Buffer {
      return Buffer.concat(frames.map((frame) => frame.audio));
    },
  };
}

function waitForState(target: SyncTalkSession, wanted: SyncTalkSessionState): Promise<void> {
  if (target.state === wanted) return Promise.resolve();
  return new Promise((resolve) => {
    const off = target.on('state', (change) => {
      if (change.state === wanted) {
        off();
        resolve();
      }
    });
  });
}

/** Waits for a condition the session reports through its events (never a fixed sleep). */
function waitForFrames(target: SyncTalkSession, idleFrames: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const startedMs = performance.now();
    const poll = setInterval(() => {
      if (target.stats().idleFrames >= idleFrames) {
        clearInterval(poll);
        resolve();
      } else if (performance.now() - startedMs > 5000) {
        clearInterval(poll);
        reject(new Error(`fewer than ${idleFrames} idle frames after 5 s`));
      }
    }, 20);
  });
}

test('the WebSocket URL carries the avatar and the 16 kHz rate', () => {
  expect(websocketUrl('http://gpu:8000', 'alin cc')).toBe(
    'ws://gpu:8000/ws/audio_to_video?avatar_name=alin+cc&sample_rate=16000',
  );
  expect(websocketUrl('https://gpu/st/', 'a')).toBe(
    'wss://gpu/st/ws/audio_to_video?avatar_name=a&sample_rate=16000',
  );
});

describe('speaking through the reference server', () => {
  test("frames are counted from start_speech and carry exactly the utterance's audio; idle frames are ignored", async () => {
    const server = await reference();
    const { session: avatar, logger } = session(server);
    const first = collector();
    const pcm = speech(900);
    const summary = await avatar.speak({ id: 'u1', pcm }, first.handlers);
    expect(summary.ok).toBe(true);
    if (!summary.ok) return;
    const expectedFrames = Math.ceil(pcm.length / 640);
    expect(summary.value).toMatchObject({
      frames: expectedFrames,
      expectedFrames,
      endedBy: 'end_speech',
    });
    expect(first.frames.map((frame) => frame.index)).toEqual([...Array(expectedFrames).keys()]);
    expect(first.frames.map((frame) => frame.timeMs)).toEqual(
      [...Array(expectedFrames).keys()].map((index) => index * 40),
    );
    expect(first.audio().equals(pcmBytesLittleEndian(padToWholeFrames(pcm)))).toBe(true);
    for (const frame of first.frames) {
      expect(frame).toMatchObject({ utteranceId: 'u1', width: 48, height: 32 });
      expect(frame.rgb.byteLength).toBe(48 * 32 * 3);
      expect(frame.audio.byteLength).toBe(1280);
      // Own buffers, so they can be transferred to another process.
      expect(frame.rgb.buffer.byteLength).toBe(frame.rgb.byteLength);
      expect(frame.audio.buffer.byteLength).toBe(frame.audio.byteLength);
    }
    expect(summary.value.maxLookAheadMs).toBeLessThanOrEqual(1000);

    // Between utterances the server streams idle frames: counted, never delivered.
    await waitForFrames(avatar, 10);
    // A slow first frame: idle frames keep coming after start_of_stream, before start_speech.
    server.setFaults({ firstFrameDelayMs: 300 });
    const idleBefore = avatar.stats().idleFrames;
    const second = collector();
    const pcm2 = speech(500, 2);
    const summary2 = await avatar.speak({ id: 'u2', pcm: pcm2 }, second.handlers);
    expect(summary2.ok).toBe(true);
    expect(avatar.stats().idleFrames - idleBefore).toBeGreaterThanOrEqual(5);
    expect(second.frames.every((frame) => frame.utteranceId === 'u2')).toBe(true);
    expect(second.audio().equals(pcmBytesLittleEndian(padToWholeFrames(pcm2)))).toBe(true);
    expect(avatar.stats()).toMatchObject({
      connections: 1,
      utterancesCompleted: 2,
      utteranceFrames: expectedFrames + Math.ceil(pcm2.length / 640),
      protocolProblems: 0,
    });
    expect(server.stats().utterances).toBe(2);

    const chunkLines = logger.lines.filter(
      (line) => line.kind === 'performance' && line.record.event_type === 'synctalk_chunk_sent',
    );
    const firstUtteranceChunks = chunkLines.filter(
      (line) => (line.record.performance_data as Record<string, unknown>).utteranceId === 'u1',
    );
    expect(firstUtteranceChunks.length).toBe(Math.ceil(pcm.length / 2560));
    expect(firstUtteranceChunks[1]?.record).toMatchObject({
      lesson_id: 'lesson-7',
      performance_data: { chunkIndex: 1, bytes: 5120, audioMs: 160 },
    });
    expect(
      typeof (firstUtteranceChunks[1]?.record.performance_data as Record<string, unknown>)
        .sendTimeMs,
    ).toBe('number');
    const fpsLines = logger.lines.filter((line) => line.record.event_type === 'synctalk_fps');
    expect(fpsLines.length).toBeGreaterThanOrEqual(1);
    expect(fpsLines[0]?.kind).toBe('performance');
    expect((fpsLines[0]?.record.performance_data as Record<string, number>).fps).toBeGreaterThan(0);
    // Lifecycle lines at info stay at most one a second.
    const infoTimesMs = logger.lines
      .filter((line) => line.kind === 'main' && line.record.level === 'INFO')
      .map((line) => Date.parse(String(line.record.timestamp)));
    expect(infoTimesMs.length).toBeGreaterThanOrEqual(1);
    for (let index = 1; index < infoTimesMs.length; index += 1) {
      expect((infoTimesMs[index] ?? 0) - (infoTimesMs[index - 1] ?? 0)).toBeGreaterThanOrEqual(999);
    }
  });

  test('queued utterances run one at a time, in order', async () => {
    const server = await reference();
    const { session: avatar } = session(server);
    const order: string[] = [];
    const handlers = {
      onFrame(frame: SyncTalkFrame) {
        if (order.at(-1) !== frame.utteranceId) order.push(frame.utteranceId);
      },
    };
    const results = await Promise.all([
      avatar.speak({ id: 'a', pcm: speech(300, 1) }, handlers),
      avatar.speak({ id: 'b', pcm: speech(300, 2) }, handlers),
      avatar.speak({ id: 'c', pcm: speech(300, 3) }, handlers),
    ]);
    expect(results.every((result) => result.ok)).toBe(true);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  test('a slow first frame, a stall and the burst after it lose nothing', async () => {
    const faults: Partial<FaultSettings> = {
      firstFrameDelayMs: 400,
      stallAfterFrames: 8,
      stallMs: 900,
      burstFps: 120,
    };
    const server = await reference({ faults });
    // This fault stalls every run of an utterance for 900 ms, a replay included, so the session
    // is told to wait it out rather than take it for a dead stream (the default 450 ms).
    const { session: avatar, states } = session(server, { frameGapMs: 2000 });
    const received = collector();
    const pcm = speech(1600);
    const summary = await avatar.speak({ id: 'slow', pcm }, received.handlers);
    expect(summary.ok).toBe(true);
    if (!summary.ok) return;
    expect(summary.value.firstFrameLatencyMs).toBeGreaterThanOrEqual(400);
    expect(summary.value.maxLookAheadMs).toBeLessThanOrEqual(1000);
    expect(received.audio().equals(pcmBytesLittleEndian(padToWholeFrames(pcm)))).toBe(true);
    expect(states).not.toContain('reconnecting');
  });

  test('a frame size that disagrees with the settings is a clear error', async () => {
    const server = await reference();
    const { session: avatar } = session(server, { frameSize: { width: 64, height: 64 } });
    const result = await avatar.speak({ id: 'u', pcm: speech(300) }, collector().handlers);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid-request');
    expect(result.error.message).toContain('4608 bytes (not a square RGB frame)');
    expect(result.error.message).toContain('64x64 (12288 bytes)');
    expect(avatar.state).toBe('unavailable');
  });

  test('square frames are inferred when no size is set', async () => {
    const server = await reference({ preloaded: ['jennifer'] });
    const { session: avatar } = session(server, { avatarName: 'jennifer', frameSize: undefined });
    const received = collector();
    const result = await avatar.speak({ id: 'u', pcm: speech(300) }, received.handlers);
    expect(result.ok).toBe(true);
    expect(received.frames[0]).toMatchObject({ width: 40, height: 40 });
  });

  test('a cancelled utterance stops delivering and the next one is clean', async () => {
    const server = await reference();
    const { session: avatar } = session(server);
    const controller = new AbortController();
    const first = collector();
    const cancelled = avatar.speak(
      { id: 'long', pcm: speech(3000) },
      {
        onFrame(frame) {
          first.handlers.onFrame(frame);
          if (frame.index === 4) controller.abort();
        },
      },
      { signal: controller.signal },
    );
    const next = collector();
    const pcm = speech(300, 5);
    const following = avatar.speak({ id: 'next', pcm }, next.handlers);
    const cancelledResult = await cancelled;
    expect(cancelledResult.ok).toBe(false);
    if (cancelledResult.ok) return;
    expect(cancelledResult.error.code).toBe('cancelled');
    expect(first.frames.length).toBe(5);
    expect((await following).ok).toBe(true);
    expect(next.audio().equals(pcmBytesLittleEndian(padToWholeFrames(pcm)))).toBe(true);
  });

  test('a server whose generator ends at end_of_stream gets a fresh socket per utterance', async () => {
    const server = await reference({ faults: { generatorStopsAtEndOfStream: true } });
    const { session: avatar } = session(server);
    const received = collector();
    const results = await Promise.all([
      avatar.speak({ id: 'a', pcm: speech(300, 1) }, received.handlers),
      avatar.speak({ id: 'b', pcm: speech(300, 2) }, received.handlers),
    ]);
    expect(results.every((result) => result.ok)).toBe(true);
    expect(avatar.stats().recycles).toBeGreaterThanOrEqual(1);
    expect(avatar.stats().utterancesFailed).toBe(0);
  });
});

describe('failures and reconnection', () => {
  test('a dropped connection fails the utterance it cut, reconnects and resumes at the next', async () => {
    const server = await reference({ faults: { dropAfterFrames: 12 } });
    const { session: avatar, states } = session(server);
    avatar.on('utterance', (event) => {
      if (event.status === 'failed') server.setFaults({ dropAfterFrames: null });
    });
    const cut = collector();
    const next = collector();
    const pcm = speech(600, 4);
    const [cutResult, nextResult] = await Promise.all([
      avatar.speak({ id: 'cut', pcm: speech(1500) }, cut.handlers),
      avatar.speak({ id: 'next', pcm }, next.handlers),
    ]);
    expect(cutResult.ok).toBe(false);
    if (cutResult.ok) return;
    expect(cutResult.error.message).toMatch(/Utterance "cut" failed after \d+ of 38 frames/);
    expect(cutResult.error.message).toContain('dropped');
    expect(nextResult.ok).toBe(true);
    expect(next.audio().equals(pcmBytesLittleEndian(padToWholeFrames(pcm)))).toBe(true);
    expect(states).toContain('reconnecting');
    expect(avatar.stats().connections).toBe(2);
  });

  test("a close with 1011 reports the server's reason", async () => {
    const server = await reference({ faults: { closeWithErrorAfterFrames: 10 } });
    const { session: avatar } = session(server);
    avatar.on('utterance', (event) => {
      if (event.status === 'failed') server.setFaults({ closeWithErrorAfterFrames: null });
    });
    const [failed, after] = await Promise.all([
      avatar.speak({ id: 'u', pcm: speech(1000) }, collector().handlers),
      avatar.speak({ id: 'v', pcm: speech(300) }, collector().handlers),
    ]);
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.error.message).toContain(
      'closed the avatar stream with an error: Server error: simulated inference failure',
    );
    expect(after.ok).toBe(true);
  });

  test('a server that goes away makes the session unavailable after bounded retries', async () => {
    const server = await reference();
    const { session: avatar, logger } = session(server);
    expect(await avatar.connect()).toEqual({ ok: true, value: undefined });
    const unavailable = waitForState(avatar, 'unavailable');
    await server.close();
    await unavailable;
    expect(avatar.lastError?.message).toContain(`No SyncTalk server answers at ${server.url}`);
    expect(avatar.lastError?.message).toContain('Gave up after 3 attempts');
    const refused = await avatar.speak({ id: 'late', pcm: speech(200) }, collector().handlers);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.code).toBe('not-available');
    expect(
      logger.lines.filter((line) => line.record.event_type === 'synctalk_reconnect').length,
    ).toBe(3);
  });
});

test('a server that accepts and closes at once still runs out of attempts', async () => {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  let accepted = 0;
  server.on('connection', (socket) => {
    accepted += 1;
    socket.close(1011, 'Server error: boom');
  });
  const { port } = server.address() as AddressInfo;
  const { session: avatar } = session({ url: `http://127.0.0.1:${port}` });
  const unavailable = waitForState(avatar, 'unavailable');
  await avatar.connect();
  await unavailable;
  expect(accepted).toBe(4);
  expect(avatar.lastError?.message).toContain('Server error: boom');
  expect(avatar.lastError?.message).toContain('Gave up after 3 attempts');
});

describe('admission refused (HTTP 403) is explained from /status and /models', () => {
  test('capacity', async () => {
    const server = await reference({ maxStreams: 1 });
    const { session: holder } = session(server);
    expect((await holder.connect()).ok).toBe(true);
    const { session: second, states } = session(server);
    const result = await second.connect();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain('at capacity (1 of 1 streams in use)');
    expect(result.error.hint).toContain('MAX_CONCURRENT_STREAMS');
    expect(states.filter((state) => state === 'reconnecting').length).toBe(3);
  });

  test('unknown avatar: no retries', async () => {
    const server = await reference();
    const { session: avatar, states } = session(server, { avatarName: 'Jennifer' });
    const result = await avatar.connect();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain('no avatar named "Jennifer"');
    expect(result.error.message).toContain('Did you mean "jennifer"?');
    expect(states).toEqual(['connecting', 'unavailable']);
  });

  test('no model loaded', async () => {
    const server = await reference({ preloaded: [] });
    const { session: avatar } = session(server, { loadOnDemand: false });
    const result = await avatar.connect();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain('no avatar model is loaded on it yet');
  });

  test('another avatar loaded, not this one', async () => {
    const server = await reference({ preloaded: ['jennifer'] });
    const { session: avatar } = session(server, { loadOnDemand: false });
    const result = await avatar.connect();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain('avatar "alin_cc" is not loaded');
    expect(result.error.message).toContain('loaded: "Jennifer-dataset"');
  });

  test('not loaded, with loading on demand: the session loads the avatar and connects', async () => {
    const server = await reference({ preloaded: ['jennifer'], loadDelayMs: 100 });
    const { session: avatar } = session(server);
    expect(await avatar.connect()).toEqual({ ok: true, value: undefined });
    const received = collector();
    expect((await avatar.speak({ id: 'u', pcm: speech(300) }, received.handlers)).ok).toBe(true);
  });

  test('a refusal the status cannot explain says so honestly', async () => {
    const server = await reference({ faults: { rejectAdmission: 'not-initialised' } });
    const { session: avatar } = session(server);
    const result = await avatar.connect();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain('refused the avatar stream (HTTP 403), although');
  });
});
