/**
 * A position-tracking JSON scanner. JSON.parse says neither where a syntax error is in a form
 * editors understand (line:column) nor where a valid-but-wrong field sits, and both are what a
 * person fixing lesson.json by hand needs. The scanner checks syntax strictly (RFC 8259, as
 * JSON.parse does); the value itself still comes from JSON.parse so the two can never disagree
 * about what the document means.
 *
 * Positions are found on demand, only for the paths asked about (the fields a schema complains
 * of): one more pass over the text follows those paths and skips every other subtree, so memory
 * stays proportional to the paths asked for, never to the document (recording a position per
 * value took gigabytes for a few megabytes of lesson.json).
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
  /**
   * `locate` for many paths in one pass over the text (time linear in the text plus the paths);
   * results are in the order asked.
   */
  locateAll(paths: readonly (readonly PropertyKey[])[]): JsonLocation[];
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
  try {
    new Scanner(body, null).scanDocument();
  } catch (failure) {
    if (failure instanceof SyntaxFailure) {
      return {
        ok: false,
        error: { message: failure.message, ...positionAt(body, failure.offset) },
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
    return { ok: false, error: { message, ...positionAt(body, 0) } };
  }
  const locateAll = (paths: readonly (readonly PropertyKey[])[]): JsonLocation[] => {
    const root = newNode();
    const segmentLists = paths.map((path) => path.map(toSegment));
    for (const segments of segmentLists) addPath(root, segments);
    // The text was checked above, so this pass cannot fail; it only fills in offsets.
    new Scanner(body, root).scanDocument();
    const offsets = segmentLists.map((segments) => resolve(root, segments));
    const positions = positionsAt(
      body,
      offsets.map((found) => found.offset),
    );
    return segmentLists.map((segments, index) => {
      const found = offsets[index];
      const position = positions[index];
      if (found === undefined || position === undefined) throw new Error('locateAll: lost a path');
      return {
        ...position,
        path: segments.slice(0, found.length),
        exact: found.length === segments.length,
      };
    });
  };
  return {
    ok: true,
    document: {
      value,
      locateAll,
      locate(path) {
        const [location] = locateAll([path]);
        if (location === undefined) throw new Error('locate: no location');
        return location;
      },
    },
  };
}

/**
 * The asked-for paths as a tree: the scanner descends only into values on some asked-for path
 * and records where each node's value (or member key) starts.
 */
interface PathNode {
  keys: Map<string, PathNode> | null;
  indices: Map<number, PathNode> | null;
  offset: number | undefined;
}

function newNode(): PathNode {
  return { keys: null, indices: null, offset: undefined };
}

function addPath(root: PathNode, segments: readonly JsonPathSegment[]): void {
  let node = root;
  for (const segment of segments) {
    let next: PathNode | undefined;
    if (typeof segment === 'number') {
      node.indices ??= new Map();
      next = node.indices.get(segment);
      if (next === undefined) node.indices.set(segment, (next = newNode()));
    } else {
      node.keys ??= new Map();
      next = node.keys.get(segment);
      if (next === undefined) node.keys.set(segment, (next = newNode()));
    }
    node = next;
  }
}

/** The longest prefix of `segments` found in the text, and where it starts. */
function resolve(
  root: PathNode,
  segments: readonly JsonPathSegment[],
): { length: number; offset: number } {
  let best = { length: 0, offset: root.offset ?? 0 };
  let node: PathNode | undefined = root;
  for (let index = 0; index < segments.length; index += 1) {
    const segment = segments[index];
    node = typeof segment === 'number' ? node.indices?.get(segment) : node.keys?.get(segment ?? '');
    if (node?.offset === undefined) break;
    best = { length: index + 1, offset: node.offset };
  }
  return best;
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

function positionAt(text: string, offset: number): JsonPosition {
  const [position] = positionsAt(text, [offset]);
  return position ?? { line: 1, column: offset + 1, offset };
}

/**
 * Line and column of each offset, counting line breaks in one pass up to the last offset (no
 * table of line starts: a file of many short lines would make that as large as the text).
 */
function positionsAt(text: string, offsets: readonly number[]): JsonPosition[] {
  const order = offsets
    .map((_, index) => index)
    .sort((a, b) => (offsets[a] ?? 0) - (offsets[b] ?? 0));
  const positions: JsonPosition[] = new Array<JsonPosition>(offsets.length);
  let line = 1;
  let lineStart = 0;
  let index = 0;
  for (const which of order) {
    const offset = offsets[which] ?? 0;
    while (index < offset) {
      const code = text.charCodeAt(index);
      if (code === 0x0d && text.charCodeAt(index + 1) === 0x0a) {
        // \r\n is one break; an offset on its \n still belongs to the line the \r ends.
        if (index + 1 >= offset) break;
        index += 1;
      }
      index += 1;
      // A lone \r is a break too (old Mac files), as editors count it.
      if (code === 0x0a || code === 0x0d) {
        line += 1;
        lineStart = index;
      }
    }
    positions[which] = { line, column: offset - lineStart + 1, offset };
  }
  return positions;
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
  /** The asked-for paths, or null when only checking syntax. */
  private readonly root: PathNode | null;

  constructor(text: string, root: PathNode | null) {
    this.text = text;
    this.root = root;
  }

  scanDocument(): void {
    this.skipWhitespace();
    if (this.index >= this.text.length) this.fail('Unexpected end of input: the file is empty');
    if (this.root !== null) this.root.offset = this.index;
    this.scanValue(0, this.root ?? undefined);
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

  /** `node` is set while the value is on an asked-for path; other values are only checked. */
  private scanValue(depth: number, node: PathNode | undefined): void {
    if (depth > maxDepth) this.fail(`Nesting deeper than ${maxDepth} levels`);
    const char = this.text[this.index];
    switch (char) {
      case '{':
        this.scanObject(depth, node?.keys ?? undefined);
        return;
      case '[':
        this.scanArray(depth, node?.indices ?? undefined);
        return;
      case '"':
        this.scanString(false);
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

  private scanObject(depth: number, members: Map<string, PathNode> | undefined): void {
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
      const key = this.scanString(true);
      this.skipWhitespace();
      if (this.text[this.index] !== ':') this.unexpected(`':' after property name "${key}"`);
      this.index += 1;
      this.skipWhitespace();
      const member = members?.get(key);
      // A repeated key: JSON.parse keeps the last, so the last position is the one that counts.
      if (member !== undefined) member.offset = keyStart;
      this.scanValue(depth + 1, member);
      if (this.closesAfterItem('}', open, `',' or '}' after the value of "${key}"`)) return;
    }
  }

  private scanArray(depth: number, elements: Map<number, PathNode> | undefined): void {
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
      const item = elements?.get(element);
      if (item !== undefined) item.offset = this.index;
      this.scanValue(depth + 1, item);
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

  /**
   * Returns the decoded string when `decode` is set (object keys need it for their paths); values
   * are only checked, so a large document builds no copy of its strings.
   */
  private scanString(decode: boolean): string {
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
        if (decode) out += this.text.slice(runStart, this.index);
        this.index += 1;
        return out;
      }
      if (char.charCodeAt(0) < 0x20) {
        this.fail(
          `Unexpected ${describeChar(char)} in a string (the string at ${this.describeOffset(open)} may be missing its closing quote)`,
        );
      }
      if (char === '\\') {
        const run = decode ? this.text.slice(runStart, this.index) : '';
        const decoded = this.scanEscape();
        if (decode) out += run + decoded;
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
    const position = positionAt(this.text, offset);
    return `${position.line}:${position.column}`;
  }
}
