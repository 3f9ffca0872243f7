import { blankAudioTags } from '../../../../shared/speech/narration-text.ts';
import type { WordTiming } from '../speech-types.ts';

/**
 * ElevenLabs' character alignment turned into the word timings the rest of Rapido uses
 * (captions, slide timing, the local avatar's lip cues). Pure, so real responses can be replayed.
 */
export interface CharacterAlignment {
  characters: string[];
  startTimesSec: number[];
  endTimesSec: number[];
}

export interface AlignedChunk {
  /** Null for audio-only chunks, which real responses send. */
  alignment: CharacterAlignment | null;
  /** Seconds of audio received before this chunk. */
  audioStartSec: number;
}

/** Tolerance for rounding in the service's times (they come with millisecond precision). */
const toleranceSec = 0.005;

/**
 * A time from the service, or `fallback` where it sent none or something that is no time (null,
 * a string, 1e400 read as Infinity): word times must stay finite numbers.
 */
function finiteSeconds(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/**
 * One alignment for a whole response. The HTTP stream gives times from the start of the request
 * (cumulative); the WebSocket API and some proxies give them per chunk. A chunk whose first time
 * lies before the previous chunk's end and before its own audio start is taken as per-chunk and
 * shifted by the audio that preceded it, so both forms merge correctly.
 */
export function mergeAlignment(chunks: readonly AlignedChunk[]): CharacterAlignment {
  const merged: CharacterAlignment = { characters: [], startTimesSec: [], endTimesSec: [] };
  let lastEndSec = 0;
  for (const chunk of chunks) {
    const alignment = chunk.alignment;
    if (!alignment || alignment.characters.length === 0) continue;
    const firstStartSec = finiteSeconds(alignment.startTimesSec[0], 0);
    const isRelative =
      merged.characters.length > 0 &&
      firstStartSec + toleranceSec < lastEndSec &&
      firstStartSec + toleranceSec < chunk.audioStartSec;
    const offsetSec = isRelative ? chunk.audioStartSec : 0;
    alignment.characters.forEach((character, index) => {
      const startSec = finiteSeconds(alignment.startTimesSec[index], 0) + offsetSec;
      const endSec = finiteSeconds(alignment.endTimesSec[index], startSec - offsetSec) + offsetSec;
      merged.characters.push(character);
      merged.startTimesSec.push(startSec);
      merged.endTimesSec.push(Math.max(startSec, endSec));
      lastEndSec = Math.max(lastEndSec, endSec);
    });
  }
  return merged;
}

const wordCore = /[\p{L}\p{N}]/u;

function isSpace(character: string): boolean {
  return /\s/.test(character);
}

/**
 * Word timings from a merged alignment of `sentText` (the text exactly as sent). Words are runs
 * of non-space characters; audio tags are not words; punctuation is trimmed from each word as
 * the offline voice reports them. `sourceOffset` is where sentText starts in the narration.
 * When the alignment does not spell sentText (a proxy normalised it), words are spread over the
 * audio by character count instead: captions stay usable, lip cues fall back to loudness.
 */
export function wordsFromAlignment(
  alignment: CharacterAlignment,
  sentText: string,
  sourceOffset: number,
  durationMs: number,
): { words: WordTiming[]; aligned: boolean } {
  const spelled = alignment.characters.join('');
  const aligned = spelled === sentText;
  const visible = blankAudioTags(sentText);
  const spans: { start: number; end: number }[] = [];
  let index = 0;
  while (index < visible.length) {
    if (isSpace(visible.charAt(index))) {
      index += 1;
      continue;
    }
    let end = index;
    while (end < visible.length && !isSpace(visible.charAt(end))) end += 1;
    let coreStart = index;
    let coreEnd = end;
    while (coreStart < coreEnd && !wordCore.test(visible.charAt(coreStart))) coreStart += 1;
    while (coreEnd > coreStart && !wordCore.test(visible.charAt(coreEnd - 1))) coreEnd -= 1;
    if (coreEnd > coreStart) spans.push({ start: coreStart, end: coreEnd });
    index = end;
  }
  const startSecAt = (charIndex: number): number =>
    aligned
      ? (alignment.startTimesSec[charIndex] ?? 0)
      : ((charIndex / Math.max(1, sentText.length)) * durationMs) / 1000;
  const endSecAt = (charIndex: number): number =>
    aligned
      ? (alignment.endTimesSec[charIndex] ?? 0)
      : (((charIndex + 1) / Math.max(1, sentText.length)) * durationMs) / 1000;
  const words: WordTiming[] = [];
  let previousEndMs = 0;
  for (const span of spans) {
    const startMs = Math.min(durationMs, Math.max(previousEndMs, startSecAt(span.start) * 1000));
    const endMs = Math.min(durationMs, Math.max(startMs, endSecAt(span.end - 1) * 1000));
    words.push({
      text: sentText.slice(span.start, span.end),
      startMs,
      endMs,
      charStart: sourceOffset + span.start,
      charEnd: sourceOffset + span.end,
    });
    previousEndMs = endMs;
  }
  return { words, aligned };
}
