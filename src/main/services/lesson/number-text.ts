/**
 * Small hand parsers for numbers written as text in slide data ("25%", " 120 px", "3.5 sec").
 * They replace regular expressions whose adjacent `\s*` runs backtracked: a 300 KB value of
 * spaces blocked the main thread for 30 s. Each function here reads its input once, left to
 * right, so time is linear in the text whatever it holds.
 */

export interface NumberTextOptions {
  /** Allow a leading "-". */
  signed: boolean;
  /** Allow ".5" (no digit before the point). */
  bareFraction: boolean;
  /** Units that may follow the number, lower case; matched without regard to case. */
  units: readonly string[];
}

export interface NumberText {
  value: number;
  /** The unit as listed in the options, or null when none was written. */
  unit: string | null;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** What `\s` matches, one character at a time (the same set `String.prototype.trim` removes). */
function isSpace(char: string): boolean {
  return char.trim() === '';
}

/**
 * `[-]digits[.digits][spaces][unit]`, with surrounding white space: the grammar of the old
 * patterns (`-?\d+(?:\.\d+)?` and, where allowed, `-?\.\d+`), or null when the text is not that.
 */
export function parseNumberText(text: string, options: NumberTextOptions): NumberText | null {
  const trimmed = text.trim();
  let index = 0;
  if (options.signed && trimmed.startsWith('-')) index += 1;
  const integerStart = index;
  while (isDigit(trimmed.charCodeAt(index))) index += 1;
  const integerDigits = index - integerStart;
  if (trimmed[index] === '.') {
    const fractionStart = index + 1;
    let end = fractionStart;
    while (isDigit(trimmed.charCodeAt(end))) end += 1;
    // "1." is not a number here, and "." alone never is.
    if (end === fractionStart) return null;
    if (integerDigits === 0 && !options.bareFraction) return null;
    index = end;
  } else if (integerDigits === 0) {
    return null;
  }
  const numberEnd = index;
  while (index < trimmed.length && isSpace(trimmed.charAt(index))) index += 1;
  const rest = trimmed.slice(index).toLowerCase();
  let unit: string | null = null;
  if (rest.length > 0) {
    unit = options.units.find((candidate) => candidate === rest) ?? null;
    if (unit === null) return null;
  }
  return { value: Number(trimmed.slice(0, numberEnd)), unit };
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
