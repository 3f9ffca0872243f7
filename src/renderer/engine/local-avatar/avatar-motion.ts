/**
 * The local avatar's motion, as pure functions of audio and time: no DOM, no state, so every
 * frame is reproducible (exports render the same video twice) and unit-testable under Node.
 */

/** Video frames are tied to 40 ms of audio (25 fps), like SyncTalk's. */
export const LOCAL_AVATAR_FRAME_MS = 40;

/** One frame's pose. Offsets are fractions of the square figure box (1 = the box's side). */
export interface AvatarPose {
  /** 1 = eyes fully open, 0 = closed. */
  eyeOpenness: number;
  /** 0 = lips closed, 1 = fully open. */
  mouthOpenness: number;
  headOffsetX: number;
  headOffsetY: number;
  /** Head roll around the neck, positive = clockwise on screen. */
  headTiltRad: number;
  /** How far the shoulders are raised by breathing (box fraction, >= 0). */
  breathLift: number;
  /** Where the eyes look, -1..1 of the eyes' range (positive = right / down). */
  gazeX: number;
  gazeY: number;
  /** 0 = relaxed brows, 1 = fully raised. */
  browLift: number;
}

// Below this the audio counts as silence whatever the utterance's loudness (-55 dBFS).
const ABSOLUTE_GATE_DBFS = -55;
// The mouth's range spans this many dB below the utterance's reference loudness.
const DYNAMIC_RANGE_DB = 24;
// The reference loudness is this percentile of the voiced frames, so a few peaks don't shrink
// the rest.
const REFERENCE_PERCENTILE = 0.95;
// Speech sits mostly within a few dB of its peaks: the curve keeps ordinary syllables half open
// and only the loudest wide open, so the mouth visibly moves with each syllable.
const OPENNESS_EXPONENT = 1.6;
// Mouths open fast and close a little slower; at 40 ms frames these give about 0.93 and 0.49.
const ATTACK_MS = 15;
const RELEASE_MS = 60;
const FULL_SCALE = 32768;

function frameLevelsDbfs(pcm: Int16Array, frameSamples: number): Float64Array {
  const frameCount = Math.ceil(pcm.length / frameSamples);
  const levels = new Float64Array(frameCount);
  for (let frame = 0; frame < frameCount; frame++) {
    const start = frame * frameSamples;
    const end = Math.min(pcm.length, start + frameSamples);
    let sum = 0;
    let sumSquares = 0;
    for (let index = start; index < end; index++) {
      const sample = (pcm[index] ?? 0) / FULL_SCALE;
      sum += sample;
      sumSquares += sample * sample;
    }
    const count = end - start;
    const mean = sum / count;
    // Subtracting the mean keeps a DC offset from reading as voice.
    const variance = Math.max(0, sumSquares / count - mean * mean);
    const rms = Math.sqrt(variance);
    levels[frame] = rms > 0 ? 20 * Math.log10(rms) : -Infinity;
  }
  return levels;
}

function percentile(sortedValues: readonly number[], fraction: number): number {
  const index = Math.min(
    sortedValues.length - 1,
    Math.max(0, Math.round(fraction * (sortedValues.length - 1))),
  );
  return sortedValues[index] ?? 0;
}

/**
 * Mouth openness per frame (0..1) from the audio's envelope: RMS per frame, a noise gate (silent
 * frames are exactly 0), levels in dB scaled to the utterance's own loudness (so quiet and loud
 * voices move the mouth alike), then attack/release smoothing.
 */
export function mouthOpennessFromPcm(
  pcm: Int16Array,
  sampleRateHz: number,
  frameMs = LOCAL_AVATAR_FRAME_MS,
): Float32Array {
  if (!(sampleRateHz > 0) || !(frameMs > 0)) {
    throw new RangeError(
      `sampleRateHz and frameMs must be positive (got ${sampleRateHz}, ${frameMs})`,
    );
  }
  const frameSamples = Math.max(1, Math.round((sampleRateHz * frameMs) / 1000));
  const levels = frameLevelsDbfs(pcm, frameSamples);
  const openness = new Float32Array(levels.length);

  const voiced = Array.from(levels)
    .filter((level) => level >= ABSOLUTE_GATE_DBFS)
    .sort((a, b) => a - b);
  if (voiced.length === 0) return openness;

  const referenceDbfs = percentile(voiced, REFERENCE_PERCENTILE);
  const gateDbfs = Math.max(ABSOLUTE_GATE_DBFS, referenceDbfs - DYNAMIC_RANGE_DB);
  // A voice just above the absolute gate still gets a usable (if small) range.
  const rangeDb = Math.max(1, referenceDbfs - gateDbfs);
  const attack = 1 - Math.exp(-frameMs / ATTACK_MS);
  const release = 1 - Math.exp(-frameMs / RELEASE_MS);

  let smoothed = 0;
  for (let frame = 0; frame < levels.length; frame++) {
    const level = levels[frame] ?? -Infinity;
    if (level < gateDbfs) {
      // Silence closes the mouth at once: a moving mouth over silence reads as a bug.
      smoothed = 0;
    } else {
      const target = Math.min(1, (level - gateDbfs) / rangeDb) ** OPENNESS_EXPONENT;
      smoothed += (target > smoothed ? attack : release) * (target - smoothed);
    }
    openness[frame] = smoothed;
  }
  return openness;
}

/** The openness for the frame being shown at `timeMs`; 0 outside the utterance. */
export function mouthOpennessAt(
  openness: Float32Array,
  timeMs: number,
  frameMs = LOCAL_AVATAR_FRAME_MS,
): number {
  const frame = Math.floor(timeMs / frameMs);
  if (frame < 0 || frame >= openness.length) return 0;
  return openness[frame] ?? 0;
}

/** A stateless hash of (seed, index) to [0, 1): the same inputs give the same blink every run. */
function hashUnit(seed: number, index: number, salt: number): number {
  let h = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (index | 0) ^ Math.imul(salt, 0xc2b2ae35), 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

function smoothstep(edge0: number, edge1: number, value: number): number {
  const x = Math.min(1, Math.max(0, (value - edge0) / (edge1 - edge0)));
  return x * x * (3 - 2 * x);
}

// One blink per slot at a random offset: consecutive blinks are 2.5-6 s apart (slot +- jitter).
const BLINK_SLOT_MS = 4250;
const BLINK_JITTER_MS = 1750;
const DOUBLE_BLINK_CHANCE = 0.18;

interface BlinkTiming {
  closingMs: number;
  closedMs: number;
  openingMs: number;
}

function blinkTiming(seed: number, slot: number, salt: number): BlinkTiming {
  return {
    closingMs: 50 + 15 * hashUnit(seed, slot, salt),
    closedMs: 25 + 15 * hashUnit(seed, slot, salt + 1),
    openingMs: 70 + 25 * hashUnit(seed, slot, salt + 2),
  };
}

/** How closed the lids are (0..1) `elapsedMs` after a blink starts. */
function blinkClosure(elapsedMs: number, timing: BlinkTiming): number {
  if (elapsedMs < 0) return 0;
  if (elapsedMs < timing.closingMs) return smoothstep(0, timing.closingMs, elapsedMs);
  const openingStartMs = timing.closingMs + timing.closedMs;
  if (elapsedMs < openingStartMs) return 1;
  return 1 - smoothstep(openingStartMs, openingStartMs + timing.openingMs, elapsedMs);
}

function blinkTotalMs(timing: BlinkTiming): number {
  return timing.closingMs + timing.closedMs + timing.openingMs;
}

function eyeOpennessAt(timeMs: number, seed: number): number {
  const slot = Math.floor(timeMs / BLINK_SLOT_MS);
  const startMs = slot * BLINK_SLOT_MS + BLINK_JITTER_MS * hashUnit(seed, slot, 1);
  const first = blinkTiming(seed, slot, 10);
  let closure = blinkClosure(timeMs - startMs, first);
  if (hashUnit(seed, slot, 2) < DOUBLE_BLINK_CHANCE) {
    // The second blink of a pair follows shortly and is a little lighter.
    const secondStartMs = startMs + blinkTotalMs(first) + 60 + 80 * hashUnit(seed, slot, 3);
    const second = blinkTiming(seed, slot, 20);
    closure = Math.max(closure, 0.9 * blinkClosure(timeMs - secondStartMs, second));
  }
  return 1 - closure;
}

/** Two incommensurate sines: smooth, never exactly repeating, within [-1, 1]. */
function wander(timeMs: number, periodAMs: number, periodBMs: number, phase: number): number {
  const tau = 2 * Math.PI;
  return (
    0.62 * Math.sin((tau * timeMs) / periodAMs + tau * phase) +
    0.38 * Math.sin((tau * timeMs) / periodBMs + tau * phase * 1.7 + 1.3)
  );
}

// Idle amplitudes, as fractions of the figure box (about 4 px, 2 px, 2 px at 512 px).
const HEAD_SWAY_X = 4 / 512;
const HEAD_SWAY_Y = 2 / 512;
const BREATH_LIFT = 2.2 / 512;
const BREATH_PERIOD_MS = 4300;
const HEAD_TILT_RAD = (1.6 * Math.PI) / 180;

/**
 * The avatar's pose at `timeMs`: natural blinks, a slow idle sway, breathing, a wandering gaze
 * and brows that lift on loud syllables. Deterministic in (timeMs, mouthOpen, seed).
 */
export function avatarPoseAt(timeMs: number, mouthOpen: number, seed = 0): AvatarPose {
  const mouthOpenness = Number.isFinite(mouthOpen) ? Math.min(1, Math.max(0, mouthOpen)) : 0;
  const phase = (salt: number): number => hashUnit(seed, -1, salt);
  const breathing = 0.5 - 0.5 * Math.cos((2 * Math.PI * timeMs) / BREATH_PERIOD_MS + 6 * phase(1));
  const breathLift = BREATH_LIFT * breathing;
  return {
    eyeOpenness: eyeOpennessAt(timeMs, seed),
    mouthOpenness,
    headOffsetX: HEAD_SWAY_X * wander(timeMs, 6100, 3700, phase(2)),
    // The head rides on the shoulders, so it rises with each breath too.
    headOffsetY: HEAD_SWAY_Y * wander(timeMs, 5300, 2900, phase(3)) - 0.6 * breathLift,
    headTiltRad: HEAD_TILT_RAD * wander(timeMs, 7900, 4300, phase(4)),
    breathLift,
    gazeX: 0.35 * wander(timeMs, 5700, 2300, phase(5)),
    gazeY: 0.2 * wander(timeMs, 6700, 3100, phase(6)),
    browLift:
      0.55 * smoothstep(0.6, 1, mouthOpenness) +
      0.15 * smoothstep(0.6, 1, wander(timeMs, 9100, 5900, phase(7))),
  };
}

/** Around a word's edges the mouth may still be opening or closing. */
const WORD_EDGE_MS = 60;

/**
 * Lip cues from word timings: loudness outside every word (breaths, clicks, room tone, the
 * service's lead-in) closes the mouth, so it moves only while words are said. Without words
 * (an engine that reports none) the loudness curve is used as it is.
 */
export function gateMouthByWords(
  openness: Float32Array,
  words: readonly { startMs: number; endMs: number }[],
  frameMs = LOCAL_AVATAR_FRAME_MS,
): Float32Array {
  if (words.length === 0) return openness;
  const gated = new Float32Array(openness.length);
  let wordIndex = 0;
  for (let frame = 0; frame < openness.length; frame++) {
    const fromMs = frame * frameMs;
    const toMs = fromMs + frameMs;
    while (wordIndex < words.length && (words[wordIndex]?.endMs ?? 0) + WORD_EDGE_MS < fromMs) {
      wordIndex += 1;
    }
    const word = words[wordIndex];
    const inWord = word !== undefined && word.startMs - WORD_EDGE_MS < toMs;
    gated[frame] = inWord ? (openness[frame] ?? 0) : 0;
  }
  return gated;
}
