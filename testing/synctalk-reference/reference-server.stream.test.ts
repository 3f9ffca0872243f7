import { afterEach, describe, expect, test } from 'vitest';
import type { FrameMessage } from '../../src/shared/synctalk/frame-message.ts';
import { markerSquareFor, parseKeyColour } from './frame-painter.ts';
import { concatInt16 } from '../../src/shared/pcm-samples.ts';
import {
  frameSamples,
  isSilentFrame,
  kindOf,
  sine,
  type ReceivedMessage,
  referenceServerFixture,
} from './test-support.ts';
import { idealServer } from './reference-server.ts';

const small = { name: 'small', width: 64, height: 64, keyColor: '#089831' };
const { start, connect, closeAll } = referenceServerFixture([small], idealServer);

afterEach(closeAll);

/** Messages strictly between the n-th start_speech and the end_speech after it. */
function utteranceFrames(messages: ReceivedMessage[], utteranceIndex = 0): FrameMessage[] {
  const kinds = messages.map((entry) => kindOf(entry.message));
  let startIndex = -1;
  for (let seen = -1, index = 0; index < kinds.length; index++) {
    if (kinds[index] === 'start' && ++seen === utteranceIndex) {
      startIndex = index;
      break;
    }
  }
  const endIndex = kinds.indexOf('end', startIndex + 1);
  if (startIndex < 0 || endIndex < 0) throw new Error('utterance not complete');
  return messages.slice(startIndex + 1, endIndex).map((entry) => entry.message);
}

function endCount(minimum: number) {
  return (messages: ReceivedMessage[]): boolean =>
    messages.filter((entry) => kindOf(entry.message) === 'end').length >= minimum;
}

function paddedToFrames(samples: Int16Array): Int16Array {
  const padded = new Int16Array(Math.ceil(samples.length / 640) * 640);
  padded.set(samples);
  return padded;
}

function pixel(video: Uint8Array, width: number, x: number, y: number): number[] {
  const offset = (y * width + x) * 3;
  return [video[offset]!, video[offset + 1]!, video[offset + 2]!];
}

describe('an utterance', () => {
  test('is start_speech, frames carrying exactly its audio (padded to 40 ms), end_speech', async () => {
    const server = await start();
    const client = await connect(server);
    const input = sine(16000 + 1000, 16000); // 1.0625 s: the last frame is padded
    client.sendMarker('start_of_stream');
    client.sendAudio(input, 3201); // odd message sizes: the odd byte is carried
    client.sendMarker('end_of_stream');
    await client.waitFor(endCount(1), 'end_speech');

    // Nothing before the first utterance's start_speech, and markers carry nothing else.
    expect(kindOf(client.messages[0]!.message)).toBe('start');
    expect(client.messages[0]!.message).toEqual({ start_speech: true });
    const frames = utteranceFrames(client.messages);
    expect(frames).toHaveLength(Math.ceil(input.length / 640));
    for (const frame of frames) {
      expect(frame.audio_bytes).toHaveLength(1280);
      expect(frame.video_bytes).toHaveLength(64 * 64 * 3);
    }
    expect(Array.from(concatInt16(frames.map(frameSamples)))).toEqual(
      Array.from(paddedToFrames(input)),
    );
    const end = client.messages.find((entry) => kindOf(entry.message) === 'end')!;
    expect(end.message).toEqual({ end_speech: true });
    expect(server.stats()).toMatchObject({ utterances: 1, audioBytesReceived: input.length * 2 });
    expect(client.decodeFailures).toBe(0);
  });

  test('nothing is produced before the first real audio chunk', async () => {
    const server = await start();
    const client = await connect(server);
    client.sendMarker('start_of_stream');
    // A quiet window is the observable here; audio after it must then start the frames.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.messages).toHaveLength(0);
    client.sendAudio(sine(3200, 16000), 640);
    client.sendMarker('end_of_stream');
    await client.waitFor(endCount(1), 'end_speech');
    expect(utteranceFrames(client.messages)).toHaveLength(5);
  });

  test('idle frames (silent audio, ~25 fps) run between utterances; the first frame waits firstFrameDelayMs', async () => {
    const server = await start({ faults: { firstFrameDelayMs: 300 } });
    const client = await connect(server);
    client.sendMarker('start_of_stream');
    client.sendAudio(sine(6400, 16000), 1600);
    client.sendMarker('end_of_stream');
    await client.waitFor(endCount(1), 'first end_speech');
    const idleTarget = client.messages.length + 30;
    await client.waitFor((messages) => messages.length >= idleTarget, '30 idle frames');
    const idle = client.messages.slice(-30);
    expect(idle.every((entry) => isSilentFrame(entry.message))).toBe(true);
    expect(idle.every((entry) => entry.message.video_bytes?.length === 64 * 64 * 3)).toBe(true);
    const idleFps = (29 * 1000) / (idle[29]!.atMs - idle[0]!.atMs);
    expect(idleFps).toBeGreaterThan(20);
    expect(idleFps).toBeLessThan(25.5);

    const sentAtMs = performance.now();
    client.sendMarker('start_of_stream');
    client.sendAudio(sine(6400, 16000, 330), 1600);
    client.sendMarker('end_of_stream');
    await client.waitFor(endCount(2), 'second end_speech');
    const secondStart = client.messages.filter((entry) => kindOf(entry.message) === 'start')[1]!;
    expect(secondStart.atMs - sentAtMs).toBeGreaterThanOrEqual(290);
    // Idle frames kept flowing while the first speech frame was delayed.
    const betweenSendAndStart = client.messages.filter(
      (entry) => entry.atMs > sentAtMs && entry.atMs < secondStart.atMs,
    );
    expect(betweenSendAndStart.length).toBeGreaterThanOrEqual(4);
    expect(betweenSendAndStart.every((entry) => isSilentFrame(entry.message))).toBe(true);
    expect(utteranceFrames(client.messages, 1)).toHaveLength(10);
    expect(server.stats().utterances).toBe(2);
  });

  test('44.1 kHz input is resampled to 16 kHz frames', async () => {
    const server = await start();
    const client = await connect(server, 'sample_rate=44100');
    const input = sine(44100, 44100, 440, 10000); // 1 s
    client.sendMarker('start_of_stream');
    client.sendAudio(input, 8821);
    client.sendMarker('end_of_stream');
    await client.waitFor(endCount(1), 'end_speech');
    const output = concatInt16(utteranceFrames(client.messages).map(frameSamples));
    expect(output.length).toBe(16000);
    const expected = sine(16000, 16000, 440, 10000);
    let worstError = 0;
    for (let index = 0; index < output.length; index++) {
      worstError = Math.max(worstError, Math.abs(output[index]! - expected[index]!));
    }
    expect(worstError).toBeLessThan(100); // 1 % of the amplitude
  });
});

describe('the picture', () => {
  test('frames have each avatar size and its key colour around the silhouette', async () => {
    const avatars = [
      { name: 'enrique_torres', width: 512, height: 512, keyColor: '#089831' },
      { name: 'wide', width: 350, height: 300, keyColor: '#beffba' },
    ];
    const server = await start({ avatars, preloaded: ['enrique_torres', 'wide'] });
    for (const avatar of avatars) {
      const client = await connect(server, `sample_rate=16000&avatar_name=${avatar.name}`);
      client.sendMarker('start_of_stream');
      client.sendAudio(sine(1280, 16000), 640);
      client.sendMarker('end_of_stream');
      await client.waitFor(endCount(1), `end_speech for ${avatar.name}`);
      const [frame] = utteranceFrames(client.messages);
      const video = frame!.video_bytes!;
      const { width, height } = avatar;
      expect(video.length).toBe(width * height * 3);
      const key = [...parseKeyColour(avatar.keyColor)];
      expect(pixel(video, width, width - 1, 0)).toEqual(key);
      expect(pixel(video, width, 0, height - 1)).toEqual(key);
      expect(pixel(video, width, width - 1, height - 1)).toEqual(key);
      expect(pixel(video, width, Math.floor(width / 2), Math.floor(height * 0.4))).not.toEqual(key);
      await client.close();
    }
  });

  test('the marker square is white exactly when the frame is above -40 dBFS, and the mouth moves', async () => {
    const server = await start();
    const client = await connect(server);
    // Alternate loud (-12 dBFS) and quiet (-50 dBFS) frames, then a pair astride the threshold.
    const loud = sine(640, 16000, 400, 8000);
    const quiet = sine(640, 16000, 400, 100);
    const justAbove = new Int16Array(640).fill(340); // -39.7 dBFS
    const justBelow = new Int16Array(640).fill(320); // -40.2 dBFS
    const pattern = [loud, quiet, loud, quiet, loud, quiet, justAbove, justBelow];
    client.sendMarker('start_of_stream');
    client.sendAudio(concatInt16(pattern), 1280);
    client.sendMarker('end_of_stream');
    await client.waitFor(endCount(1), 'end_speech');
    const frames = utteranceFrames(client.messages);
    expect(frames).toHaveLength(pattern.length);
    const marker = markerSquareFor(64, 64);
    expect(marker).toEqual({ x: 0, y: 0, sizePx: 16 });
    const expectedWhite = [true, false, true, false, true, false, true, false];
    frames.forEach((frame, index) => {
      const video = frame.video_bytes!;
      const colour = expectedWhite[index] ? [255, 255, 255] : [0, 0, 0];
      for (let y = 0; y < marker.sizePx; y++) {
        for (let x = 0; x < marker.sizePx; x++) expect(pixel(video, 64, x, y)).toEqual(colour);
      }
      expect(pixel(video, 64, marker.sizePx, 0)).toEqual([8, 152, 49]);
    });
    const differingBytes = (a: Uint8Array, b: Uint8Array): number =>
      a.reduce((total, value, index) => total + (value === b[index] ? 0 : 1), 0);
    // Loud and quiet frames differ in the mouth as well as the marker square.
    const markerBytes = marker.sizePx * marker.sizePx * 3;
    expect(differingBytes(frames[0]!.video_bytes!, frames[1]!.video_bytes!)).toBeGreaterThan(
      markerBytes,
    );
    expect(differingBytes(frames[0]!.video_bytes!, frames[2]!.video_bytes!)).toBe(0);
  });
});

describe('shutdown', () => {
  test('close() sends a final end_speech, then closes with 1012', async () => {
    const server = await start();
    const client = await connect(server);
    client.sendAudio(sine(16000, 16000), 3200);
    await client.waitFor((messages) => messages.length >= 3, 'a few frames');
    await server.close();
    const closed = await client.closed;
    expect(closed.code).toBe(1012);
    expect(kindOf(client.messages.at(-1)!.message)).toBe('end');
    expect(server.stats().activeStreams).toBe(0);
  });
});
