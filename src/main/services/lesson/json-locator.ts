/**
 * A position-tracking JSON scanner. JSON.parse says neither where a syntax error is in a form
 * editors understand (line:column) nor where a valid-but-wrong field sits, and both are what a
 * person fixing lesson.json by hand needs. The scanner checks syntax strictly (RFC 8259, as
 * JSON.parse does) and records where every value starts; the value itself still comes from
 * JSON.parse so the two can never disagree about what the document means.
 */

export type JsonPathSegment = string | number;

export interface JsonPosition {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units (what most editors show). */
  column: number;
  /** 0-based offset into the text, after any byte-order mark. */
  offset: number;
}

export interface JsonLocation extends JsonPosition {
  /** The longest prefix of the asked-for path that exists in the document. */
  path: JsonPathSegment[];
  /** Whether the whole asked-for path exists. */
  exact: boolean;
}

export interface JsonDocument {
  value: unknown;
  /**
   * Where a path is: for an object member, its key; for an array element or the root, the value.
   * A path that does not exist resolves to its nearest existing parent.
   */
  locate(path: readonly PropertyKey[]): JsonLocation;
}

export interface JsonSyntaxError extends JsonPosition {
  message: string;
}

export type JsonScanResult =
  { ok: true; document: JsonDocument } | { ok: false; error: JsonSyntaxError };

/** Deeper nesting than any lesson needs; the limit keeps recursion off the stack's edge. */
const maxDepth = 512;

/** Thrown inside the scanner only, to unwind the recursion; scanJson turns it into a value. */
class SyntaxFailure extends Error {
  readonly offset: number;
  constructor(offset: number, message: string) {
    super(message);
    this.offset = offset;
  }
}

/** Scans `text` as JSON; on success the document can say where any path is. */
export function scanJson(text: string): JsonScanResult {
  // JSON.parse rejects a byte-order mark, but editors on Windows write one; columns ignore it.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lineStarts = computeLineStarts(body);
  const positions = new Map<string, number>();
  try {
    const scanner = new Scanner(body, positions);
    scanner.scanDocument();
  } catch (failure) {
    if (failure instanceof SyntaxFailure) {
      return {
        ok: false,
        error: { message: failure.message, ...positionAt(lineStarts, failure.offset) },
      };
    }
    throw failure;
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (parseError) {
    // Only reachable if the scanner accepts something JSON.parse does not: report it, positionless.
    const message = parseError instanceof Error ? parseError.message : String(parseError);
    return { ok: false, error: { message, ...positionAt(lineStarts, 0) } };
  }
  return {
    ok: true,
    document: {
      value,
      locate(path) {
        const segments = path.map(toSegment);
        for (let length = segments.length; length >= 0; length -= 1) {
          const prefix = segments.slice(0, length);
          const offset = positions.get(pathKey(prefix));
          if (offset !== undefined) {
            return {
              ...positionAt(lineStarts, offset),
              path: prefix,
              exact: length === segments.length,
            };
          }
        }
        return { ...positionAt(lineStarts, 0), path: [], exact: segments.length === 0 };
      },
    },
  };
}

/** `['slides', 2, 'image']` -> `slides[2].image`; the root is `(root)`. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
    } else {
      const name = String(segment);
      if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) {
        out += out.length === 0 ? name : `.${name}`;
      } else {
        out += `[${JSON.stringify(name)}]`;
      }
    }
  }
  return out.length === 0 ? '(root)' : out;
}

function toSegment(key: PropertyKey): JsonPathSegment {
  return typeof key === 'number' ? key : String(key);
}

function pathKey(path: readonly JsonPathSegment[]): string {
  return JSON.stringify(path);
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0x0a) {
      starts.push(index + 1);
    } else if (code === 0x0d) {
      // \r\n is one break; a lone \r is one too (old Mac files), as editors count it.
      if (text.charCodeAt(index + 1) === 0x0a) index += 1;
      starts.push(index + 1);
    }
  }
  return starts;
}

function positionAt(lineStarts: readonly number[], offset: number): JsonPosition {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((lineStarts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - (lineStarts[low] ?? 0) + 1, offset };
}

function describeChar(char: string | undefined): string {
  if (char === undefined) return 'end of input';
  if (char === '\n' || char === '\r') return 'end of line';
  const code = char.charCodeAt(0);
  if (code < 0x20) return `control character U+${code.toString(16).padStart(4, '0')}`;
  return `token '${char}'`;
}

class Scanner {
  private index = 0;
  private readonly text: string;
  private readonly positions: Map<string, number>;
  private readonly path: JsonPathSegment[] = [];

  constructor(text: string, positions: Map<string, number>) {
    this.text = text;
    this.positions = positions;
  }

  scanDocument(): void {
    this.skipWhitespace();
    if (this.index >= this.text.length) this.fail('Unexpected end of input: the file is empty');
    this.positions.set(pathKey([]), this.index);
    this.scanValue(0);
    this.skipWhitespace();
    if (this.index < this.text.length) {
      this.fail(
        `Unexpected ${describeChar(this.text[this.index])} after the end of the JSON value`,
      );
    }
  }

  private fail(message: string, offset = this.index): never {
    throw new SyntaxFailure(offset, message);
  }

  private unexpected(expected: string): never {
    const char = this.text[this.index];
    if (char === undefined) this.fail(`Unexpected end of input: expected ${expected}`);
    this.fail(`Unexpected ${describeChar(char)}: expected ${expected}`);
  }

  private skipWhitespace(): void {
    for (;;) {
      const char = this.text[this.index];
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r') this.index += 1;
      else return;
    }
  }

  private scanValue(depth: number): void {
    if (depth > maxDepth) this.fail(`Nesting deeper than ${maxDepth} levels`);
    const char = this.text[this.index];
    switch (char) {
      case '{':
        this.scanObject(depth);
        return;
      case '[':
        this.scanArray(depth);
        return;
      case '"':
        this.scanString();
        return;
      case 't':
        this.scanLiteral('true');
        return;
      case 'f':
        this.scanLiteral('false');
        return;
      case 'n':
        this.scanLiteral('null');
        return;
      default:
        if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) {
          this.scanNumber();
          return;
        }
        if (char === "'") this.fail("Unexpected token ''': strings need double quotes");
        this.unexpected('a value');
    }
  }

  private scanObject(depth: number): void {
    const open = this.index;
    this.index += 1;
    this.skipWhitespace();
    if (this.text[this.index] === '}') {
      this.index += 1;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      const char = this.text[this.index];
      if (char !== '"') {
        if (char === '}') this.fail("Unexpected token '}': a trailing comma is not allowed");
        if (char === undefined)
          this.fail(
            `Unexpected end of input: the object at ${this.describeOffset(open)} is not closed`,
          );
        this.unexpected('a property name in double quotes');
      }
      const keyStart = this.index;
      const key = this.scanString();
      this.skipWhitespace();
      if (this.text[this.index] !== ':') this.unexpected(`':' after property name "${key}"`);
      this.index += 1;
      this.skipWhitespace();
      this.path.push(key);
      // A repeated key: JSON.parse keeps the last, so the last position is the one that counts.
      this.positions.set(pathKey(this.path), keyStart);
      this.scanValue(depth + 1);
      this.path.pop();
      if (this.closesAfterItem('}', open, `',' or '}' after the value of "${key}"`)) return;
    }
  }

  private scanArray(depth: number): void {
    const open = this.index;
    this.index += 1;
    this.skipWhitespace();
    if (this.text[this.index] === ']') {
      this.index += 1;
      return;
    }
    for (let element = 0; ; element += 1) {
      this.skipWhitespace();
      const char = this.text[this.index];
      if (char === ']') this.fail("Unexpected token ']': a trailing comma is not allowed");
      if (char === undefined) {
        this.fail(
          `Unexpected end of input: the array at ${this.describeOffset(open)} is not closed`,
        );
      }
      this.path.push(element);
      this.positions.set(pathKey(this.path), this.index);
      this.scanValue(depth + 1);
      this.path.pop();
      if (this.closesAfterItem(']', open, "',' or ']' after an array element")) return;
    }
  }

  /** After a member or element: true when `close` ends the container, false after a comma. */
  private closesAfterItem(close: '}' | ']', open: number, expected: string): boolean {
    this.skipWhitespace();
    const next = this.text[this.index];
    if (next === ',' || next === close) {
      this.index += 1;
      return next === close;
    }
    if (next === undefined) {
      const container = close === '}' ? 'object' : 'array';
      this.fail(
        `Unexpected end of input: the ${container} at ${this.describeOffset(open)} is not closed`,
      );
    }
    this.unexpected(expected);
  }

  /** Returns the decoded string, which object keys need for their paths. */
  private scanString(): string {
    const open = this.index;
    this.index += 1;
    let out = '';
    let runStart = this.index;
    for (;;) {
      const char = this.text[this.index];
      if (char === undefined) {
        this.fail(
          `Unexpected end of input: the string at ${this.describeOffset(open)} is not closed`,
        );
      }
      if (char === '"') {
        out += this.text.slice(runStart, this.index);
        this.index += 1;
        return out;
      }
      if (char.charCodeAt(0) < 0x20) {
        this.fail(
          `Unexpected ${describeChar(char)} in a string (the string at ${this.describeOffset(open)} may be missing its closing quote)`,
        );
      }
      if (char === '\\') {
        out += this.text.slice(runStart, this.index);
        out += this.scanEscape();
        runStart = this.index;
        continue;
      }
      this.index += 1;
    }
  }

  private scanEscape(): string {
    const escapeStart = this.index;
    const char = this.text[this.index + 1];
    this.index += 2;
    switch (char) {
      case '"':
        return '"';
      case '\\':
        return '\\';
      case '/':
        return '/';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u': {
        const hex = this.text.slice(this.index, this.index + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          this.fail('Bad unicode escape: \\u needs four hex digits', escapeStart);
        }
        this.index += 4;
        return String.fromCharCode(Number.parseInt(hex, 16));
      }
      default:
        if (char === undefined)
          this.fail('Unexpected end of input in a string escape', escapeStart);
        this.fail(`Bad escape '\\${char}' in a string`, escapeStart);
    }
  }

  private scanNumber(): void {
    const start = this.index;
    const numberPattern = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    numberPattern.lastIndex = start;
    const found = numberPattern.exec(this.text);
    if (found === null) {
      this.index = start + (this.text[start] === '-' ? 1 : 0);
      this.unexpected('a digit');
    }
    this.index = start + found[0].length;
    const after = this.text[this.index];
    // "01", "1.", "1e" and "1.5.2" are not JSON numbers; name the problem where it is.
    if (after !== undefined && /[0-9.eE+-]/.test(after)) {
      this.fail(`Unexpected ${describeChar(after)} in a number`);
    }
  }

  private scanLiteral(word: 'true' | 'false' | 'null'): void {
    for (let offset = 0; offset < word.length; offset += 1) {
      if (this.text[this.index + offset] !== word[offset]) {
        this.index += offset;
        this.unexpected(offset === 0 ? 'a value' : `'${word}'`);
      }
    }
    this.index += word.length;
  }

  private describeOffset(offset: number): string {
    const lineStarts = computeLineStarts(this.text.slice(0, offset + 1));
    const position = positionAt(lineStarts, offset);
    return `${position.line}:${position.column}`;
  }
}
