/**
 * Narration text as the voices and captions need it. Pure, shared by main (synthesis) and the
 * renderer (captions), so both agree on what counts as a sentence and as an audio tag.
 */

/**
 * ElevenLabs v3 audio tags, e.g. "[laughs]", "[whispers]", "[sarcastic]": a bracketed word or
 * short phrase. Numbers-only brackets ("[1]", citations) are text, not tags.
 */
const audioTagPattern = /\[[A-Za-z][A-Za-z0-9 ,.'\u2019-]{0,48}\]/g;

/** Models that perform audio tags instead of reading them aloud. */
export function modelSupportsAudioTags(modelId: string): boolean {
  return modelId.startsWith('eleven_v3');
}

/** True when the whole string is one audio tag. */
export function isAudioTag(text: string): boolean {
  const trimmed = text.trim();
  audioTagPattern.lastIndex = 0;
  const match = audioTagPattern.exec(trimmed);
  return match !== null && match.index === 0 && match[0].length === trimmed.length;
}

/**
 * Audio tags replaced by spaces of the same length, so every other character keeps its index
 * and word timings still point into the narration as written.
 */
export function blankAudioTags(text: string): string {
  return text.replace(audioTagPattern, (tag) => ' '.repeat(tag.length));
}

/** Audio tags removed and the spacing they leave tidied, for captions and display. */
export function stripAudioTags(text: string): string {
  return text
    .replace(audioTagPattern, ' ')
    .replace(/[ \t]+([,.;:!?])/g, '$1')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

export interface TextSpan {
  /** UTF-16 offsets into the text that was split: text.slice(start, end) === span.text. */
  start: number;
  end: number;
  text: string;
}

/** Above this, a "sentence" (a run-on list, a paragraph without stops) is cut at a space. */
export const maxSentenceChars = 600;

const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

function cutLongSpan(span: TextSpan, maxChars: number): TextSpan[] {
  const pieces: TextSpan[] = [];
  let start = span.start;
  const end = span.end;
  const source = span.text;
  while (end - start > maxChars) {
    const window = source.slice(start - span.start, start - span.start + maxChars);
    // Prefer a clause boundary, then any space; a single huge word is cut where it must be.
    const clause = Math.max(window.lastIndexOf(', '), window.lastIndexOf('; '));
    const space = window.lastIndexOf(' ');
    const cut = clause > maxChars / 2 ? clause + 1 : space > 0 ? space : maxChars;
    pieces.push({
      start,
      end: start + cut,
      text: source.slice(start - span.start, start - span.start + cut),
    });
    start += cut;
  }
  pieces.push({ start, end, text: source.slice(start - span.start) });
  return pieces;
}

/**
 * The sentences of a narration, trimmed, each with its offsets. Whitespace-only and tag-only
 * pieces are dropped unless `keepTagOnly` (a model that performs tags can voice "[laughs]").
 */
export function splitSentences(
  text: string,
  options: { maxChars?: number; keepTagOnly?: boolean } = {},
): TextSpan[] {
  const maxChars = options.maxChars ?? maxSentenceChars;
  const spans: TextSpan[] = [];
  for (const segment of sentenceSegmenter.segment(text)) {
    const raw = segment.segment;
    const leading = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (trimmed.length === 0) continue;
    if (!options.keepTagOnly && blankAudioTags(trimmed).trim().length === 0) continue;
    const start = segment.index + leading;
    const span = { start, end: start + trimmed.length, text: trimmed };
    for (const piece of cutLongSpan(span, maxChars)) {
      const pieceLeading = piece.text.length - piece.text.trimStart().length;
      const pieceText = piece.text.trim();
      if (pieceText.length === 0) continue;
      spans.push({
        start: piece.start + pieceLeading,
        end: piece.start + pieceLeading + pieceText.length,
        text: pieceText,
      });
    }
  }
  return spans;
}
