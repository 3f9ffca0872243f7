import { samplesPerFrame } from './audio-pacing.ts';

/**
 * Puts each frame of an utterance at the 40 ms of speech it was made from, by its audio.
 *
 * The real SyncTalk_2D server numbers frames by its own stream, not by our utterance: it appends
 * inserted silence to the stream's audio when it runs behind (`add_silence`,
 * inference_system/streaming/streaming_audio_dataset.py:127, called from inference_system/api.py
 * around lines 770-850), places `start_speech` at a stale frame (api.py around line 630:
 * `next_frame_for_audio`) and `end_speech` before the last frames (`get_max_encodable_frame() + 1`).
 * But every frame carries the 640 samples it was made from (`get_audio_for_frame`,
 * streaming_audio_dataset.py:62), converted int16 -> float32 / 32768 -> x 32768 -> int16
 * (streaming_audio_dataset.py:166, synctalk_fastapi.py:837), which is exact. So a frame's audio
 * is found in the PCM we sent (at any sample offset: the stream's frame grid need not start at
 * our utterance), and the frame is placed at that offset / 640, rounded.
 *
 * - A frame whose audio is all zeros was made from silence: if the utterance is silent where the
 *   next frame is due, it is that frame (a silent mouth looks the same whichever it is); else it
 *   is an inserted silent or idle frame and is dropped.
 * - A frame whose audio matches a place already filled is a duplicate (a replay resends a few
 *   frames of context before the first missing one) and is dropped.
 * - A frame whose audio matches nothing: if no frame of this utterance has matched yet, the
 *   server does not echo our audio exactly (a resampling server), so frames are placed in order
 *   as they come (the old rule); once one has matched, it is a frame across an inserted silence
 *   boundary and is dropped (the gap is held, see `hold`).
 */
export type Placement =
  | {
      kind: 'placed';
      index: number;
      by: 'audio' | 'order';
      /** Where its audio starts relative to index x 640, in samples (within +-320). */
      driftSamples: number;
    }
  | { kind: 'dropped'; why: 'silent' | 'duplicate' | 'beyond' | 'unmatched' };

export interface PlacementStats {
  /** Frames placed by finding their audio in the utterance. */
  byAudio: number;
  /** Frames placed in arrival order (their audio matched nothing, and nothing had matched). */
  byOrder: number;
  /** Inserted silent / idle frames dropped. */
  silentDropped: number;
  /** Frames for places already filled (replay overlap) or beyond the utterance's end. */
  duplicates: number;
  unmatchedDropped: number;
  /** Places filled by repeating the previous frame because their own frame never came. */
  held: number;
}

export interface FramePlacer {
  readonly expectedFrames: number;
  /** The lowest place not yet filled (= frames delivered in order so far). */
  readonly nextIndex: number;
  readonly complete: boolean;
  readonly stats: PlacementStats;
  /** Where a frame with this audio (640 samples, s16le; absent = unknown) belongs. */
  place(audio: Uint8Array | undefined): Placement;
  /** Marks `index` filled (placed or held). */
  fill(index: number): void;
  noteHeld(count: number): void;
}

/** How far around the next place a frame's audio is looked for, in frames. */
const searchBackFrames = 48;
const searchAheadFrames = 96;
/** Frames placed in arrival order, none by audio, after which the server is taken not to echo. */
const notEchoingAfter = 8;

export function createFramePlacer(pcm: Int16Array, expectedFrames: number): FramePlacer {
  const filled = new Uint8Array(expectedFrames);
  let nextIndex = 0;
  /** Sample offset of the last matched frame: the next one is most likely 640 further. */
  let lastOffset: number | null = null;
  const stats: PlacementStats = {
    byAudio: 0,
    byOrder: 0,
    silentDropped: 0,
    duplicates: 0,
    unmatchedDropped: 0,
    held: 0,
  };
  const sample = (at: number) => (at < 0 || at >= pcm.length ? 0 : (pcm[at] ?? 0));

  function matchesAt(audio: Int16Array, offset: number): boolean {
    for (let n = 0; n < audio.length; n += 1) if (sample(offset + n) !== audio[n]) return false;
    return true;
  }

  /** The sample offset of this audio in the utterance near the next place, or null. */
  function find(audio: Int16Array): number | null {
    if (lastOffset !== null && matchesAt(audio, lastOffset + samplesPerFrame)) {
      return lastOffset + samplesPerFrame;
    }
    // Anchor on the first non-zero sample: few offsets share it, so few full comparisons.
    const anchor = audio.findIndex((value) => value !== 0);
    if (anchor < 0) return null;
    const anchorValue = audio[anchor];
    const from = Math.max(-samplesPerFrame + 1, (nextIndex - searchBackFrames) * samplesPerFrame);
    const to = Math.min(pcm.length - 1, (nextIndex + searchAheadFrames) * samplesPerFrame);
    for (let offset = from; offset <= to; offset += 1) {
      if (sample(offset + anchor) === anchorValue && matchesAt(audio, offset)) return offset;
    }
    return null;
  }

  function silentAt(index: number): boolean {
    const start = index * samplesPerFrame;
    for (let n = start; n < start + samplesPerFrame; n += 1) if (sample(n) !== 0) return false;
    return true;
  }

  function advance() {
    while (nextIndex < expectedFrames && filled[nextIndex] === 1) nextIndex += 1;
  }

  const placer: FramePlacer = {
    expectedFrames,
    get nextIndex() {
      return nextIndex;
    },
    get complete() {
      return nextIndex >= expectedFrames;
    },
    stats,
    place(bytes) {
      if (nextIndex >= expectedFrames) {
        stats.duplicates += 1;
        return { kind: 'dropped', why: 'beyond' };
      }
      const audio = bytes?.byteLength === samplesPerFrame * 2 ? int16View(bytes) : null;
      const silent = audio !== null && audio.every((value) => value === 0);
      if (silent) {
        if (silentAt(nextIndex)) {
          stats.byAudio += 1;
          lastOffset = nextIndex * samplesPerFrame;
          return { kind: 'placed', index: nextIndex, by: 'audio', driftSamples: 0 };
        }
        stats.silentDropped += 1;
        return { kind: 'dropped', why: 'silent' };
      }
      // A server whose frames never matched is not searched again and again (a resampler).
      const echoes = stats.byAudio > 0 || stats.byOrder < notEchoingAfter;
      const offset = audio === null || !echoes ? null : find(audio);
      if (offset === null) {
        if (stats.byAudio === 0) {
          stats.byOrder += 1;
          return { kind: 'placed', index: nextIndex, by: 'order', driftSamples: 0 };
        }
        stats.unmatchedDropped += 1;
        return { kind: 'dropped', why: 'unmatched' };
      }
      lastOffset = offset;
      const index = Math.max(0, Math.round(offset / samplesPerFrame));
      if (index >= expectedFrames || filled[index] === 1) {
        stats.duplicates += 1;
        return { kind: 'dropped', why: index >= expectedFrames ? 'beyond' : 'duplicate' };
      }
      stats.byAudio += 1;
      return { kind: 'placed', index, by: 'audio', driftSamples: offset - index * samplesPerFrame };
    },
    fill(index) {
      if (index >= 0 && index < expectedFrames) filled[index] = 1;
      advance();
    },
    noteHeld(count) {
      stats.held += count;
    },
  };
  return placer;
}

/** The frame's samples; a copy when the bytes are not 2-byte aligned (or on big-endian hosts). */
function int16View(bytes: Uint8Array): Int16Array {
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (littleEndian && bytes.byteOffset % 2 === 0) {
    return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Int16Array.from({ length: bytes.byteLength / 2 }, (_, n) => view.getInt16(n * 2, true));
}
