import { afterEach, describe, expect, test } from 'vitest';
import { sendQueueCapacity } from './stream-session.ts';
import {
  eventually,
  kindOf,
  sine,
  TestClient,
  type ReceivedMessage,
  referenceServerFixture,
} from './test-support.ts';
import { idealServer } from './reference-server.ts';

const small = { name: 'small', width: 64, height: 64, keyColor: '#089831' };
const { start, connect, closeAll } = referenceServerFixture([small], idealServer);

afterEach(closeAll);

function frames(messages: ReceivedMessage[]): ReceivedMessage[] {
  return messages.filter((entry) => kindOf(entry.message) === 'frame');
}

function sendUtterance(client: TestClient, durationSamples: number): void {
  client.sendMarker('start_of_stream');
  client.sendAudio(sine(durationSamples, 16000), 3200);
  client.sendMarker('end_of_stream');
}

describe('pacing faults', () => {
  test('a stall is followed by a catch-up burst above 50 fps, then ~25 fps again', async () => {
    const server = await start({ faults: { stallAfterFrames: 5, stallMs: 600, burstFps: 100 } });
    const client = await connect(server);
    sendUtterance(client, 32000); // 2 s = 50 frames
    await client.waitFor((messages) => messages.some((e) => kindOf(e.message) === 'end'), 'end');
    const speech = frames(client.messages);
    expect(speech).toHaveLength(50);
    const gapMs = speech[5]!.atMs - speech[4]!.atMs;
    expect(gapMs).toBeGreaterThanOrEqual(550);
    // The clock fell ~15 frames behind during the stall: the next ones come as a burst.
    const burstFps = (9 * 1000) / (speech[14]!.atMs - speech[5]!.atMs);
    expect(burstFps).toBeGreaterThan(50);
    expect(burstFps).toBeLessThan(115); // capped at the configured 100
    const steadyFps = (9 * 1000) / (speech[49]!.atMs - speech[40]!.atMs);
    expect(steadyFps).toBeLessThan(27);
    expect(steadyFps).toBeGreaterThan(18);
  });

  test('the long-run rate is a little under 25 fps', async () => {
    const server = await start();
    const client = await connect(server);
    sendUtterance(client, 16000 * 3);
    await client.waitFor((messages) => messages.some((e) => kindOf(e.message) === 'end'), 'end');
    const speech = frames(client.messages);
    const fps = ((speech.length - 1) * 1000) / (speech.at(-1)!.atMs - speech[0]!.atMs);
    expect(fps).toBeGreaterThan(22);
    expect(fps).toBeLessThan(24.8);
  });
});

describe('connection faults', () => {
  test('dropAfterFrames terminates the socket with no close frame after N frames', async () => {
    const server = await start({ faults: { dropAfterFrames: 8 } });
    const client = await connect(server);
    sendUtterance(client, 16000);
    const closed = await client.closed;
    expect(closed.code).toBe(1006);
    expect(frames(client.messages)).toHaveLength(8);
    await eventually(() => server.stats().activeStreams === 0, 'cleanup');
  });

  test('closeWithErrorAfterFrames sends a final end_speech, then 1011 "Server error: ..."', async () => {
    const server = await start({ faults: { closeWithErrorAfterFrames: 5 } });
    const client = await connect(server);
    sendUtterance(client, 16000);
    const closed = await client.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toMatch(/^Server error: /);
    expect(frames(client.messages)).toHaveLength(5);
    expect(client.messages.at(-1)!.message).toEqual({ end_speech: true });
  });

  test('a text frame ends the session: final end_speech, then 1011', async () => {
    const server = await start();
    const client = await connect(server);
    sendUtterance(client, 6400);
    await client.waitFor((messages) => frames(messages).length >= 2, 'two frames');
    client.socket.send('start_of_stream'); // text, not binary
    const closed = await client.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toMatch(/^Server error: /);
    expect(client.messages.at(-1)!.message).toEqual({ end_speech: true });
  });

  test('generatorStopsAtEndOfStream: end_speech twice, then nothing on an open socket', async () => {
    const server = await start({ faults: { generatorStopsAtEndOfStream: true } });
    const client = await connect(server);
    sendUtterance(client, 6400);
    await client.waitFor(
      (messages) => messages.filter((e) => kindOf(e.message) === 'end').length >= 2,
      'two end_speech',
    );
    const countAtEnd = client.messages.length;
    // Absence is the behaviour under test: the socket stays open and silent.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.messages).toHaveLength(countAtEnd);
    expect(frames(client.messages)).toHaveLength(10);
    expect(server.stats().activeStreams).toBe(1);
  });
});

describe('back-pressure', () => {
  test('a client that stops reading stops the generator instead of growing a buffer', async () => {
    const avatar = { name: 'big', width: 512, height: 512, keyColor: '#089831' };
    const server = await start({ avatars: [avatar], faults: { burstFps: 200 } });
    const client = await connect(server);
    sendUtterance(client, 16000 * 60); // a minute of audio, far more than any buffer
    await client.waitFor((messages) => frames(messages).length >= 2, 'the first frames');
    client.socket.pause();
    let previous = -1;
    let stableSinceMs = performance.now();
    await eventually(
      () => {
        const sent = server.stats().framesSent;
        if (sent !== previous) {
          previous = sent;
          stableSinceMs = performance.now();
        }
        return performance.now() - stableSinceMs > 600;
      },
      'framesSent to stop growing',
      8000,
    );
    // What went out sits in kernel socket buffers (a few MB, ~8 frames of 768 KiB here); the
    // server itself holds at most its 13-item queue and one write. Unpaced it would reach 1500.
    expect(previous).toBeGreaterThan(0);
    expect(previous).toBeLessThan(40);
    expect(sendQueueCapacity).toBe(13);
    const countBeforeResume = client.messages.length;
    client.socket.resume();
    await client.waitFor(
      (messages) => messages.length >= countBeforeResume + 60,
      'frames to flow again',
    );
    // What was buffered arrives at once, then the paced stream resumes.
    const resumed = client.messages.slice(countBeforeResume + 40, countBeforeResume + 60);
    const resumedFps = (19 * 1000) / (resumed.at(-1)!.atMs - resumed[0]!.atMs);
    expect(resumedFps).toBeGreaterThan(18);
    expect(resumedFps).toBeLessThan(27);
  });
});
