/**
 * How a text object of the predecessor's documents is laid out: the rules its web page followed
 * as CSS (`white-space: pre-wrap; overflow-wrap: break-word; line-height: 1.5`, one paragraph or
 * bullet per line of `content`), written out so the drawer can follow them on a canvas. The
 * numbers below are shared with the test's DOM reference (testing/harness), which draws the same
 * objects with real CSS: the drawing is judged against it.
 *
 * Line height 1.5: the real documents' text boxes are exactly 1.5 x font size x lines tall
 * (28 px bullets in 126 px boxes of 3 lines, 40 px headings in 120 px boxes of 2).
 */
export const lineHeightEm = 1.5;
/** A bullet's text starts this far in from the box's left edge. */
export const bulletIndentEm = 1.25;
/** The bullet: a disc of this diameter, its left edge this far in, centred on the first line. */
export const bulletDiameterEm = 0.35;
export const bulletLeftEm = 0.35;
/** `heading` is bold; the rest normal. */
export const headingWeight = 700;
export const bodyWeight = 400;

export type MeasureText = (text: string) => number;

export interface LaidOutLine {
  text: string;
  /** The words and their x, for a justified line; otherwise one run at `x`. */
  runs: { text: string; x: number }[];
  /** Left edge of the line's ink box, in the text box's px. */
  x: number;
  /** Top of the line box. */
  top: number;
  width: number;
  /** The first line of a bullet item: a bullet is drawn beside it. */
  bullet: boolean;
}

/**
 * Where a line may break: after a run of spaces (which hang at the line's end), and after a
 * hyphen or dash between letters (as browsers do for "well-known").
 */
export function breakSegments(paragraph: string): string[] {
  const segments: string[] = [];
  let start = 0;
  for (let i = 0; i < paragraph.length; i += 1) {
    const char = paragraph[i] ?? '';
    const next = paragraph[i + 1];
    if (next === undefined) break;
    const spaceEnds = char === ' ' && next !== ' ';
    const dashBreak =
      (char === '-' || char === '\u2013' || char === '\u2014') &&
      i > start &&
      /\p{L}/u.test(paragraph[i - 1] ?? '') &&
      /\p{L}/u.test(next);
    if (spaceEnds || dashBreak) {
      segments.push(paragraph.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < paragraph.length) segments.push(paragraph.slice(start));
  return segments;
}

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** What a reader sees as characters (an accent or emoji sequence stays whole). */
export function graphemes(text: string): string[] {
  return Array.from(graphemeSegmenter.segment(text), (part) => part.segment);
}

/** Splits a word wider than the line at characters (`overflow-wrap: break-word`). */
function breakWord(word: string, maxWidth: number, measure: MeasureText): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const char of graphemes(word)) {
    if (piece !== '' && measure(piece + char) > maxWidth) {
      pieces.push(piece);
      piece = char;
    } else {
      piece += char;
    }
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}

/**
 * Greedy line breaking, as a browser does for simple text: each line takes segments while its
 * text (trailing spaces hanging, not counted) fits `maxWidth`; a segment alone too wide is broken
 * at characters. Widths are measured on the whole line so kerning counts as it does in the page.
 */
export function wrapParagraph(paragraph: string, maxWidth: number, measure: MeasureText): string[] {
  if (paragraph === '') return [''];
  const lines: string[] = [];
  let line = '';
  for (const segment of breakSegments(paragraph)) {
    const candidate = line + segment;
    if (measure(candidate.trimEnd()) <= maxWidth) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line.trimEnd());
    if (measure(segment.trimEnd()) <= maxWidth) {
      line = segment;
      continue;
    }
    const pieces = breakWord(segment, maxWidth, measure);
    lines.push(...pieces.slice(0, -1).map((p) => p.trimEnd()));
    line = pieces.at(-1) ?? '';
  }
  if (line !== '' || lines.length === 0) lines.push(line.trimEnd());
  return lines;
}

/** The document's paragraphs: one per line, the single trailing newline the editor adds dropped. */
export function paragraphsOf(content: string): string[] {
  const normalised = content.replace(/\r\n?/gu, '\n');
  const trimmed = normalised.endsWith('\n') ? normalised.slice(0, -1) : normalised;
  return trimmed.split('\n');
}

export interface TextBoxLayoutInput {
  content: string;
  variant: 'heading' | 'bulletList' | 'paragraph';
  textAlign: 'left' | 'center' | 'right' | 'justify';
  widthPx: number;
  fontSizePx: number;
  measure: MeasureText;
}

function justifiedRuns(text: string, x: number, available: number, measure: MeasureText) {
  const words = text.split(/( +)/u).filter((w) => w !== '');
  const gaps = words.filter((w) => w.startsWith(' ')).length;
  const extra = gaps > 0 ? (available - measure(text)) / gaps : 0;
  const runs: { text: string; x: number }[] = [];
  let prefix = '';
  let gapsSoFar = 0;
  for (const word of words) {
    if (word.startsWith(' ')) {
      gapsSoFar += 1;
    } else {
      runs.push({ text: word, x: x + measure(prefix) + extra * gapsSoFar });
    }
    prefix += word;
  }
  return runs;
}

/** Every line of a text box, placed in the box's px (top-left origin, text from the top). */
export function layoutTextBox(input: TextBoxLayoutInput): LaidOutLine[] {
  const { fontSizePx, measure, textAlign } = input;
  const lineHeight = fontSizePx * lineHeightEm;
  const bullets = input.variant === 'bulletList';
  const indent = bullets ? fontSizePx * bulletIndentEm : 0;
  const available = Math.max(0, input.widthPx - indent);
  const lines: LaidOutLine[] = [];
  for (const paragraph of paragraphsOf(input.content)) {
    const wrapped = wrapParagraph(paragraph, available, measure);
    wrapped.forEach((text, index) => {
      const width = measure(text);
      const lastOfParagraph = index === wrapped.length - 1;
      const x =
        textAlign === 'center'
          ? indent + (available - width) / 2
          : textAlign === 'right'
            ? indent + available - width
            : indent;
      const justify = textAlign === 'justify' && !lastOfParagraph;
      lines.push({
        text,
        runs: justify ? justifiedRuns(text, indent, available, measure) : [{ text, x }],
        x,
        top: lines.length * lineHeight,
        width,
        bullet: bullets && index === 0 && paragraph.trim() !== '',
      });
    });
  }
  return lines;
}
