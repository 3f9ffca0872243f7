import type { RecordedWord } from '../../../../shared/lesson/lesson-schema.ts';
import { blankAudioTags } from '../../../../shared/speech/narration-text.ts';
import { spokenTokens, type SpokenToken } from '../espeak-words.ts';
import type { WordTiming } from '../speech-types.ts';

/**
 * Word timings for a recorded narration, in the shape synthesis gives them: one per spoken token
 * of the slide's script (whitespace-separated, edge punctuation trimmed, audio tags left out),
 * with UTF-16 offsets into the script, so captions and the word highlight read the script while
 * the timing comes from the recording.
 *
 * With the recording's own `words` (an import's tokens, a transcriber's output), each is matched
 * to the script in order; script tokens with no match (a word the recording spells differently)
 * get times between their matched neighbours. Without them, times are spread over the voiced part
 * of the recording in proportion to each token's length, with a pause after a sentence.
 */

/** How far ahead in the script a recorded word is looked for before it is taken as not there. */
const matchWindow = 12;

/** Letters and digits only, lower case, accents kept apart: "Don't," and "dont" are one word. */
export function wordKey(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

interface Span {
  startMs: number;
  endMs: number;
}

/** How much time a token takes relative to the others: its length, and a pause after it. */
function weightOf(script: string, token: SpokenToken): { word: number; pause: number } {
  const word = Math.max(1, wordKey(token.text).length) + 1;
  const after = script.slice(token.charEnd, token.charEnd + 3);
  const pause = /^["'”’)\]]*[.!?…]/u.test(after) ? 4 : /^["'”’)\]]*[,;:—–]/u.test(after) ? 2 : 0;
  return { word, pause };
}

/** Times for `tokens` spread over `span` by weight (the last token's pause is not spent). */
function spread(script: string, tokens: readonly SpokenToken[], span: Span): Span[] {
  const weights = tokens.map((token) => weightOf(script, token));
  const total = weights.reduce(
    (sum, weight, index) => sum + weight.word + (index < weights.length - 1 ? weight.pause : 0),
    0,
  );
  const msPerUnit = total > 0 ? Math.max(0, span.endMs - span.startMs) / total : 0;
  let at = span.startMs;
  return weights.map((weight) => {
    const startMs = at;
    const endMs = startMs + weight.word * msPerUnit;
    at = endMs + weight.pause * msPerUnit;
    return { startMs, endMs };
  });
}

/** Never decreasing, inside 0..durationMs: what every consumer of word timings relies on. */
function ordered(timings: readonly WordTiming[], durationMs: number): WordTiming[] {
  let lastStart = 0;
  let lastEnd = 0;
  return timings.map((word) => {
    const startMs = Math.min(durationMs, Math.max(lastStart, word.startMs));
    const endMs = Math.min(durationMs, Math.max(startMs, lastEnd, word.endMs));
    lastStart = startMs;
    lastEnd = endMs;
    return { ...word, startMs, endMs };
  });
}

function scriptTokens(script: string): SpokenToken[] {
  // Blanking keeps offsets: the tokens still index the script as written.
  return spokenTokens(blankAudioTags(script)).filter((token) => wordKey(token.text).length > 0);
}

/** Word timings estimated from the script alone, over `voiced` of a recording. */
export function estimateRecordedWords(
  script: string,
  voiced: Span,
  durationMs: number,
): WordTiming[] {
  const tokens = scriptTokens(script);
  const times = spread(script, tokens, voiced);
  return ordered(
    tokens.map((token, index) => ({
      text: token.text,
      charStart: token.charStart,
      charEnd: token.charEnd,
      startMs: times[index]?.startMs ?? 0,
      endMs: times[index]?.endMs ?? 0,
    })),
    durationMs,
  );
}

/**
 * The recording's words matched to the script. Returns the timings and how many script tokens
 * took their time from a recorded word (0: none matched, the times are an estimate).
 */
export function alignRecordedWords(
  script: string,
  words: readonly RecordedWord[],
  voiced: Span,
  durationMs: number,
): { words: WordTiming[]; matched: number } {
  const tokens = scriptTokens(script);
  const keys = tokens.map((token) => wordKey(token.text));
  const found: (Span | null)[] = tokens.map(() => null);
  let cursor = 0;
  let matched = 0;
  for (const word of words) {
    const key = wordKey(word.text);
    if (key.length === 0) continue;
    const limit = Math.min(tokens.length, cursor + matchWindow);
    for (let index = cursor; index < limit; index += 1) {
      if (keys[index] !== key) continue;
      found[index] = { startMs: word.startMs, endMs: word.endMs };
      matched += 1;
      cursor = index + 1;
      break;
    }
  }
  if (matched === 0) return { words: estimateRecordedWords(script, voiced, durationMs), matched };

  // Unmatched runs are spread between the matched words around them.
  const spans: Span[] = new Array<Span>(tokens.length);
  let index = 0;
  while (index < tokens.length) {
    const known = found[index];
    if (known) {
      spans[index] = known;
      index += 1;
      continue;
    }
    let end = index;
    while (end < tokens.length && !found[end]) end += 1;
    const before = index > 0 ? found[index - 1] : null;
    const after = end < tokens.length ? found[end] : null;
    const from = before ? before.endMs : Math.min(voiced.startMs, after?.startMs ?? voiced.startMs);
    const to = after ? after.startMs : Math.max(voiced.endMs, from);
    const times = spread(script, tokens.slice(index, end), {
      startMs: from,
      endMs: Math.max(from, to),
    });
    for (let offset = 0; offset < times.length; offset += 1) {
      spans[index + offset] = times[offset] ?? { startMs: from, endMs: from };
    }
    index = end;
  }
  const timings = tokens.map((token, position) => ({
    text: token.text,
    charStart: token.charStart,
    charEnd: token.charEnd,
    startMs: spans[position]?.startMs ?? 0,
    endMs: spans[position]?.endMs ?? 0,
  }));
  return { words: ordered(timings, durationMs), matched };
}

/** Frames quieter than this below the loudest frame count as silence (room noise, breaths). */
const silenceBelowPeakDb = 35;
/** And anything under -60 dBFS is silence whatever the peak. */
const silenceFloor = 32768 * 10 ** (-60 / 20);
const frameMs = 10;

/** Where the recording's voice starts and ends (the whole recording when it is all quiet). */
export function voicedSpan(pcm: Int16Array, sampleRateHz: number): Span {
  const durationMs = (pcm.length / sampleRateHz) * 1000;
  const frame = Math.max(1, Math.round((sampleRateHz * frameMs) / 1000));
  const frames = Math.ceil(pcm.length / frame);
  const levels = new Float64Array(frames);
  let peak = 0;
  for (let f = 0; f < frames; f += 1) {
    let sum = 0;
    const end = Math.min(pcm.length, (f + 1) * frame);
    for (let n = f * frame; n < end; n += 1) sum += (pcm[n] ?? 0) ** 2;
    const level = Math.sqrt(sum / Math.max(1, end - f * frame));
    levels[f] = level;
    peak = Math.max(peak, level);
  }
  const threshold = Math.max(silenceFloor, peak * 10 ** (-silenceBelowPeakDb / 20));
  let first = -1;
  let last = -1;
  for (let f = 0; f < frames; f += 1) {
    if ((levels[f] ?? 0) < threshold) continue;
    if (first < 0) first = f;
    last = f;
  }
  if (first < 0) return { startMs: 0, endMs: durationMs };
  return {
    startMs: Math.min(durationMs, first * frameMs),
    endMs: Math.min(durationMs, (last + 1) * frameMs),
  };
}
