/**
 * Small hand parsers for text in imported files (slide numbers in file names, dashes around
 * slugs). They replace regular expressions that backtracked on long inputs: each function here
 * reads its input once, left to right, so time is linear in the text whatever it holds.
 */

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** The last run of digits in `text` ("slide_012" -> 12), or null when it has none. */
export function lastDigitRun(text: string): number | null {
  let end = text.length;
  while (end > 0 && !isDigit(text.charCodeAt(end - 1))) end -= 1;
  if (end === 0) return null;
  let start = end;
  while (start > 0 && isDigit(text.charCodeAt(start - 1))) start -= 1;
  return Number(text.slice(start, end));
}

/** `text` without leading and trailing `char` (what `/^c+|c+$/g` did, in linear time). */
export function trimChar(text: string, char: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === char) start += 1;
  while (end > start && text[end - 1] === char) end -= 1;
  return text.slice(start, end);
}
