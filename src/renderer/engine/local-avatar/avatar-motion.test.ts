import { describe, expect, it } from 'vitest';
import {
  gateMouthByWords,
  LOCAL_AVATAR_FRAME_MS,
  avatarPoseAt,
  mouthOpennessAt,
  mouthOpennessFromPcm,
} from './avatar-motion.ts';
import type { AvatarPose } from './avatar-motion.ts';

const sampleRateHz = 16_000;
const samplesPerFrame = (sampleRateHz * LOCAL_AVATAR_FRAME_MS) / 1000;

/** Deterministic pseudo-random noise in [-1, 1). */
function noiseSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

interface Segment {
  durationMs: number;
  /** Peak amplitude in sample units; 0 = digital silence. */
  amplitude: number;
  frequencyHz?: number;
  /** Optional amplitude modulation, like syllables. */
  modulationHz?: number;
  noiseAmplitude?: number;
}

function synthesize(segments: Segment[], seed = 1): Int16Array {
  const totalSamples = segments.reduce(
    (sum, segment) => sum + Math.round((segment.durationMs * sampleRateHz) / 1000),
    0,
  );
  const pcm = new Int16Array(totalSamples);
  const noise = noiseSource(seed);
  let offset = 0;
  for (const segment of segments) {
    const count = Math.round((segment.durationMs * sampleRateHz) / 1000);
    for (let index = 0; index < count; index++) {
      const timeS = index / sampleRateHz;
      const envelope =
        segment.modulationHz === undefined
          ? 1
          : 0.5 - 0.5 * Math.cos(2 * Math.PI * segment.modulationHz * timeS);
      const tone =
        segment.amplitude * envelope * Math.sin(2 * Math.PI * (segment.frequencyHz ?? 220) * timeS);
      pcm[offset + index] = Math.round(tone + (segment.noiseAmplitude ?? 0) * noise());
    }
    offset += count;
  }
  return pcm;
}

/** Frames lying entirely inside [startMs, endMs). */
function framesWithin(startMs: number, endMs: number): number[] {
  const frames: number[] = [];
  for (
    let frame = Math.ceil(startMs / LOCAL_AVATAR_FRAME_MS);
    (frame + 1) * LOCAL_AVATAR_FRAME_MS <= endMs;
    frame++
  ) {
    frames.push(frame);
  }
  return frames;
}

describe('mouthOpennessFromPcm', () => {
  it('gives one value per 40 ms frame, rounding a partial last frame up', () => {
    expect(mouthOpennessFromPcm(new Int16Array(samplesPerFrame * 25), sampleRateHz)).toHaveLength(
      25,
    );
    expect(
      mouthOpennessFromPcm(new Int16Array(samplesPerFrame * 25 + 1), sampleRateHz),
    ).toHaveLength(26);
    expect(mouthOpennessFromPcm(new Int16Array(0), sampleRateHz)).toHaveLength(0);
    expect(mouthOpennessFromPcm(new Int16Array(22_050), 22_050, 20)).toHaveLength(50);
  });

  it('keeps the mouth exactly closed over digital silence and a faint noise floor', () => {
    const silence = mouthOpennessFromPcm(new Int16Array(sampleRateHz * 2), sampleRateHz);
    expect(Array.from(silence).every((value) => value === 0)).toBe(true);
    const hiss = synthesize([{ durationMs: 2000, amplitude: 0, noiseAmplitude: 40 }]);
    expect(Array.from(mouthOpennessFromPcm(hiss, sampleRateHz)).every((v) => v === 0)).toBe(true);
  });

  it.each([
    ['loud', 12_000],
    ['quiet', 400],
  ])('opens during a %s tone burst and is 0 before and after it', (_label, amplitude) => {
    const pcm = synthesize([
      { durationMs: 500, amplitude: 0 },
      { durationMs: 1000, amplitude },
      { durationMs: 500, amplitude: 0 },
    ]);
    const openness = mouthOpennessFromPcm(pcm, sampleRateHz);
    expect(openness).toHaveLength(50);
    for (const frame of framesWithin(0, 500)) expect(openness[frame]).toBe(0);
    for (const frame of framesWithin(500, 1500)) expect(openness[frame]).toBeGreaterThan(0.3);
    for (const frame of framesWithin(1500, 2000)) expect(openness[frame]).toBe(0);
  });

  it('ignores a background noise floor well below the voice', () => {
    const pcm = synthesize([
      { durationMs: 600, amplitude: 0, noiseAmplitude: 60 },
      { durationMs: 800, amplitude: 9000, noiseAmplitude: 60 },
      { durationMs: 600, amplitude: 0, noiseAmplitude: 60 },
    ]);
    const openness = mouthOpennessFromPcm(pcm, sampleRateHz);
    for (const frame of framesWithin(0, 600)) expect(openness[frame]).toBe(0);
    for (const frame of framesWithin(600, 1400)) expect(openness[frame]).toBeGreaterThan(0.3);
    for (const frame of framesWithin(1400, 2000)) expect(openness[frame]).toBe(0);
  });

  it('follows syllable-rate loudness changes instead of staying open', () => {
    const pcm = synthesize([{ durationMs: 2000, amplitude: 10_000, modulationHz: 4 }]);
    const openness = Array.from(mouthOpennessFromPcm(pcm, sampleRateHz)).slice(5);
    expect(Math.max(...openness)).toBeGreaterThan(0.8);
    expect(Math.min(...openness)).toBeLessThan(0.2);
    expect(openness.every((value) => value >= 0 && value <= 1)).toBe(true);
  });

  it('opens wider for louder frames of the same utterance', () => {
    const pcm = synthesize([
      { durationMs: 400, amplitude: 1500 },
      { durationMs: 400, amplitude: 12_000 },
    ]);
    const openness = mouthOpennessFromPcm(pcm, sampleRateHz);
    expect(openness[18]).toBeGreaterThan((openness[8] ?? 1) + 0.2);
  });

  it('is deterministic', () => {
    const pcm = synthesize([
      { durationMs: 1500, amplitude: 7000, modulationHz: 3, noiseAmplitude: 300 },
    ]);
    expect(mouthOpennessFromPcm(pcm, sampleRateHz)).toEqual(
      mouthOpennessFromPcm(pcm, sampleRateHz),
    );
  });

  it('rejects a non-positive sample rate or frame length', () => {
    expect(() => mouthOpennessFromPcm(new Int16Array(10), 0)).toThrow(RangeError);
    expect(() => mouthOpennessFromPcm(new Int16Array(10), sampleRateHz, 0)).toThrow(RangeError);
  });
});

describe('mouthOpennessAt', () => {
  it('picks the frame being shown and is 0 outside the utterance', () => {
    const openness = new Float32Array([0.25, 0.5, 1]);
    expect(mouthOpennessAt(openness, 0)).toBe(0.25);
    expect(mouthOpennessAt(openness, 39.9)).toBe(0.25);
    expect(mouthOpennessAt(openness, 40)).toBe(0.5);
    expect(mouthOpennessAt(openness, 119)).toBe(1);
    expect(mouthOpennessAt(openness, 120)).toBe(0);
    expect(mouthOpennessAt(openness, -1)).toBe(0);
  });
});

/** Closed-eye episodes (eyeOpenness below `threshold`) as [startMs, endMs) over a time range. */
function blinkEpisodes(
  seed: number,
  durationMs: number,
  threshold: number,
  stepMs = 5,
): [number, number][] {
  const episodes: [number, number][] = [];
  let startMs: number | undefined;
  for (let timeMs = 0; timeMs <= durationMs; timeMs += stepMs) {
    const closed = avatarPoseAt(timeMs, 0, seed).eyeOpenness < threshold;
    if (closed && startMs === undefined) startMs = timeMs;
    if (!closed && startMs !== undefined) {
      episodes.push([startMs, timeMs]);
      startMs = undefined;
    }
  }
  return episodes;
}

const seeds = [0, 1, 7, 42, 123_456];

describe('avatarPoseAt: blinking', () => {
  it.each(seeds)('blinks within every 7 s window (seed %i)', (seed) => {
    const durationMs = 180_000;
    const starts = blinkEpisodes(seed, durationMs, 0.2).map(([startMs]) => startMs);
    expect(starts.length).toBeGreaterThan(0);
    const gaps = [starts[0]!, ...starts.slice(1).map((start, index) => start - starts[index]!)];
    gaps.push(durationMs - starts[starts.length - 1]!);
    expect(Math.max(...gaps)).toBeLessThan(7000);
  });

  it.each(seeds)('keeps the eyes open most of the time (seed %i)', (seed) => {
    let open = 0;
    const samples = 12_000;
    for (let index = 0; index < samples; index++) {
      if (avatarPoseAt(index * 10, 0, seed).eyeOpenness > 0.95) open++;
    }
    expect(open / samples).toBeGreaterThan(0.93);
  });

  it('blinks like a person: 10-30 a minute, each about 120-220 ms, sometimes twice', () => {
    const durationMs = 600_000;
    const episodes = blinkEpisodes(3, durationMs, 0.95, 2);
    const perMinute = episodes.length / (durationMs / 60_000);
    expect(perMinute).toBeGreaterThan(10);
    expect(perMinute).toBeLessThan(30);
    for (const [startMs, endMs] of episodes) {
      expect(endMs - startMs).toBeGreaterThan(90);
      expect(endMs - startMs).toBeLessThan(220);
    }
    const closeFollowUps = episodes.filter(
      ([startMs], index) => index > 0 && startMs - episodes[index - 1]![1] < 400,
    );
    expect(closeFollowUps.length).toBeGreaterThan(0);
    expect(closeFollowUps.length).toBeLessThan(episodes.length / 3);
  });

  it('shows a nearly closed eye on at least one 25 fps frame of every blink', () => {
    const frames = Array.from({ length: 25 * 120 }, (_, frame) => avatarPoseAt(frame * 40, 0, 9));
    const episodes = blinkEpisodes(9, 120_000, 0.95, 1);
    for (const [startMs, endMs] of episodes) {
      const firstFrame = Math.ceil(startMs / 40);
      const lastFrame = Math.floor(endMs / 40);
      const minimum = Math.min(
        ...frames.slice(firstFrame, lastFrame + 1).map((pose) => pose.eyeOpenness),
      );
      expect(minimum).toBeLessThan(0.45);
    }
  });
});

type MotionField = 'headOffsetX' | 'headOffsetY' | 'headTiltRad' | 'breathLift' | 'gazeX' | 'gazeY';

describe('avatarPoseAt: idle motion', () => {
  const poses: AvatarPose[] = Array.from({ length: 25 * 300 }, (_, frame) =>
    avatarPoseAt(frame * 40, 0, 5),
  );
  function values(field: MotionField): number[] {
    return poses.map((pose) => pose[field]);
  }
  function range(list: number[]): number {
    return Math.max(...list) - Math.min(...list);
  }

  it('stays within a few pixels at 512 px, and moves', () => {
    const px = (list: number[]): number[] => list.map((value) => value * 512);
    expect(Math.max(...px(values('headOffsetX')).map(Math.abs))).toBeLessThanOrEqual(5);
    expect(Math.max(...px(values('headOffsetY')).map(Math.abs))).toBeLessThanOrEqual(4);
    expect(Math.max(...values('headTiltRad').map(Math.abs))).toBeLessThanOrEqual(
      (2 * Math.PI) / 180,
    );
    expect(Math.min(...values('breathLift'))).toBeGreaterThanOrEqual(0);
    expect(Math.max(...px(values('breathLift')))).toBeLessThanOrEqual(3);
    expect(range(px(values('headOffsetX')))).toBeGreaterThan(3);
    expect(range(px(values('breathLift')))).toBeGreaterThan(1.5);
    expect(range(values('headTiltRad'))).toBeGreaterThan((1 * Math.PI) / 180);
  });

  it('never jumps between frames 40 ms apart', () => {
    const limits: Record<MotionField, number> = {
      headOffsetX: 0.5 / 512,
      headOffsetY: 0.5 / 512,
      headTiltRad: (0.1 * Math.PI) / 180,
      breathLift: 0.25 / 512,
      gazeX: 0.05,
      gazeY: 0.05,
    };
    for (const field of Object.keys(limits) as MotionField[]) {
      const list = values(field);
      const largestStep = Math.max(
        ...list.slice(1).map((value, index) => Math.abs(value - list[index]!)),
      );
      expect(largestStep, field).toBeLessThan(limits[field]);
    }
  });

  it('is deterministic, and different seeds move differently', () => {
    expect(avatarPoseAt(12_345, 0.4, 11)).toEqual(avatarPoseAt(12_345, 0.4, 11));
    const first = blinkEpisodes(1, 30_000, 0.5).map(([startMs]) => startMs);
    const second = blinkEpisodes(2, 30_000, 0.5).map(([startMs]) => startMs);
    expect(first).not.toEqual(second);
    expect(avatarPoseAt(5000, 0, 1).headOffsetX).not.toBe(avatarPoseAt(5000, 0, 2).headOffsetX);
  });
});

describe('avatarPoseAt: mouth and brows', () => {
  it('passes the mouth openness through, clamped to 0..1', () => {
    expect(avatarPoseAt(100, 0.37).mouthOpenness).toBeCloseTo(0.37, 6);
    expect(avatarPoseAt(100, 0).mouthOpenness).toBe(0);
    expect(avatarPoseAt(100, 2).mouthOpenness).toBe(1);
    expect(avatarPoseAt(100, -1).mouthOpenness).toBe(0);
    expect(avatarPoseAt(100, Number.NaN).mouthOpenness).toBe(0);
  });

  it('lifts the brows on loud syllables', () => {
    for (const timeMs of [0, 3000, 17_000]) {
      const quiet = avatarPoseAt(timeMs, 0.2).browLift;
      const loud = avatarPoseAt(timeMs, 1).browLift;
      expect(loud).toBeGreaterThan(quiet + 0.3);
      expect(loud).toBeLessThanOrEqual(1);
    }
  });
});

describe('gateMouthByWords', () => {
  it('the mouth closes between words and stays as loud as the audio within them', () => {
    const open = new Float32Array(50).fill(0.8); // 2 s of steady loudness at 40 ms frames
    const words = [
      { startMs: 200, endMs: 600 },
      { startMs: 1400, endMs: 1800 },
    ];
    const gated = gateMouthByWords(open, words, 40);
    expect(gated[0]).toBe(0); // 0-40 ms: before the first word
    expect(gated[10]).toBeCloseTo(0.8); // 400 ms: inside "word one"
    expect(gated[25]).toBe(0); // 1000 ms: the pause
    expect(gated[40]).toBeCloseTo(0.8); // 1600 ms: inside "word two"
    expect(gated[49]).toBe(0); // 1960 ms: after the last word
  });

  it('without words the loudness curve is kept', () => {
    const open = new Float32Array([0.1, 0.5, 0.9]);
    expect(gateMouthByWords(open, [], 40)).toBe(open);
  });
});
