import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { NormalisedRect } from '../../src/shared/lesson/lesson-schema.ts';
import { placeAvatar } from '../../src/renderer/engine/compositor/fit-rect.ts';
import type { PixelRect } from './media-probe.ts';

/**
 * Measures a recording against what should be in it: where each slide's speech sits in the
 * audio (and whether it is intact), and how far the reference avatar's loudness marker (white
 * exactly while its 40 ms of audio is above -40 dBFS) is from the audio heard.
 */
const run = promisify(execFile);
const rateHz = 16_000;

const framesSchema = z.object({
  frames: z.array(z.object({ pts_time: z.coerce.number() })),
});
const streamsSchema = z.object({
  streams: z.array(z.object({ start_time: z.coerce.number().optional() })),
});

/** Presentation time of every video frame, in decode order. */
export async function videoFrameTimesSec(file: string): Promise<number[]> {
  const { stdout } = await run(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'frame=pts_time',
      '-of',
      'json',
      file,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return framesSchema.parse(JSON.parse(stdout)).frames.map((frame) => frame.pts_time);
}

export async function audioStartSec(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'a:0',
    '-show_entries',
    'stream=start_time',
    '-of',
    'json',
    file,
  ]);
  return streamsSchema.parse(JSON.parse(stdout)).streams[0]?.start_time ?? 0;
}

/** A rectangle of every video frame, scaled to `size` and grey, in decode order, back to back. */
async function greyFrames(
  file: string,
  rect: PixelRect,
  size: { width: number; height: number },
): Promise<Buffer> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      file,
      '-map',
      '0:v:0',
      '-fps_mode',
      'passthrough',
      '-vf',
      `crop=${rect.width}:${rect.height}:${rect.x}:${rect.y},scale=${size.width}:${size.height}:flags=area,format=gray`,
      '-f',
      'rawvideo',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout;
}

/** Mean luma (0..255) of a rectangle in every video frame, in decode order. */
export async function regionLuma(file: string, rect: PixelRect): Promise<number[]> {
  const bytes = await greyFrames(file, rect, { width: 1, height: 1 });
  return [...new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)];
}

/** True where the 40 ms of audio from `timeSec` is above the marker threshold (-40 dBFS). */
export function loudAt(samples: Float32Array, timeSec: number): boolean {
  const from = Math.round(timeSec * rateHz);
  const to = from + 640;
  if (from < 0 || to > samples.length) return false;
  let sum = 0;
  for (let i = from; i < to; i += 1) sum += (samples[i] ?? 0) ** 2;
  return 10 * Math.log10(sum / 640 + 1e-20) > -40;
}

export interface MarkerOffset {
  /** Video marker minus audio: positive = the mouth is late. */
  offsetMs: number;
  /** Fraction of marker frames that agree with the audio at that offset. */
  agreement: number;
  markerFrames: number;
}

/**
 * The lag that best lines the marker up with the audio. A marker frame at video time t was made
 * from the 40 ms of speech that starts at the frame's own slot, so in sync it agrees with
 * loudAt(t). Only frames where the marker is visible (clearly black or white) count.
 */
export function markerOffset(
  frameTimesSec: number[],
  luma: number[],
  audio: Float32Array,
  audioStartSec: number,
  searchMs = 400,
): MarkerOffset {
  const marked: { timeSec: number; on: boolean }[] = [];
  frameTimesSec.forEach((timeSec, index) => {
    const value = luma[index];
    if (value === undefined) return;
    if (value > 200) marked.push({ timeSec, on: true });
    else if (value < 55) marked.push({ timeSec, on: false });
  });
  const scores: { lagMs: number; agreement: number }[] = [];
  for (let lagMs = -searchMs; lagMs <= searchMs; lagMs += 5) {
    let agree = 0;
    for (const { timeSec, on } of marked) {
      if (loudAt(audio, timeSec - audioStartSec - lagMs / 1000) === on) agree += 1;
    }
    scores.push({ lagMs, agreement: agree / Math.max(1, marked.length) });
  }
  // Frames last 40 ms, so agreement is flat across a frame's width: the centre of that plateau
  // is the estimate, not its first edge.
  const top = Math.max(...scores.map((score) => score.agreement));
  const plateau = scores.filter((score) => score.agreement >= top - 0.002);
  const offsetMs = plateau.reduce((sum, score) => sum + score.lagMs, 0) / plateau.length;
  return { offsetMs, agreement: top, markerFrames: marked.length };
}

export interface SpeechPlacement {
  /** Where the speech starts in the recording's audio. */
  startSec: number;
  /** Normalised correlation over the whole utterance. */
  correlation: number;
  /** The worst 200 ms window's correlation (speech windows only): a repeat or gap shows here. */
  worstWindowCorrelation: number;
  worstWindowAtSec: number;
}

function correlation(a: Float32Array, aFrom: number, b: Float32Array, length: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < length; i += 1) {
    const x = a[aFrom + i] ?? 0;
    const y = b[i] ?? 0;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.sqrt(aa * bb + 1e-20);
}

function envelope(samples: Float32Array, step: number): Float32Array {
  const out = new Float32Array(Math.floor(samples.length / step));
  for (let i = 0; i < out.length; i += 1) {
    let sum = 0;
    for (let j = 0; j < step; j += 1) sum += Math.abs(samples[i * step + j] ?? 0);
    out[i] = sum / step;
  }
  return out;
}

/**
 * Finds `speech` (16 kHz) in `recorded` (16 kHz) near `expectedSec`: coarse on 1 ms envelopes,
 * then sample-exact; then checks it window by window, so a repeated or dropped 40 ms chunk (the
 * predecessor's defect) cannot hide in a good overall score.
 */
export function placeSpeech(
  recorded: Float32Array,
  speech: Float32Array,
  expectedSec: number,
  searchSec = 1.5,
): SpeechPlacement {
  const step = 16;
  const recordedEnvelope = envelope(recorded, step);
  const speechEnvelope = envelope(speech, step);
  const from = Math.max(0, Math.round(((expectedSec - searchSec) * rateHz) / step));
  const to = Math.round(((expectedSec + searchSec) * rateHz) / step);
  let coarse = from;
  let coarseBest = -Infinity;
  for (let lag = from; lag <= to; lag += 1) {
    const score = correlation(recordedEnvelope, lag, speechEnvelope, speechEnvelope.length);
    if (score > coarseBest) {
      coarseBest = score;
      coarse = lag;
    }
  }
  let fine = coarse * step;
  let fineBest = -Infinity;
  for (let lag = Math.max(0, coarse * step - 2 * step); lag <= coarse * step + 2 * step; lag += 1) {
    const score = correlation(recorded, lag, speech, speech.length);
    if (score > fineBest) {
      fineBest = score;
      fine = lag;
    }
  }
  const windowSamples = rateHz / 5;
  let worst = 1;
  let worstAt = fine / rateHz;
  for (let start = 0; start + windowSamples <= speech.length; start += windowSamples) {
    const window = speech.subarray(start, start + windowSamples);
    let energy = 0;
    for (const sample of window) energy += sample * sample;
    if (10 * Math.log10(energy / windowSamples + 1e-20) < -40) continue;
    const score = correlation(recorded, fine + start, window, windowSamples);
    if (score < worst) {
      worst = score;
      worstAt = (fine + start) / rateHz;
    }
  }
  return {
    startSec: fine / rateHz,
    correlation: fineBest,
    worstWindowCorrelation: worst,
    worstWindowAtSec: worstAt,
  };
}

/**
 * Where the reference avatar's marker square (its frame's top-left 16x16) lands in the output,
 * inset by a fifth so edge blending never counts: the avatar is fitted into its placement as the
 * compositor does (contain, bottom-aligned).
 */
export function avatarMarkerRect(
  output: { width: number; height: number },
  placement: NormalisedRect,
  avatarSize: { width: number; height: number },
): PixelRect {
  const avatar = placeAvatar(avatarSize, placement, output);
  const sizePx = (16 * avatar.width) / avatarSize.width;
  const inset = Math.ceil(sizePx * 0.2);
  return {
    x: Math.ceil(avatar.x) + inset,
    y: Math.ceil(avatar.y) + inset,
    width: Math.floor(sizePx - 2 * inset),
    height: Math.floor(sizePx - 2 * inset),
  };
}

/**
 * Frames on which the picture in `rect` changes (mean absolute luma difference from the frame
 * before above `threshold`, on a 4x-reduced grey image): slide changes, when `rect` leaves out
 * the avatar and captions, which move every frame.
 */
export async function changedFrames(
  file: string,
  rect: PixelRect,
  threshold = 2,
): Promise<number[]> {
  const width = Math.max(1, Math.floor(rect.width / 4));
  const height = Math.max(1, Math.floor(rect.height / 4));
  const stdout = await greyFrames(file, rect, { width, height });
  const pixels = width * height;
  const frames = Math.floor(stdout.byteLength / pixels);
  const changed: number[] = [];
  for (let frame = 1; frame < frames; frame += 1) {
    let sum = 0;
    for (let i = 0; i < pixels; i += 1) {
      sum += Math.abs((stdout[frame * pixels + i] ?? 0) - (stdout[(frame - 1) * pixels + i] ?? 0));
    }
    if (sum / pixels > threshold) changed.push(frame);
  }
  return changed;
}
