/**
 * Linear replacements for trimming patterns such as `/\p{P}+$/u` or `/[\s,;:]+$/u`. A pattern
 * anchored only at its end is tried from every position of the text, and each try runs to the
 * end of the run before failing: quadratic on a long run followed by anything else (a 300 KB
 * word of punctuation ending in a letter). These walk the text once from each end.
 */

/** What `\s` matches (the set `String.prototype.trim` removes), for one code point. */
export function isWhiteSpace(char: string): boolean {
  return char.length > 0 && char.trim() === '';
}

const punctuation = /^\p{P}$/u;

/** What `\p{P}` (with the `u` flag) matches, for one code point. */
export function isPunctuation(char: string): boolean {
  return punctuation.test(char);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** UTF-16 length of the longest prefix whose code points all satisfy `test`. */
export function leadingLength(text: string, test: (char: string) => boolean): number {
  let index = 0;
  while (index < text.length) {
    const codePoint = text.codePointAt(index) ?? 0;
    const char = String.fromCodePoint(codePoint);
    if (!test(char)) break;
    index += char.length;
  }
  return index;
}

/** UTF-16 length of the longest suffix whose code points all satisfy `test`. */
export function trailingLength(text: string, test: (char: string) => boolean): number {
  let end = text.length;
  while (end > 0) {
    // A code point ends at `end`: two units when a low surrogate follows its high surrogate.
    const pair =
      end >= 2 &&
      isLowSurrogate(text.charCodeAt(end - 1)) &&
      isHighSurrogate(text.charCodeAt(end - 2));
    const start = pair ? end - 2 : end - 1;
    if (!test(text.slice(start, end))) break;
    end = start;
  }
  return text.length - end;
}

/** `text` without the code points satisfying `test` at its end: `/[…]+$/u` replaced by ''. */
export function trimEndWhere(text: string, test: (char: string) => boolean): string {
  return text.slice(0, text.length - trailingLength(text, test));
}

/**
 * `text` without the code points satisfying `test` at both ends: `/^[…]+|[…]+$/gu` replaced by
 * '' (a text made only of them becomes empty).
 */
export function trimWhere(text: string, test: (char: string) => boolean): string {
  const lead = leadingLength(text, test);
  if (lead === text.length) return '';
  return text.slice(lead, text.length - trailingLength(text, test));
}
