/**
 * Captions from the speech's own word timings: cue segmentation and line breaking after broadcast
 * subtitle practice (BBC and Netflix: at most 2 lines of 42 characters, break at pauses and
 * sentence ends, balanced lines), WebVTT out and back in, and the cue showing at a program time.
 * Pure: no DOM, no Node.
 */

import { isPunctuation, trimWhere } from '../text/text-edges.ts';

/** One spoken word on the program clock, in spoken order. */
export interface CaptionWord {
  readonly text: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** Shown from `startMs` (inclusive) to `endMs` (exclusive), as WebVTT does. */
export interface CaptionCue {
  readonly startMs: number;
  readonly endMs: number;
  /** At most `maxLines` lines joined by "\n". */
  readonly text: string;
}

export interface CaptionCueOptions {
  readonly maxCharsPerLine?: number;
  readonly maxLines?: number;
  /** A cue's speech never runs longer than this; linger never takes it past it either. */
  readonly maxCueMs?: number;
  /** A silence at least this long between two words always starts a new cue. */
  readonly pauseBreakMs?: number;
  /** How long a cue stays up after its last word, if the next cue leaves room. */
  readonly lingerMs?: number;
  /** Shortest time on screen, if the next cue leaves room. */
  readonly minCueMs?: number;
}

export const defaultCaptionCueOptions: Required<CaptionCueOptions> = {
  maxCharsPerLine: 42,
  maxLines: 2,
  maxCueMs: 6000,
  pauseBreakMs: 700,
  lingerMs: 600,
  minCueMs: 800,
};

interface Word {
  readonly text: string;
  /** In code points, so that an accented letter counts once. */
  readonly length: number;
  readonly startMs: number;
  readonly endMs: number;
}

/** An audio tag such as "[laughs]" (optionally followed by punctuation): never spoken text. */
const bracketedTagPattern = /^\[[^[\]]*\]\p{P}*$/u;
/** Closing quotes and brackets may follow the punctuation that ends a sentence or clause. */
const sentenceEndPattern = /[.!?…]["'”’)\]]*$/u;
const clauseEndPattern = /[,;:—–]["'”’)\]]*$/u;
/** Abbreviations whose full stop ends no sentence. */
const abbreviations = new Set(['mr.', 'mrs.', 'ms.', 'dr.', 'prof.', 'st.', 'vs.', 'e.g.', 'i.e.']);
/**
 * Words a line should not end on: articles, prepositions, conjunctions and the like belong with
 * what follows them (Netflix's and the BBC's line-break guidance).
 */
const weakLineEnds = new Set([
  'a',
  'an',
  'the',
  'and',
  'or',
  'but',
  'nor',
  'of',
  'to',
  'in',
  'on',
  'at',
  'by',
  'for',
  'with',
  'from',
  'into',
  'onto',
  'as',
  'than',
  'that',
  'which',
  'who',
  'if',
  'so',
  'because',
  'is',
  'are',
  'was',
  'were',
  'my',
  'your',
  'our',
  'their',
  'its',
  'his',
  'her',
  'this',
  'these',
  'those',
  'we',
  'you',
  'they',
  'i',
]);

/**
 * Line-break costs, in the units of the squared imbalance (characters squared). Generous: a
 * break at punctuation is worth about 17 characters of imbalance between two lines (a clause
 * about 13): reading follows the grammar before the geometry.
 */
const sentenceBreakBonus = 150;
const clauseBreakBonus = 80;
const weakLineEndPenalty = 60;
/** A small preference for bottom-heavy layouts (a shorter line above a longer one). */
const topHeavyPenalty = 4;

function codePointLength(text: string): number {
  return Array.from(text).length;
}

function endsSentence(text: string): boolean {
  return sentenceEndPattern.test(text) && !abbreviations.has(text.toLowerCase());
}

function endsClause(text: string): boolean {
  return clauseEndPattern.test(text);
}

function bareWord(text: string): string {
  // Not `/^\p{P}+|\p{P}+$/gu`: its end-anchored half is quadratic on a long punctuation run.
  return trimWhere(text.toLowerCase(), isPunctuation);
}

/** Trimmed, whitespace collapsed, tags and timeless words dropped, end never before start. */
function cleanWords(words: readonly CaptionWord[]): Word[] {
  const cleaned: Word[] = [];
  for (const word of words) {
    const text = word.text.trim().replace(/\s+/gu, ' ');
    if (text === '' || bracketedTagPattern.test(text)) continue;
    if (!Number.isFinite(word.startMs) || !Number.isFinite(word.endMs)) continue;
    cleaned.push({
      text,
      length: codePointLength(text),
      startMs: word.startMs,
      endMs: Math.max(word.startMs, word.endMs),
    });
  }
  return cleaned;
}

/** Characters of the words on one line, spaces included. */
function joinedLength(words: readonly Word[]): number {
  let length = 0;
  for (const word of words) length += word.length;
  return length + Math.max(0, words.length - 1);
}

/**
 * The fewest lines the words wrap into (greedy wrapping is optimal for this). A word longer than
 * a line takes a line of its own.
 */
function lineCount(words: readonly Word[], maxCharsPerLine: number): number {
  let lines = 0;
  let lineLength = 0;
  for (const word of words) {
    if (lines > 0 && lineLength + 1 + word.length <= maxCharsPerLine) {
      lineLength += 1 + word.length;
    } else {
      lines += 1;
      lineLength = word.length;
    }
  }
  return lines;
}

function breakCost(word: Word): number {
  if (endsSentence(word.text)) return -sentenceBreakBonus;
  if (endsClause(word.text)) return -clauseBreakBonus;
  return weakLineEnds.has(bareWord(word.text)) ? weakLineEndPenalty : 0;
}

/**
 * Lays a cue's words out on the fewest lines, then, among layouts with that many lines, picks the
 * most balanced one, favouring breaks after punctuation and avoiding breaks after a word that
 * belongs with the next (dynamic programming over break positions; cues are short).
 */
function layoutLines(words: readonly Word[], maxCharsPerLine: number): string[] {
  const lineTotal = lineCount(words, maxCharsPerLine);
  if (lineTotal <= 1) return [words.map((word) => word.text).join(' ')];
  const count = words.length;
  const targetLength = joinedLength(words) / lineTotal;
  // best[lines][end]: cheapest layout of words[0, end) on `lines` lines; from[] remembers where
  // its last line started.
  const best: number[][] = [];
  const from: number[][] = [];
  for (let lines = 0; lines <= lineTotal; lines += 1) {
    best.push(new Array<number>(count + 1).fill(Number.POSITIVE_INFINITY));
    from.push(new Array<number>(count + 1).fill(-1));
  }
  const start = best[0];
  if (start) start[0] = 0;
  for (let lines = 1; lines <= lineTotal; lines += 1) {
    const row = best[lines];
    const previousRow = best[lines - 1];
    const fromRow = from[lines];
    if (!row || !previousRow || !fromRow) continue;
    for (let end = 1; end <= count; end += 1) {
      for (let begin = end - 1; begin >= 0; begin -= 1) {
        const line = words.slice(begin, end);
        const length = joinedLength(line);
        // Only a single over-long word may exceed the line.
        if (length > maxCharsPerLine && line.length > 1) break;
        const before = previousRow[begin] ?? Number.POSITIVE_INFINITY;
        if (before === Number.POSITIVE_INFINITY) continue;
        let cost = before + (length - targetLength) ** 2;
        const last = words[end - 1];
        if (end < count && last) {
          cost += breakCost(last);
          if (length > targetLength) cost += topHeavyPenalty;
        }
        if (cost < (row[end] ?? Number.POSITIVE_INFINITY)) {
          row[end] = cost;
          fromRow[end] = begin;
        }
      }
    }
  }
  const lines: string[] = [];
  let end = count;
  for (let line = lineTotal; line >= 1; line -= 1) {
    const begin = from[line]?.[end] ?? 0;
    lines.unshift(
      words
        .slice(begin, end)
        .map((word) => word.text)
        .join(' '),
    );
    end = begin;
  }
  return lines;
}

/** Cue-break costs: what each kind of cue boundary and cue shape costs the reader. */
const cueCosts = {
  /** Every cue: fewer, fuller cues are read more easily than many fragments. */
  perCue: 30,
  /** Ending a cue after a sentence, after a clause, after another word, after a weak word. */
  endAfterSentence: 0,
  endAfterClause: 20,
  endAfterWord: 60,
  endAfterWeakWord: 120,
  /** A short sentence that shares its cue with the next one. */
  sentenceInside: 15,
  /** Per character a cue holds below a third of its capacity (a cue that flashes past). */
  shortCuePerCharacter: 2,
} as const;

function cueEndCost(last: Word): number {
  if (endsSentence(last.text)) return cueCosts.endAfterSentence;
  if (endsClause(last.text)) return cueCosts.endAfterClause;
  return weakLineEnds.has(bareWord(last.text)) ? cueCosts.endAfterWeakWord : cueCosts.endAfterWord;
}

/**
 * Splits a run of words (no pause break inside) into cues, optimally rather than greedily, by
 * dynamic programming over cue boundaries (as Knuth and Plass break paragraphs). Hard limits:
 * the cue fits its lines, its speech lasts at most maxCueMs (a lone word may exceed both), and
 * it never runs on past a sentence end once it holds half its capacity. Within them, the
 * cheapest cues end after a sentence or a clause, are not fragments, and are few.
 */
function segmentRun(run: readonly Word[], options: Required<CaptionCueOptions>): Word[][] {
  const capacity = options.maxCharsPerLine * options.maxLines;
  const count = run.length;
  const best = new Array<number>(count + 1).fill(Number.POSITIVE_INFINITY);
  const from = new Array<number>(count + 1).fill(0);
  best[0] = 0;
  for (let end = 1; end <= count; end += 1) {
    const last = run[end - 1];
    if (!last) continue;
    const endCost = end === count ? 0 : cueEndCost(last);
    let internalCost = 0;
    for (let begin = end - 1; begin >= 0; begin -= 1) {
      const first = run[begin];
      if (!first) break;
      const cue = run.slice(begin, end);
      const single = cue.length === 1;
      if (!single) {
        if (lineCount(cue, options.maxCharsPerLine) > options.maxLines) break;
        if (last.endMs - first.startMs > options.maxCueMs) break;
        // A sentence end with half the capacity before it must end the cue; an earlier start
        // only puts more before it, so no longer cue can qualify either.
        if (sentenceEndTooLate(cue, capacity)) break;
        // `first` now precedes the rest: a sentence end on it is inside the cue.
        if (endsSentence(first.text)) internalCost += cueCosts.sentenceInside;
      }
      const length = joinedLength(cue);
      const shortCost = Math.max(0, capacity / 3 - length) * cueCosts.shortCuePerCharacter;
      const cost =
        (best[begin] ?? Number.POSITIVE_INFINITY) +
        cueCosts.perCue +
        endCost +
        internalCost +
        shortCost;
      if (cost < (best[end] ?? Number.POSITIVE_INFINITY)) {
        best[end] = cost;
        from[end] = begin;
      }
    }
  }
  const cues: Word[][] = [];
  let end = count;
  while (end > 0) {
    const begin = from[end] ?? 0;
    cues.unshift(run.slice(begin, end));
    end = begin;
  }
  return cues;
}

/** Whether a sentence ends inside the cue (not on its last word) after half its capacity. */
function sentenceEndTooLate(cue: readonly Word[], capacity: number): boolean {
  let length = -1;
  for (let index = 0; index < cue.length - 1; index += 1) {
    const word = cue[index];
    if (!word) break;
    length += 1 + word.length;
    if (endsSentence(word.text) && length >= capacity / 2) return true;
  }
  return false;
}

/** Groups the words into cues: a pause always ends a cue; between pauses, segmentRun decides. */
function groupWords(words: readonly Word[], options: Required<CaptionCueOptions>): Word[][] {
  const groups: Word[][] = [];
  let run: Word[] = [];
  for (const word of words) {
    const previous = run[run.length - 1];
    if (previous && word.startMs - previous.endMs >= options.pauseBreakMs) {
      groups.push(...segmentRun(run, options));
      run = [];
    }
    run.push(word);
  }
  if (run.length > 0) groups.push(...segmentRun(run, options));
  return groups;
}

function resolveOptions(options: CaptionCueOptions): Required<CaptionCueOptions> {
  const resolved = { ...defaultCaptionCueOptions, ...options };
  if (!(resolved.maxCharsPerLine >= 1 && resolved.maxLines >= 1)) {
    throw new RangeError('maxCharsPerLine and maxLines must be at least 1');
  }
  return resolved;
}

/**
 * Cues from spoken words: a new cue at a pause of `pauseBreakMs`, before the text would overflow
 * `maxLines` lines of `maxCharsPerLine`, before the speech would run past `maxCueMs`, and after a
 * sentence once the cue is half full. Each cue runs from its first word's start to its last
 * word's end plus up to `lingerMs`, at least `minCueMs`, and always ends at least 1 ms before the
 * next cue starts. Bracketed audio tags ("[laughs]") are dropped.
 */
export function buildCaptionCues(
  words: readonly CaptionWord[],
  options: CaptionCueOptions = {},
): CaptionCue[] {
  const resolved = resolveOptions(options);
  const groups = groupWords(cleanWords(words), resolved);
  const cues: CaptionCue[] = [];
  groups.forEach((group, index) => {
    const first = group[0];
    const last = group[group.length - 1];
    if (!first || !last) return;
    const startMs = first.startMs;
    const spokenEndMs = Math.max(last.endMs, startMs);
    const wantedEndMs = Math.min(
      Math.max(spokenEndMs + resolved.lingerMs, startMs + resolved.minCueMs),
      // Lingering never makes a cue longer than the longest allowed (unless its speech is).
      Math.max(spokenEndMs, startMs + resolved.maxCueMs),
    );
    const nextStartMs = groups[index + 1]?.[0]?.startMs ?? Number.POSITIVE_INFINITY;
    // Where words touch, this trims the last word's last millisecond: cues never overlap.
    const endMs = Math.min(wantedEndMs, nextStartMs - 1);
    cues.push({
      startMs,
      endMs: Math.max(endMs, startMs),
      text: layoutLines(group, resolved.maxCharsPerLine).join('\n'),
    });
  });
  return cues;
}

/** HH:MM:SS.mmm (hours grow past two digits if they must). */
function formatTimestamp(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const millis = total % 1000;
  const seconds = Math.floor(total / 1000) % 60;
  const minutes = Math.floor(total / 60_000) % 60;
  const hours = Math.floor(total / 3_600_000);
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}.${String(millis).padStart(3, '0')}`;
}

function escapeCueText(text: string): string {
  return (
    text
      .split(/\r\n|\r|\n/u)
      .map((line) => line.trim())
      // An empty line would end the cue early.
      .filter((line) => line !== '')
      .join('\n')
      .replace(/&/gu, '&amp;')
      .replace(/</gu, '&lt;')
      .replace(/>/gu, '&gt;')
  );
}

/**
 * A WebVTT file of the cues, numbered from 1. `offsetMs` is subtracted from every time (a
 * recording that started mid-lesson): cues that end by then are dropped, earlier starts clamp
 * to 0.
 */
export function formatWebVtt(
  cues: readonly CaptionCue[],
  options: { readonly offsetMs?: number } = {},
): string {
  const offsetMs = options.offsetMs ?? 0;
  const blocks: string[] = [];
  for (const cue of cues) {
    const endMs = cue.endMs - offsetMs;
    const text = escapeCueText(cue.text);
    if (Math.round(endMs) <= 0 || text === '') continue;
    const startMs = Math.max(0, cue.startMs - offsetMs);
    blocks.push(
      `${blocks.length + 1}\n${formatTimestamp(startMs)} --> ${formatTimestamp(endMs)}\n${text}`,
    );
  }
  return blocks.length === 0 ? 'WEBVTT\n' : `WEBVTT\n\n${blocks.join('\n\n')}\n`;
}

const timestampPattern = String.raw`(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})`;
const timingLinePattern = new RegExp(
  String.raw`^\s*${timestampPattern}\s+-->\s+${timestampPattern}`,
  'u',
);

function timestampMs(
  hours: string | undefined,
  minutes: string | undefined,
  seconds: string | undefined,
  millis: string | undefined,
): number {
  return (
    Number(hours ?? 0) * 3_600_000 +
    Number(minutes ?? 0) * 60_000 +
    Number(seconds ?? 0) * 1000 +
    Number(millis ?? 0)
  );
}

const namedEntities: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  nbsp: '\u00a0',
  lrm: '\u200e',
  rlm: '\u200f',
  quot: '"',
  apos: "'",
};

/**
 * `text` without `<…>` tags, as `text.replace(/<[^>]*>/gu, '')` but in one pass: that pattern
 * rescans to the end of the text from every "<" that has no ">" after it (quadratic).
 */
export function withoutCueTags(text: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const open = text.indexOf('<', from);
    if (open === -1) break;
    const close = text.indexOf('>', open + 1);
    // No ">" after this "<" means none after any later "<" either: the rest stays as it is.
    if (close === -1) break;
    out += text.slice(from, open);
    from = close + 1;
  }
  return out + text.slice(from);
}

function unescapeCueText(text: string): string {
  // Cue markup (<v Speaker>, <i>, <c.class>, inline timestamps) carries no caption text.
  return withoutCueTags(text).replace(
    /&(#x[0-9a-f]+|#\d+|[a-z]+);/giu,
    (entity: string, body: string) => {
      if (body.startsWith('#')) {
        const hex = body.startsWith('#x') || body.startsWith('#X');
        const codePoint = Number.parseInt(body.slice(hex ? 2 : 1), hex ? 16 : 10);
        // "&#99999999;" is no character: fromCodePoint would throw a RangeError out of the parse.
        return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : entity;
      }
      return namedEntities[body.toLowerCase()] ?? entity;
    },
  );
}

/**
 * The cues of a WebVTT file: cue identifiers, cue settings after the times, NOTE/STYLE/REGION
 * blocks and cue markup are tolerated and ignored. Blocks without a valid timing line are
 * skipped.
 */
export function parseWebVtt(text: string): CaptionCue[] {
  const lines = text.replace(/^\uFEFF/u, '').split(/\r\n|\r|\n/u);
  const cues: CaptionCue[] = [];
  let index = 0;
  while (index < lines.length) {
    const match = timingLinePattern.exec(lines[index] ?? '');
    index += 1;
    if (!match) continue;
    const textLines: string[] = [];
    while (index < lines.length && (lines[index] ?? '').trim() !== '') {
      textLines.push(lines[index] ?? '');
      index += 1;
    }
    cues.push({
      startMs: timestampMs(match[1], match[2], match[3], match[4]),
      endMs: timestampMs(match[5], match[6], match[7], match[8]),
      text: unescapeCueText(textLines.join('\n')),
    });
  }
  return cues;
}

/**
 * The cue showing at `programMs` (start inclusive, end exclusive), or null: a binary search, so
 * a render loop may call it every frame. Cues must be sorted and must not overlap.
 */
export function captionAt(cues: readonly CaptionCue[], programMs: number): CaptionCue | null {
  let low = 0;
  let high = cues.length - 1;
  // The last cue that starts at or before programMs.
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const cue = cues[middle];
    if (!cue) break;
    if (cue.startMs <= programMs) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  const cue = cues[found];
  return cue && programMs < cue.endMs ? cue : null;
}
