import type { WordTiming } from '../../src/main/services/speech/speech-types.ts';

/**
 * Pure parts of the reference ElevenLabs server: per-character times from the offline voice's
 * word timings, eleven_v3 audio tags, and how a response is cut into chunks.
 */

export interface CharacterRange {
  /** UTF-16 offsets, end exclusive. */
  start: number;
  end: number;
}

/** One start and end per UTF-16 code unit of the text, in milliseconds from sample 0. */
export interface CharacterTimes {
  startMs: Float64Array;
  endMs: Float64Array;
}

/** eleven_v3 performs these ("[laughs]", "[short pause]") instead of reading them aloud. */
const audioTagPattern = /\[[A-Za-z][A-Za-z '-]{0,40}\]/g;

export function audioTagRanges(text: string): CharacterRange[] {
  return [...text.matchAll(audioTagPattern)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
  }));
}

/** The text with each range blanked by spaces of the same length, so offsets stay valid. */
export function blankRanges(text: string, ranges: readonly CharacterRange[]): string {
  let blanked = text;
  for (const range of ranges) {
    blanked =
      blanked.slice(0, range.start) +
      ' '.repeat(range.end - range.start) +
      blanked.slice(range.end);
  }
  return blanked;
}

/**
 * Characters of a word share the word's time evenly; characters between words (spaces,
 * punctuation, tokens espeak did not speak) share the gap between them. Characters inside
 * `zeroLengthRanges` (performed audio tags) take no time at the point where they sit.
 */
export function characterTimes(
  text: string,
  words: readonly WordTiming[],
  durationMs: number,
  zeroLengthRanges: readonly CharacterRange[] = [],
): CharacterTimes {
  const length = text.length;
  const startMs = new Float64Array(length);
  const endMs = new Float64Array(length);
  const zeroLength = new Uint8Array(length);
  for (const range of zeroLengthRanges) zeroLength.fill(1, range.start, range.end);

  function spread(from: number, to: number, fromMs: number, toMs: number): void {
    let timed = 0;
    for (let index = from; index < to; index++) if (zeroLength[index] === 0) timed++;
    const stepMs = timed > 0 ? Math.max(0, toMs - fromMs) / timed : 0;
    let atMs = fromMs;
    for (let index = from; index < to; index++) {
      startMs[index] = atMs;
      if (zeroLength[index] === 0) atMs += stepMs;
      endMs[index] = atMs;
    }
  }

  let cursor = 0;
  let previousEndMs = 0;
  for (const word of words) {
    const wordStart = Math.max(cursor, Math.min(word.charStart, length));
    const wordEnd = Math.max(wordStart, Math.min(word.charEnd, length));
    const wordStartMs = Math.max(previousEndMs, word.startMs);
    const wordEndMs = Math.max(wordStartMs, word.endMs);
    spread(cursor, wordStart, previousEndMs, wordStartMs);
    spread(wordStart, wordEnd, wordStartMs, wordEndMs);
    cursor = wordEnd;
    previousEndMs = wordEndMs;
  }
  spread(cursor, length, previousEndMs, Math.max(previousEndMs, durationMs));
  return { startMs, endMs };
}

export interface PlannedChunk {
  pcm: Int16Array;
  /** Milliseconds of audio before this chunk in the response (pacing and chunk membership). */
  audioStartMs: number;
  /** Characters starting in this chunk, [characterStart, characterEnd); empty = alignment null. */
  characterStart: number;
  characterEnd: number;
}

/**
 * Cuts speech into chunks of `chunkMs` and appends `tailSilenceMs` of silence as a chunk of its own.
 * Each character goes to the chunk in which it starts, so the tail carries none (real responses end
 * with audio-only chunks too) unless there was no speech at all.
 */
export function planChunks(options: {
  pcm: Int16Array;
  sampleRateHz: number;
  chunkMs: number;
  tailSilenceMs: number;
  characterStartMs: Float64Array;
}): PlannedChunk[] {
  const { pcm, sampleRateHz, characterStartMs } = options;
  const chunkSamples = Math.max(1, Math.round((options.chunkMs * sampleRateHz) / 1000));
  const samplesToMs = (samples: number): number => (samples * 1000) / sampleRateHz;
  const chunks: PlannedChunk[] = [];
  for (let offset = 0; offset < pcm.length; offset += chunkSamples) {
    chunks.push({
      pcm: pcm.subarray(offset, Math.min(pcm.length, offset + chunkSamples)),
      audioStartMs: samplesToMs(offset),
      characterStart: 0,
      characterEnd: 0,
    });
  }
  const speechChunkCount = chunks.length;
  chunks.push({
    pcm: new Int16Array(Math.round((options.tailSilenceMs * sampleRateHz) / 1000)),
    audioStartMs: samplesToMs(pcm.length),
    characterStart: 0,
    characterEnd: 0,
  });

  // Start times never decrease, so each chunk's characters are one contiguous run.
  let chunkIndex = 0;
  for (let index = 0; index < characterStartMs.length; index++) {
    const startSample = ((characterStartMs[index] ?? 0) * sampleRateHz) / 1000;
    const home =
      speechChunkCount === 0
        ? 0
        : Math.min(speechChunkCount - 1, Math.floor(startSample / chunkSamples + 1e-9));
    while (chunkIndex < home) {
      chunkIndex++;
      const chunk = chunks[chunkIndex];
      if (chunk) {
        chunk.characterStart = index;
        chunk.characterEnd = index;
      }
    }
    const chunk = chunks[chunkIndex];
    if (chunk) chunk.characterEnd = index + 1;
  }
  for (const chunk of chunks.slice(chunkIndex + 1)) {
    chunk.characterStart = characterStartMs.length;
    chunk.characterEnd = characterStartMs.length;
  }
  return chunks;
}

export interface AlignmentJson {
  characters: string[];
  character_start_times_seconds: number[];
  character_end_times_seconds: number[];
}

/** The wire shape for characters [start, end) of `text`, skipping indices `skip` says to. */
export function alignmentJson(
  text: string,
  times: CharacterTimes,
  start: number,
  end: number,
  skip: (index: number) => boolean = () => false,
): AlignmentJson | null {
  const json: AlignmentJson = {
    characters: [],
    character_start_times_seconds: [],
    character_end_times_seconds: [],
  };
  for (let index = start; index < end; index++) {
    if (skip(index)) continue;
    // One entry per UTF-16 code unit, as the real API does, so joining them gives the text back.
    json.characters.push(text.charAt(index));
    json.character_start_times_seconds.push(secondsOf(times.startMs[index] ?? 0));
    json.character_end_times_seconds.push(secondsOf(times.endMs[index] ?? 0));
  }
  return json.characters.length > 0 ? json : null;
}

/** Millisecond precision, like the real API's three decimals. */
function secondsOf(ms: number): number {
  return Math.round(ms) / 1000;
}
