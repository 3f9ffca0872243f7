import type { WordTiming } from './speech-types.ts';
import { isPunctuation, leadingLength, trailingLength } from '../../../shared/text/text-edges.ts';

/**
 * Text in, word timings out, for espeak-ng. Pure functions, so the offset arithmetic is tested
 * without the engine.
 *
 * espeak-ng (as built by echogarden) always parses SSML and [[phoneme]] input, and reports word
 * positions as 1-based Unicode code point indices into what it was given. JavaScript strings are
 * UTF-16, so "Café 😀" has different code point and UTF-16 offsets; we keep a table from every
 * code point we hand to espeak back to its UTF-16 offset in the caller's text.
 */
export interface EspeakInput {
  /** What espeak-ng is given: the caller's text with markup characters escaped. */
  text: string;
  /** Code point i of `text` came from UTF-16 offset sourceOffsets[i] of the caller's text. */
  sourceOffsets: Int32Array;
  sourceLength: number;
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

function isControl(codePoint: number): boolean {
  const isC0 = codePoint < 0x20 && codePoint !== 0x09 && codePoint !== 0x0a && codePoint !== 0x0d;
  return isC0 || codePoint === 0x7f;
}

export function prepareEspeakInput(source: string): EspeakInput {
  const parts: string[] = [];
  const offsets: number[] = [];
  let previous = '';
  let offset = 0;
  for (const character of source) {
    const codePoint = character.codePointAt(0) ?? 0;
    const isLoneSurrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
    let replacement: string;
    if (character in entities) {
      // SSML is always on: a bare "<" would start a tag and swallow the words after it.
      replacement = entities[character] ?? character;
    } else if (character === '[' && previous === '[') {
      // "[[" switches espeak to phoneme input; a space keeps the brackets literal.
      replacement = ' [';
    } else if (isControl(codePoint)) {
      // NUL would end the C string early; other controls are not speech either.
      replacement = ' ';
    } else if (isLoneSurrogate) {
      // Unpaired halves cannot be encoded as UTF-8; keep the count of code points intact.
      replacement = '\uFFFD';
    } else {
      replacement = character;
    }
    for (const emitted of replacement) {
      parts.push(emitted);
      offsets.push(offset);
    }
    previous = character;
    offset += character.length;
  }
  offsets.push(source.length);
  return {
    text: parts.join(''),
    sourceOffsets: Int32Array.from(offsets),
    sourceLength: source.length,
  };
}

/** UTF-16 offset in the caller's text of an espeak-ng text position (1-based code points). */
export function sourceOffsetOf(input: EspeakInput, textPosition: number): number {
  const last = input.sourceOffsets.length - 1;
  const index = Math.min(Math.max(Math.trunc(textPosition) - 1, 0), last);
  return input.sourceOffsets[index] ?? input.sourceLength;
}

export interface SpokenToken {
  text: string;
  charStart: number;
  charEnd: number;
}

/**
 * Whitespace-separated tokens of the caller's text, edge punctuation trimmed ("world." ->
 * "world", like espeak's own word spans). A token that is nothing but punctuation stays whole.
 */
export function spokenTokens(text: string): SpokenToken[] {
  return tokenSpans(text).map(({ token }) => token);
}

/** Tokens with the start of their untrimmed span, which is what espeak positions point into. */
function tokenSpans(text: string): { spanStart: number; token: SpokenToken }[] {
  const spans: { spanStart: number; token: SpokenToken }[] = [];
  for (const match of text.matchAll(/\S+/gu)) {
    const raw = match[0];
    const spanStart = match.index;
    // Walked from each end, not `/\p{P}+$/u`: that is quadratic on a long punctuation run.
    const lead = leadingLength(raw, isPunctuation);
    const trail = trailingLength(raw, isPunctuation);
    const trimmed = lead + trail < raw.length;
    const charStart = trimmed ? spanStart + lead : spanStart;
    const charEnd = trimmed ? spanStart + raw.length - trail : spanStart + raw.length;
    spans.push({ spanStart, token: { text: text.slice(charStart, charEnd), charStart, charEnd } });
  }
  return spans;
}

/** Where espeak-ng said a word starts: a UTF-16 offset in the caller's text and an audio time. */
export interface WordMark {
  sourceOffset: number;
  audioMs: number;
}

export interface SilenceProbe {
  /**
   * The start of the silence that runs up to `toMs`, or `toMs` when the audio just before it is
   * voiced. Never earlier than `fromMs`.
   */
  trailingSilenceStartMs(fromMs: number, toMs: number): number;
}

/** Quieter than -50 dBFS over a 5 ms frame counts as silence (espeak's pauses are exact zeros). */
const silenceRms = 32768 * 10 ** (-50 / 20);
const silenceFrameMs = 5;

export function createSilenceProbe(pcm: Int16Array, sampleRateHz: number): SilenceProbe {
  const frameSamples = Math.max(1, Math.round((sampleRateHz * silenceFrameMs) / 1000));
  const frameCount = Math.ceil(pcm.length / frameSamples);
  const voiced = new Uint8Array(frameCount);
  for (let frame = 0; frame < frameCount; frame++) {
    const from = frame * frameSamples;
    const to = Math.min(pcm.length, from + frameSamples);
    let energy = 0;
    for (let n = from; n < to; n++) energy += (pcm[n] ?? 0) ** 2;
    voiced[frame] = Math.sqrt(energy / (to - from)) >= silenceRms ? 1 : 0;
  }
  const frameMs = (frameSamples * 1000) / sampleRateHz;
  return {
    trailingSilenceStartMs(fromMs, toMs) {
      const firstFrame = Math.max(0, Math.floor(fromMs / frameMs));
      const lastFrame = Math.min(frameCount, Math.ceil(toMs / frameMs)) - 1;
      let frame = lastFrame;
      while (frame >= firstFrame && voiced[frame] === 0) frame--;
      if (frame === lastFrame) return toMs;
      return Math.min(toMs, Math.max(fromMs, (frame + 1) * frameMs));
    },
  };
}

/** Shorter silences stay inside the word: trimming them would make captions flicker. */
const minimumTrailingSilenceMs = 50;

/**
 * Word timings for the caller's text. espeak-ng's events decide when a word starts; each token of
 * the text takes the earliest event that points into it (numbers and abbreviations produce several
 * events, and some tokens, like a lone dash, none: those are not spoken and get no timing). A word
 * ends where the next one starts, or earlier where a pause of 50 ms or more precedes the next word
 * (so the gaps between sentences are gaps); the last word ends with the audio, less its silence.
 */
export function assembleWordTimings(options: {
  text: string;
  marks: readonly WordMark[];
  durationMs: number;
  silence: SilenceProbe;
}): WordTiming[] {
  const { text, marks, durationMs, silence } = options;
  const spans = tokenSpans(text);
  if (spans.length === 0) return [];
  const startByToken = new Map<number, number>();
  for (const mark of marks) {
    const index = spanIndexAt(spans, mark.sourceOffset);
    const audioMs = Math.min(Math.max(mark.audioMs, 0), durationMs);
    const known = startByToken.get(index);
    if (known === undefined || audioMs < known) startByToken.set(index, audioMs);
  }

  const spoken: { token: SpokenToken; startMs: number }[] = [];
  let lastStartMs = 0;
  spans.forEach(({ token }, index) => {
    const startMs = startByToken.get(index);
    if (startMs === undefined) return;
    // Times never run backwards, even if an event points back into earlier text.
    lastStartMs = Math.max(lastStartMs, startMs);
    spoken.push({ token, startMs: lastStartMs });
  });

  return spoken.map(({ token, startMs }, index) => {
    const nextStartMs = spoken[index + 1]?.startMs ?? durationMs;
    const silenceStartMs = silence.trailingSilenceStartMs(startMs, nextStartMs);
    const endMs =
      silenceStartMs > startMs && nextStartMs - silenceStartMs >= minimumTrailingSilenceMs
        ? silenceStartMs
        : nextStartMs;
    return { ...token, startMs, endMs };
  });
}

/** The token whose span contains an offset, else the nearest one before it (else the first). */
function spanIndexAt(spans: readonly { spanStart: number }[], offset: number): number {
  let low = 0;
  let high = spans.length - 1;
  let found = 0;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if ((spans[middle]?.spanStart ?? Infinity) <= offset) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}
