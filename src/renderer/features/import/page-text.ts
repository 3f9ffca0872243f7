/**
 * A PDF page's text as a teacher would read it aloud: pdf.js gives text runs in drawing order
 * (Keynote draws the title last), so runs are put back into lines top to bottom, page furniture
 * (page numbers, running footers) is dropped, and the lines are joined into sentences. Pure, so
 * the rules are unit-tested without pdf.js.
 */

import { isWhiteSpace, trimEndWhere } from '../../../shared/text/text-edges.ts';

/** One run of text from pdf.js, in page units at scale 1 with y down (baseline). */
export interface TextRun {
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One line of a page, top to bottom. */
export interface TextLine {
  text: string;
  /** Baseline as a fraction of the page height from the top (0 top, 1 bottom). */
  top: number;
  /** The tallest run's height in page units: titles are the largest text on a slide. */
  size: number;
}

/** Narration longer than this is cut at a sentence end: a start for the teacher, not a speech. */
export const maxNarrationChars = 600;
/** Slide titles name chapters and list entries: a line, not a paragraph. */
export const maxTitleChars = 80;
/** Headers and footers live in these top and bottom fractions of the page. */
const marginFraction = 0.1;
/** A gap wider than this share of the text height between runs is a space. */
const wordGapFraction = 0.15;

const bulletPrefix = /^[•◦▪▫●○■□►▶‣⁃∙·*\-–—]\s+/u;
const sentenceEnd = /[.!?…:;]["'”’)\]]*$/u;

function collapse(text: string): string {
  return (
    text
      .replace(/\s+/gu, ' ')
      // A space before closing punctuation is French typography ("Who am I ?"); speech ignores it.
      .replace(/ ([.,!?;:])(?=\s|$)/gu, '$1')
      .trim()
  );
}

/** Runs grouped into lines (same baseline within half a text height), each read left to right. */
export function linesFromRuns(runs: readonly TextRun[], pageHeight: number): TextLine[] {
  const visible = runs
    .filter((run) => run.text.trim().length > 0 && Number.isFinite(run.x + run.y))
    .toSorted((a, b) => a.y - b.y || a.x - b.x);
  const groups: TextRun[][] = [];
  for (const run of visible) {
    const group = groups.at(-1);
    const first = group?.[0];
    const tolerance = 0.5 * Math.max(run.height, first?.height ?? 0, 1e-6);
    if (group && first && Math.abs(run.y - first.y) <= tolerance) group.push(run);
    else groups.push([run]);
  }
  return groups.map((group) => {
    const ordered = group.toSorted((a, b) => a.x - b.x);
    let text = '';
    let previous: TextRun | null = null;
    for (const run of ordered) {
      if (previous) {
        const gap = run.x - (previous.x + previous.width);
        const spaced = /\s$/u.test(text) || /^\s/u.test(run.text);
        if (!spaced && gap > wordGapFraction * Math.max(run.height, previous.height)) text += ' ';
      }
      text += run.text;
      previous = run;
    }
    const baseline = group.reduce((sum, run) => sum + run.y, 0) / group.length;
    return {
      text: collapse(text),
      top: pageHeight > 0 ? baseline / pageHeight : 0,
      size: Math.max(...group.map((run) => run.height)),
    };
  });
}

function inMargin(line: TextLine): boolean {
  return line.top < marginFraction || line.top > 1 - marginFraction;
}

const pageNumberPattern =
  /^(page\s*)?[-–(]?\s*\d{1,4}\s*([/|]\s*\d{1,4}|of\s+\d{1,4})?\s*[-–)]?$/iu;
/** "Page 1234 of 1234 -" with single spaces is 24 characters; a longer text is no page number. */
const maxPageNumberLength = 32;

/**
 * Page numbers: "3", "3 / 11", "Page 3", "- 3 -". White space runs are collapsed first: only
 * white space can fill the pattern's `\s*`, so the answer is the same, and its adjacent `\s*`
 * runs can no longer split a long run of spaces in quadratically many ways.
 */
export function isPageNumber(text: string): boolean {
  const collapsed = text.replace(/\s+/gu, ' ');
  return collapsed.length <= maxPageNumberLength && pageNumberPattern.test(collapsed);
}

/** Footers often carry the page number or date: digits do not make a line different. */
function repeatKey(text: string): string {
  return text.toLowerCase().replace(/\d+/gu, '#');
}

/**
 * Drops page furniture: page numbers in the margins, and margin lines repeated on at least half
 * the pages (a running footer like "Gammasoft · Modern C++ Course"). Body text that repeats (an
 * agenda slide shown again) stays: it is not in the margins.
 */
export function withoutPageFurniture(pages: readonly (readonly TextLine[])[]): TextLine[][] {
  const pagesWith = new Map<string, number>();
  for (const lines of pages) {
    const keys = new Set(lines.filter(inMargin).map((line) => repeatKey(line.text)));
    for (const key of keys) pagesWith.set(key, (pagesWith.get(key) ?? 0) + 1);
  }
  const repeatedOn = Math.max(2, Math.ceil(pages.length / 2));
  return pages.map((lines) =>
    lines.filter(
      (line) =>
        line.text.length > 0 &&
        !(
          inMargin(line) &&
          (isPageNumber(line.text) || (pagesWith.get(repeatKey(line.text)) ?? 0) >= repeatedOn)
        ),
    ),
  );
}

function isCutEnd(char: string): boolean {
  return isWhiteSpace(char) || ',;:–-'.includes(char);
}

/** Cuts at a word boundary no later than `maxChars`, with an ellipsis when something was cut. */
export function cutAtWord(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const space = text.lastIndexOf(' ', maxChars - 1);
  const cut = space > maxChars / 2 ? text.slice(0, space) : text.slice(0, maxChars - 1);
  // Trimmed from the end, not with `/[\s,;:–-]+$/u`: that is quadratic on a long run of them.
  return `${trimEndWhere(cut, isCutEnd)}…`;
}

/** Keeps whole sentences up to `maxChars`; a single long sentence is cut at a word. */
export function trimNarration(text: string, maxChars = maxNarrationChars): string {
  if (text.length <= maxChars) return text;
  const head = text.slice(0, maxChars + 1);
  let end = -1;
  for (const match of head.matchAll(/[.!?…]["'”’)\]]*(?=\s)/gu)) {
    end = match.index + match[0].length;
  }
  if (end >= maxChars / 3) return text.slice(0, end);
  const cut = cutAtWord(text, maxChars - 1);
  return `${cut.replace(/…$/u, '')}.`;
}

/**
 * Lines joined into sentences: a line that starts in lower case continues the one before (a
 * wrapped bullet); any other line starts a new sentence, so the one before gets a full stop.
 * Bullet marks are dropped; the result is trimmed to `maxNarrationChars`.
 */
export function narrationFromLines(lines: readonly TextLine[]): string {
  let narration = '';
  for (const line of lines) {
    const text = collapse(line.text.replace(bulletPrefix, ''));
    if (text.length === 0) continue;
    if (narration.length === 0) narration = text;
    else if (/^\p{Ll}/u.test(text)) {
      // "explan-" + "ation" is one word the layout hyphenated.
      narration = /\p{L}-$/u.test(narration)
        ? narration.slice(0, -1) + text
        : `${narration} ${text}`;
    } else if (sentenceEnd.test(narration)) narration = `${narration} ${text}`;
    else narration = `${narration}. ${text}`;
  }
  if (narration.length > 0 && !/[.!?…]["'”’)\]]*$/u.test(narration)) {
    narration = `${narration.replace(/[,;:]$/u, '')}.`;
  }
  return trimNarration(narration);
}

/** The slide's title: the first of its largest lines (titles are the biggest text), shortened. */
export function titleFromLines(lines: readonly TextLine[]): string | undefined {
  const largest = Math.max(0, ...lines.map((line) => line.size));
  const line = lines.find((l) => l.size >= 0.9 * largest) ?? lines[0];
  if (!line) return undefined;
  const text = collapse(line.text.replace(bulletPrefix, '')).replace(/[:;,]$/u, '');
  return text.length > 0 ? cutAtWord(text, maxTitleChars) : undefined;
}

export interface PageNarration {
  title: string | undefined;
  narration: string;
}

/** Every page's title and narration, once the furniture shared between pages is known. */
export function pageNarrations(pages: readonly (readonly TextLine[])[]): PageNarration[] {
  return withoutPageFurniture(pages).map((lines) => ({
    title: titleFromLines(lines),
    narration: narrationFromLines(lines),
  }));
}
