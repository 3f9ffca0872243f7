import { describe, expect, test } from 'vitest';
import {
  chunkPcm,
  createAudioPacer,
  defaultPacingPolicy,
  frameDurationMs,
  pacingPolicyProblem,
  padForBatching,
  padToWholeFrames,
  samplesPerFrame,
  syncTalkSampleRateHz,
} from './audio-pacing.ts';
import type { AudioChunk } from './audio-pacing.ts';

function ramp(length: number): Int16Array {
  return Int16Array.from({ length }, (_, n) => ((n * 37) % 65536) - 32768);
}

describe('padToWholeFrames', () => {
  test('pads with silence to a multiple of 640 samples and keeps the samples', () => {
    const pcm = ramp(1000);
    const padded = padToWholeFrames(pcm);
    expect(padded.length).toBe(1280);
    expect(Array.from(padded.subarray(0, 1000))).toEqual(Array.from(pcm));
    expect(padded.subarray(1000).every((sample) => sample === 0)).toBe(true);
  });

  test('leaves whole frames alone', () => {
    const pcm = ramp(samplesPerFrame * 3);
    expect(padToWholeFrames(pcm)).toBe(pcm);
  });
});

describe('chunkPcm', () => {
  test('cuts 160 ms chunks of s16le whose bytes join back to the input', () => {
    const pcm = ramp(syncTalkSampleRateHz + 100);
    const chunks = chunkPcm(pcm, 160);
    expect(chunks.map((chunk) => chunk.audioMs)).toEqual([0, 160, 320, 480, 640, 800, 960]);
    expect(chunks.map((chunk) => chunk.bytes.byteLength)).toEqual([
      5120, 5120, 5120, 5120, 5120, 5120, 1480,
    ]);
    const joined = Buffer.concat(chunks.map((chunk) => chunk.bytes));
    const expected = Buffer.alloc(pcm.length * 2);
    pcm.forEach((sample, index) => expected.writeInt16LE(sample, index * 2));
    expect(joined.equals(expected)).toBe(true);
    expect(chunks.at(-1)?.endMs).toBe(1006.25);
  });

  test('writes little-endian bytes', () => {
    const [chunk] = chunkPcm(Int16Array.from([-2, 258]), 160);
    expect(Array.from(chunk?.bytes ?? [])).toEqual([0xfe, 0xff, 0x02, 0x01]);
  });
});

describe('pacingPolicyProblem', () => {
  test('accepts the default and rejects a look-ahead the server could stall on', () => {
    expect(pacingPolicyProblem(defaultPacingPolicy)).toBeNull();
    expect(pacingPolicyProblem({ chunkMs: 160, lookAheadMs: 500 })).toMatch(/at least 640 ms/);
    expect(pacingPolicyProblem({ chunkMs: 100, lookAheadMs: 450 })).toMatch(/at least 500 ms/);
    expect(pacingPolicyProblem({ chunkMs: 0, lookAheadMs: 1000 })).toMatch(/chunkMs/);
  });
});

/**
 * A fake SyncTalk on a fake clock: it batches once 0.5 s and 4 chunks are pending (or the end
 * marker came), renders a batch in `renderMs`, and sends frames one per tick of `frameIntervalMs`
 * (a stall window sends nothing, then it bursts).
 */
function simulate(options: {
  audioMs: number;
  renderMs: number;
  stall?: { fromMs: number; toMs: number; burstIntervalMs: number };
}) {
  const pcm = ramp((options.audioMs * syncTalkSampleRateHz) / 1000);
  const chunks = chunkPcm(padToWholeFrames(pcm), defaultPacingPolicy.chunkMs);
  const pacer = createAudioPacer(chunks, defaultPacingPolicy.lookAheadMs);
  const totalFrames = Math.ceil(options.audioMs / frameDurationMs);
  const sends: { atMs: number; chunk: AudioChunk; receivedFrames: number }[] = [];
  let pendingMs = 0;
  let pendingChunks = 0;
  let renderedFrames = 0;
  let renderDoneAtMs: number | null = null;
  let renderingFrames = 0;
  let sentFrames = 0;
  let receivedFrames = 0;
  let lastFrameAtMs = -Infinity;
  let maxLookAheadMs = 0;
  const clientSend = (atMs: number) => {
    for (const chunk of pacer.take(receivedFrames)) {
      sends.push({ atMs, chunk, receivedFrames });
      pendingMs += chunk.endMs - chunk.audioMs;
      pendingChunks += 1;
      maxLookAheadMs = Math.max(maxLookAheadMs, chunk.endMs - receivedFrames * frameDurationMs);
    }
  };
  let nowMs = 0;
  clientSend(nowMs);
  for (; receivedFrames < totalFrames && nowMs < 60_000; nowMs += 1) {
    if (renderDoneAtMs !== null && nowMs >= renderDoneAtMs) {
      renderedFrames += renderingFrames;
      renderDoneAtMs = null;
    }
    const ended = pacer.finished;
    if (
      renderDoneAtMs === null &&
      pendingMs > 0 &&
      ((pendingMs >= 500 && pendingChunks >= 4) || ended)
    ) {
      renderingFrames = Math.round(pendingMs / frameDurationMs);
      renderDoneAtMs = nowMs + options.renderMs;
      pendingMs = 0;
      pendingChunks = 0;
    }
    const stalled =
      options.stall !== undefined && nowMs >= options.stall.fromMs && nowMs < options.stall.toMs;
    const intervalMs =
      options.stall !== undefined && nowMs >= options.stall.toMs
        ? options.stall.burstIntervalMs
        : frameDurationMs;
    if (!stalled && sentFrames < renderedFrames && nowMs - lastFrameAtMs >= intervalMs) {
      sentFrames += 1;
      receivedFrames += 1;
      lastFrameAtMs = nowMs;
      clientSend(nowMs);
    }
  }
  return { sends, maxLookAheadMs, finishedAtMs: nowMs, receivedFrames, totalFrames, pacer };
}

describe('audio pacer against a fake server on a fake clock', () => {
  test('sends ahead of real time, never more than 1 s beyond the frames received', () => {
    const run = simulate({ audioMs: 6000, renderMs: 100 });
    expect(run.receivedFrames).toBe(run.totalFrames);
    expect(run.pacer.finished).toBe(true);
    // The opening burst: everything up to the look-ahead goes at once (6 x 160 ms).
    expect(run.sends.filter((send) => send.atMs === 0).map((send) => send.chunk.index)).toEqual([
      0, 1, 2, 3, 4, 5,
    ]);
    expect(run.maxLookAheadMs).toBeLessThanOrEqual(defaultPacingPolicy.lookAheadMs);
    expect(run.maxLookAheadMs).toBeGreaterThan(defaultPacingPolicy.lookAheadMs - 200);
    // Ahead of real time: after the opening burst every chunk leaves well before its audio time.
    const leadsMs = run.sends.slice(6).map((send) => send.chunk.audioMs - send.atMs);
    expect(Math.min(...leadsMs)).toBeGreaterThan(700);
    // Frames flow at 25 fps after a start-up under a second.
    expect(run.finishedAtMs).toBeLessThan(6000 + 1000);
  });

  test('holds audio back during a stall and catches up in the burst after it', () => {
    const run = simulate({
      audioMs: 6000,
      renderMs: 100,
      stall: { fromMs: 1500, toMs: 3000, burstIntervalMs: 10 },
    });
    expect(run.receivedFrames).toBe(run.totalFrames);
    const duringStall = run.sends.filter((send) => send.atMs > 1500 && send.atMs < 3000);
    expect(duringStall).toEqual([]);
    expect(run.maxLookAheadMs).toBeLessThanOrEqual(defaultPacingPolicy.lookAheadMs);
    const afterStall = run.sends.filter((send) => send.atMs >= 3000);
    expect(afterStall.length).toBeGreaterThan(0);
  });

  test('a short utterance goes out at once', () => {
    const run = simulate({ audioMs: 300, renderMs: 50 });
    expect(run.sends.every((send) => send.atMs === 0)).toBe(true);
    expect(run.receivedFrames).toBe(Math.ceil(300 / 40));
  });
});

describe('padForBatching (issue 15, quirk 3)', () => {
  test('audio below 4 chunks is padded with silence to whole chunks, 240 ms past its speech', () => {
    const ok = Int16Array.from({ length: 7680 }, () => 100); // "OK.": 480 ms
    const padded = padForBatching(ok, 160);
    expect(padded.length).toBe(5 * 2560); // 720 ms needed, 800 ms in whole chunks
    expect(Array.from(padded.subarray(0, 7680)).every((value) => value === 100)).toBe(true);
    expect(Array.from(padded.subarray(7680)).every((value) => value === 0)).toBe(true);
    expect(padForBatching(new Int16Array(100), 160).length).toBe(4 * 2560);
  });

  test('audio of 4 chunks or more is sent as it is', () => {
    const long = new Int16Array(4 * 2560);
    expect(padForBatching(long, 160)).toBe(long);
  });
});
