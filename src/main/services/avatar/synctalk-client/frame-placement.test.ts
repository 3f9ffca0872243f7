import { expect, test } from 'vitest';
import { createFramePlacer } from './frame-placement.ts';
import type { FramePlacer } from './frame-placement.ts';

/** Speech of `frames` x 40 ms, never zero, never repeating; `silentFrames` are zeros. */
function speech(frames: number, silentFrames: number[] = []): Int16Array {
  const pcm = Int16Array.from(
    { length: frames * 640 },
    (_, n) => (Math.round(8000 * Math.sin(n / 13)) + ((n * 7919) % 997) - 498) | 1,
  );
  for (const frame of silentFrames) pcm.fill(0, frame * 640, (frame + 1) * 640);
  return pcm;
}

/** The 640 samples at `offset` (zeros outside the utterance), as the server sends them. */
function audioAt(pcm: Int16Array, offset: number): Uint8Array {
  const out = new Int16Array(640);
  for (let n = 0; n < 640; n += 1) {
    const at = offset + n;
    out[n] = at >= 0 && at < pcm.length ? (pcm[at] ?? 0) : 0;
  }
  return new Uint8Array(out.buffer);
}

const silence = new Uint8Array(1280);

/** Places each frame and fills its place, as the frame intake does; returns the outcomes. */
function placeAll(placer: FramePlacer, frames: (Uint8Array | undefined)[]): string[] {
  return frames.map((audio) => {
    const placement = placer.place(audio);
    if (placement.kind !== 'placed') return placement.why;
    placer.fill(placement.index);
    return `${placement.index}`;
  });
}

test('inserted silent frames inside speech are dropped and each frame lands at its audio', () => {
  const pcm = speech(6);
  const placer = createFramePlacer(pcm, 6);
  const frames = [0, 1, null, null, 2, 3, null, 4, 5].map((frame) =>
    frame === null ? silence : audioAt(pcm, frame * 640),
  );
  expect(placeAll(placer, frames)).toEqual([
    '0',
    '1',
    'silent',
    'silent',
    '2',
    '3',
    'silent',
    '4',
    '5',
  ]);
  expect(placer.complete).toBe(true);
  expect(placer.stats).toMatchObject({ byAudio: 6, silentDropped: 3, byOrder: 0 });
});

test('idle frames after a stale start_speech are dropped; silence in the speech is placed', () => {
  const pcm = speech(4, [0]);
  const placer = createFramePlacer(pcm, 4);
  // The utterance opens with 40 ms of silence: one silent frame is its first frame.
  const frames = [silence, silence, audioAt(pcm, 640), audioAt(pcm, 1280), audioAt(pcm, 1920)];
  expect(placeAll(placer, frames)).toEqual(['0', 'silent', '1', '2', '3']);
});

test('a frame grid offset from the utterance places by the nearest 40 ms, within 320 samples', () => {
  const pcm = speech(5);
  const placer = createFramePlacer(pcm, 5);
  const frames = [-200, 440, 1080, 1720, 2360].map((offset) => audioAt(pcm, offset));
  expect(placeAll(placer, frames)).toEqual(['0', '1', '2', '3', '4']);
  const drift = placer.place(audioAt(pcm, 3000 - 200));
  expect(drift).toMatchObject({ kind: 'dropped', why: 'beyond' });
});

test('a replay from before the first missing frame drops the repeated frames', () => {
  const pcm = speech(8);
  const placer = createFramePlacer(pcm, 8);
  placeAll(
    placer,
    [0, 1, 2, 3, 4].map((frame) => audioAt(pcm, frame * 640)),
  );
  const replay = [2, 3, 4, 5, 6, 7].map((frame) => audioAt(pcm, frame * 640));
  expect(placeAll(placer, replay)).toEqual(['duplicate', 'duplicate', 'duplicate', '5', '6', '7']);
  expect(placer.stats.duplicates).toBe(3);
});

test('a server that does not echo our audio gets its frames placed in arrival order', () => {
  const pcm = speech(3);
  const placer = createFramePlacer(pcm, 3);
  const other = speech(3).map((value) => value ^ 0x55);
  const frames = [0, 1, 2].map((frame) => audioAt(other, frame * 640));
  expect(placeAll(placer, [...frames, undefined])).toEqual(['0', '1', '2', 'beyond']);
  expect(placer.stats.byOrder).toBe(3);
});

test('once frames matched, a frame whose audio matches nothing is dropped (its place is held)', () => {
  const pcm = speech(4);
  const placer = createFramePlacer(pcm, 4);
  // Half silence, half speech: a frame across an inserted silence.
  const straddling = new Uint8Array(1280);
  straddling.set(audioAt(pcm, 640).subarray(0, 640), 640);
  expect(placeAll(placer, [audioAt(pcm, 0), straddling, audioAt(pcm, 1280)])).toEqual([
    '0',
    'unmatched',
    '2',
  ]);
});
