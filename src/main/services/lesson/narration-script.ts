/**
 * The narration script of an imported image folder: one paragraph per slide, in slide order.
 *
 * Rules (the same as the predecessor's SLIDE_FRAMES_PATH scripts, plus one extension):
 * - Paragraphs are separated by one or more blank lines (lines holding only spaces count as
 *   blank). Line breaks inside a paragraph become spaces.
 * - If any line consists of three or more dashes and nothing else (`---`), the script is split
 *   on those lines instead, and blank lines inside a part are kept as paragraph breaks of that
 *   slide's narration. A part that is empty between two separators is a slide without narration;
 *   empty parts before the first or after the last separator are ignored.
 * - A UTF-8 byte-order mark and Windows line endings are accepted.
 */

export interface NarrationScript {
  paragraphs: string[];
  separator: 'blank-lines' | 'dashes';
}

const dashLine = /^[ \t]*-{3,}[ \t]*$/;
const blankLine = /^[ \t]*$/;

function collapseLines(lines: readonly string[]): string {
  return lines
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join(' ')
    .replace(/[ \t]+/g, ' ');
}

/** Splits lines into runs of non-blank lines. */
function splitOnBlankLines(lines: readonly string[]): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (blankLine.test(line)) {
      if (current.length > 0) groups.push(current);
      current = [];
    } else {
      current.push(line);
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

export function parseNarrationScript(text: string): NarrationScript {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = body.split(/\r\n|\r|\n/);
  if (!lines.some((line) => dashLine.test(line))) {
    return {
      paragraphs: splitOnBlankLines(lines).map(collapseLines),
      separator: 'blank-lines',
    };
  }
  const parts: string[][] = [[]];
  for (const line of lines) {
    if (dashLine.test(line)) parts.push([]);
    else parts[parts.length - 1]?.push(line);
  }
  const narrations = parts.map((part) => splitOnBlankLines(part).map(collapseLines).join('\n\n'));
  while (narrations.length > 0 && narrations[0] === '') narrations.shift();
  while (narrations.length > 0 && narrations[narrations.length - 1] === '') narrations.pop();
  return { paragraphs: narrations, separator: 'dashes' };
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * Natural order for file names: digit runs compare by value ("slide2" before "slide10") and
 * letter case is ignored; ties fall back to code-unit order so the result is deterministic.
 */
export function compareNatural(left: string, right: string): number {
  const byCollation = collator.compare(left, right);
  if (byCollation !== 0) return byCollation;
  if (left === right) return 0;
  return left < right ? -1 : 1;
}
