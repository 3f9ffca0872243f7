import { afterEach, describe, expect, test } from 'vitest';
import { concatInt16 } from '../../src/shared/pcm-samples.ts';
import { idealServer, realServerQuirks, type FaultSettings } from './reference-server.ts';
import {
  frameSamples,
  isSilentFrame,
  kindOf,
  referenceServerFixture,
  sine,
  type ReceivedMessage,
  type TestClient,
} from './test-support.ts';

/**
 * Issue 15: each real-server quirk on (as in `realServerQuirks`, the default) and off, over a real
 * WebSocket. Every test starts from `idealServer` and turns on only the quirk it shows, so one
 * quirk's effect is not mistaken for another's.
 */

const small = { name: 'small', width: 64, height: 64, keyColor: '#089831' };
const { start, connect, closeAll } = referenceServerFixture([small], idealServer);

afterEach(closeAll);

function only(quirks: Partial<FaultSettings>): { faults: Partial<FaultSettings> } {
  return { faults: { ...idealServer, ...quirks } };
}

function kinds(messages: ReceivedMessage[]): string {
  return messages
    .map((entry) => {
      const kind = kindOf(entry.message);
      if (kind !== 'frame') return kind === 'start' ? 'S' : 'E';
      return isSilentFrame(entry.message) ? '.' : 'f';
    })
    .join('');
}

function countKind(kind: 'start' | 'end') {
  return (minimum: number) =>
    (messages: ReceivedMessage[]): boolean =>
      messages.filter((entry) => kindOf(entry.message) === kind).length >= minimum;
}
const ends = countKind('end');
const starts = countKind('start');

/** Non-silent frames' audio, in arrival order. */
function speechAudio(messages: ReceivedMessage[]): Int16Array {
  return concatInt16(
    messages
      .filter((entry) => kindOf(entry.message) === 'frame' && !isSilentFrame(entry.message))
      .map((entry) => frameSamples(entry.message)),
  );
}

function padded(samples: Int16Array): number[] {
  const out = new Int16Array(Math.ceil(samples.length / 640) * 640);
  out.set(samples);
  return Array.from(out);
}

/** Sends `samples` in 100 ms messages, one every 100 ms, as a client pacing its TTS does. */
async function sendPaced(client: TestClient, samples: Int16Array): Promise<void> {
  for (let offset = 0; offset < samples.length; offset += 1600) {
    client.sendAudio(samples.subarray(offset, offset + 1600), 3200);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('quirk 1: a marker during a latency test stops the stream (markerCrash)', () => {
  // 2 s in one message (batched at once, no pause: no latency test, so start_speech goes out),
  // then 1.2 s paced: each batch of paced audio "resumes from temporary silence" and arms it.
  const preroll = sine(32000, 16000);
  const paced = sine(1600 * 12, 16000);
  const input = concatInt16([preroll, paced]);

  async function speak(client: TestClient): Promise<void> {
    client.sendMarker('start_of_stream');
    client.sendAudio(preroll, preroll.length * 2);
    await sendPaced(client, paced);
    client.sendMarker('end_of_stream');
  }

  test('on: the end marker is never echoed, a final end_speech follows after the cleanup, then silence', async () => {
    const server = await start(
      only({ markerCrash: true, endSpeechBeforeTail: true, markerCrashCleanupMs: 600 }),
    );
    const client = await connect(server);
    await speak(client);
    await client.waitFor(ends(1), 'the cleanup end_speech');
    const endIndex = client.messages.findIndex((entry) => kindOf(entry.message) === 'end');
    expect(kindOf(client.messages[0]!.message)).toBe('start');
    const lastFrame = client.messages[endIndex - 1]!;
    const end = client.messages[endIndex]!;
    // Generation stopped before the utterance's last frames; the end_speech is the cleanup's.
    expect(speechAudio(client.messages).length).toBeLessThan(input.length);
    expect(end.atMs - lastFrame.atMs).toBeGreaterThanOrEqual(550);
    // The socket stays open and silent: later utterances get nothing at all.
    const countBefore = client.messages.length;
    client.sendMarker('start_of_stream');
    client.sendAudio(sine(16000, 16000));
    client.sendMarker('end_of_stream');
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(client.messages.length).toBe(countBefore);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    expect(server.stats().activeStreams).toBe(1);
  });

  test('off: the same paced utterance ends with its own end_speech, then its last frames', async () => {
    const server = await start(only({ markerCrash: false, endSpeechBeforeTail: true }));
    const client = await connect(server);
    await speak(client);
    await client.waitFor(ends(1), 'end_speech');
    await client.waitFor(
      (messages) => speechAudio(messages).length >= input.length,
      'every frame of the utterance',
    );
    expect(Array.from(speechAudio(client.messages))).toEqual(padded(input));
  });
});

describe('quirk 2: end_speech before the tail (endSpeechBeforeTail)', () => {
  // 16000 samples in ten messages are batched into 25 frames; the last 1000 samples stay pending.
  const input = sine(17000, 16000);

  async function run(on: boolean): Promise<TestClient> {
    const server = await start(only({ endSpeechBeforeTail: on }));
    const client = await connect(server);
    client.sendMarker('start_of_stream');
    client.sendAudio(input, 3200);
    client.sendMarker('end_of_stream');
    await client.waitFor(ends(1), 'end_speech');
    await client.waitFor(
      (messages) => speechAudio(messages).length >= 27 * 640,
      'every frame of the utterance',
    );
    return client;
  }

  test('on: the last 5 framed frames and the pending audio come after end_speech', async () => {
    const client = await run(true);
    const pattern = kinds(client.messages);
    expect(pattern.startsWith(`S${'f'.repeat(20)}E${'f'.repeat(7)}`)).toBe(true);
    // They are the utterance's own frames, in order, the last one zero-padded.
    expect(Array.from(speechAudio(client.messages))).toEqual(padded(input));
  });

  test('off: every frame comes before end_speech', async () => {
    const client = await run(false);
    expect(kinds(client.messages).startsWith(`S${'f'.repeat(27)}E`)).toBe(true);
  });
});

describe('quirk 3: an utterance below the batching threshold gets no video (shortUtteranceNoVideo)', () => {
  const okay = sine(7680, 16000); // "OK.": 480 ms, under 8000 samples

  async function run(on: boolean): Promise<string> {
    const server = await start(only({ shortUtteranceNoVideo: on }));
    const client = await connect(server);
    client.sendMarker('start_of_stream');
    client.sendAudio(okay, 3200);
    client.sendMarker('end_of_stream');
    await client.waitFor(ends(1), 'end_speech');
    await client.waitFor((messages) => speechAudio(messages).length >= 7680, '12 frames');
    expect(Array.from(speechAudio(client.messages))).toEqual(padded(okay));
    return kinds(client.messages);
  }

  test('on: start_speech and end_speech back to back, its 12 frames after them', async () => {
    expect((await run(true)).startsWith(`SE${'f'.repeat(12)}`)).toBe(true);
  });

  test('off: its 12 frames between the markers', async () => {
    expect((await run(false)).startsWith(`S${'f'.repeat(12)}E`)).toBe(true);
  });
});

describe('quirk 4: a later utterance gets a stale start_speech (staleStartSpeech)', () => {
  async function secondUtterance(on: boolean): Promise<string> {
    const server = await start(only({ staleStartSpeech: on }));
    const client = await connect(server);
    client.sendMarker('start_of_stream');
    client.sendAudio(sine(8000, 16000), 1600);
    client.sendMarker('end_of_stream');
    await client.waitFor(ends(1), 'first end_speech');
    await client.waitFor((messages) => isSilentFrame(messages.at(-1)!.message), 'idle frames');
    const firstCount = client.messages.length;
    client.sendMarker('start_of_stream');
    client.sendAudio(sine(8000, 16000), 1600);
    client.sendMarker('end_of_stream');
    await client.waitFor(starts(2), 'second start_speech');
    await client.waitFor(ends(2), 'second end_speech');
    return kinds(client.messages.slice(firstCount)).replace(/^\.*/, '');
  }

  test('on: start_speech goes out ahead of at least 5 idle frames, then the speech', async () => {
    expect(await secondUtterance(true)).toMatch(/^S\.{5,}f{13}E/);
  });

  test('off: start_speech goes out just before the first speech frame', async () => {
    expect(await secondUtterance(false)).toMatch(/^Sf{13}E/);
  });
});

describe('quirk 5: a server slower than real time inserts silent frames inside speech (generationFps)', () => {
  const input = sine(1600 * 20, 16000); // 2 s

  async function run(generationFps: number | null, pace: boolean): Promise<ReceivedMessage[]> {
    const server = await start(only({ generationFps }));
    const client = await connect(server);
    client.sendMarker('start_of_stream');
    if (pace) await sendPaced(client, input);
    else client.sendAudio(input, 3200);
    client.sendMarker('end_of_stream');
    await client.waitFor(ends(1), 'end_speech', 15_000);
    return client.messages;
  }

  function utterance(messages: ReceivedMessage[]): string {
    const pattern = kinds(messages);
    return pattern.slice(0, pattern.indexOf('E') + 1);
  }

  test('on (20 fps, paced audio): silent frames in batches of 5 sit between start_speech and end_speech', async () => {
    const messages = await run(20, true);
    const inside = utterance(messages);
    expect(inside).toMatch(/^S[f.]+E$/);
    expect(inside).toMatch(/f\.{5}f/);
    expect(inside.replaceAll(/[^.]/g, '').length % 5).toBe(0);
    // Every frame carries the 40 ms of audio it was made from: the speech is intact and in
    // order, and the inserted frames carry 1280 zero bytes.
    expect(Array.from(speechAudio(messages))).toEqual(Array.from(input));
    for (const entry of messages.filter((candidate) => isSilentFrame(candidate.message))) {
      expect(entry.message.audio_bytes).toHaveLength(1280);
    }
  }, 20_000);

  test('on (20 fps, audio sent ahead): no silence inside; the frames just come slower', async () => {
    const messages = await run(20, false);
    expect(utterance(messages)).toBe(`S${'f'.repeat(50)}E`);
    const frames = messages.filter((entry) => kindOf(entry.message) === 'frame');
    const spanMs = frames[49]!.atMs - frames[0]!.atMs;
    expect(spanMs).toBeGreaterThanOrEqual(49 * 50 - 100);
  }, 20_000);

  test('off (fast enough): the utterance is its 50 frames at the normal pace', async () => {
    const messages = await run(null, false);
    expect(utterance(messages)).toBe(`S${'f'.repeat(50)}E`);
    const frames = messages.filter((entry) => kindOf(entry.message) === 'frame');
    expect(frames[49]!.atMs - frames[0]!.atMs).toBeLessThan(49 * 50 - 100);
  });
});

describe('all quirks together (the default)', () => {
  test('two utterances on one socket at 20 fps, the second with a stale start, both complete', async () => {
    const server = await start({ faults: { ...realServerQuirks, generationFps: 20 } });
    const client = await connect(server);
    for (let utterance = 1; utterance <= 2; utterance++) {
      client.sendMarker('start_of_stream');
      client.sendAudio(sine(16000, 16000), 3200);
      client.sendMarker('end_of_stream');
      await client.waitFor(ends(utterance), `end_speech ${utterance}`, 10_000);
      await client.waitFor(
        (messages) => speechAudio(messages).length >= utterance * 16000,
        `the frames of utterance ${utterance}`,
        10_000,
      );
    }
    const second = kinds(client.messages).split('E')[1]!;
    expect(second).toMatch(/^[f.]*S\.{5,}f+$/);
  }, 25_000);
});

describe('presets', () => {
  test('the default is every real-server quirk; idealServer turns them all off', () => {
    expect(realServerQuirks).toEqual({
      markerCrash: true,
      endSpeechBeforeTail: true,
      shortUtteranceNoVideo: true,
      staleStartSpeech: true,
      generationFps: null,
      serverKeying: true,
      loadModelUnknown500: true,
    });
    for (const [name, value] of Object.entries(idealServer)) {
      expect([false, null], name).toContain(value);
    }
  });
});
