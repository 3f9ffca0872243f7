/**
 * A minimal, namespace-aware XML reader for the parts of an Office Open XML package: elements,
 * attributes, text, CDATA, comments and processing instructions, with the five predefined
 * entities and character references (XML 1.0 §4.1, §4.6). The project has no XML parser, and the
 * importer needs only a tree of a few kilobytes. Anything it does not understand is an error with
 * the line it is on, never a guess: a DOCTYPE (OPC, ECMA-376 Part 2, does not allow DTDs in
 * parts; refusing it also rules out entity expansion), a tag that is not closed, a stray `&`.
 */

export class XmlFormatError extends Error {
  override name = 'XmlFormatError';
  constructor(
    readonly reason: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

export interface XmlAttribute {
  /** The namespace URI ('' for an unprefixed attribute, which has none: Namespaces in XML §6.2). */
  ns: string;
  local: string;
  value: string;
}

export interface XmlElement {
  ns: string;
  local: string;
  /** The name as written (`p:sldId`), for messages. */
  name: string;
  attributes: readonly XmlAttribute[];
  children: readonly XmlNode[];
  line: number;
}
export type XmlNode = XmlElement | string;

export interface XmlLimits {
  maxDepth: number;
  maxElements: number;
}
export const defaultXmlLimits: XmlLimits = { maxDepth: 256, maxElements: 1_000_000 };

const xmlNamespace = 'http://www.w3.org/XML/1998/namespace';
const predefined: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};
const namePattern =
  /^[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*(?::[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*)?$/u;

interface OpenElement {
  name: string;
  prefixes: Map<string, string>;
  raw: { name: string; attributes: [string, string][]; offset: number };
  children: XmlNode[];
}

/** Line numbers from offsets, found by binary search over the newline positions. */
function lineFinder(text: string): (offset: number) => number {
  const breaks: number[] = [];
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) breaks.push(at);
  return (offset) => {
    let low = 0;
    let high = breaks.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((breaks[middle] ?? Infinity) < offset) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  };
}

/** Replaces entity and character references; a reference it does not know is an error. */
function decodeReferences(text: string, fail: (reason: string, index: number) => never): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&<\s]{0,12});?/gu, (whole, body: string, index: number) => {
    const refuse: (reason: string) => never = (reason) => fail(reason, index);
    if (!whole.endsWith(';')) refuse(`"&" must start a reference such as &amp; (found "${whole}")`);
    if (body.startsWith('#')) {
      const hex = /^#x([0-9A-Fa-f]{1,6})$/u.exec(body);
      const dec = /^#([0-9]{1,7})$/u.exec(body);
      const code = hex ? parseInt(hex[1] ?? '', 16) : dec ? parseInt(dec[1] ?? '', 10) : NaN;
      // XML 1.0 Char: no NUL, no surrogates, nothing past U+10FFFF.
      const valid =
        Number.isInteger(code) &&
        code > 0 &&
        code <= 0x10ffff &&
        !(code >= 0xd800 && code <= 0xdfff) &&
        code !== 0xfffe &&
        code !== 0xffff;
      if (!valid) refuse(`"${whole}" is not a valid character reference`);
      return String.fromCodePoint(code);
    }
    const value = predefined[body];
    if (value === undefined) refuse(`unknown entity "${whole}"`);
    return value;
  });
}

function resolve(
  qualified: string,
  scopes: readonly OpenElement[],
  own: Map<string, string>,
  isAttribute: boolean,
  fail: (reason: string) => never,
): { ns: string; local: string } {
  const colon = qualified.indexOf(':');
  const prefix = colon === -1 ? '' : qualified.slice(0, colon);
  const local = colon === -1 ? qualified : qualified.slice(colon + 1);
  if (prefix === '' && isAttribute) return { ns: '', local };
  if (prefix === 'xml') return { ns: xmlNamespace, local };
  const found =
    own.get(prefix) ?? scopes.findLast((scope) => scope.prefixes.has(prefix))?.prefixes.get(prefix);
  if (found === undefined) {
    if (prefix === '') return { ns: '', local };
    fail(`the prefix "${prefix}" of <${qualified}> is not declared`);
  }
  return { ns: found, local };
}

/**
 * Parses a whole document into its root element. Whitespace-only text between elements is
 * dropped (no part of PresentationML gives it meaning outside `a:t`, which keeps it).
 */
export function parseXml(text: string, limits: XmlLimits = defaultXmlLimits): XmlElement {
  const lineAt = lineFinder(text);
  let position = 0;
  const fail = (reason: string, at = position): never => {
    throw new XmlFormatError(reason, lineAt(at));
  };
  const stack: OpenElement[] = [];
  let root: XmlElement | null = null;
  let elements = 0;

  const addText = (raw: string, at: number) => {
    const parent = stack.at(-1);
    if (parent === undefined) {
      const stray = raw.search(/\S/u);
      if (stray !== -1) fail('text outside the root element', at + stray);
      return;
    }
    const decoded = decodeReferences(raw, (reason, index) => fail(reason, at + index));
    if (decoded.length > 0) parent.children.push(decoded);
  };

  const close = (element: OpenElement): XmlElement => {
    const { raw } = element;
    const own = element.prefixes;
    const scopes = stack;
    const failHere = (reason: string): never => fail(reason, raw.offset);
    const name = resolve(raw.name, scopes, own, false, failHere);
    const attributes = raw.attributes
      .filter(([key]) => key !== 'xmlns' && !key.startsWith('xmlns:'))
      .map(([key, value]) => ({ ...resolve(key, scopes, own, true, failHere), value }));
    const children = element.children.filter(
      (child) => typeof child !== 'string' || child.trim().length > 0 || isTextElement(name.local),
    );
    return { ...name, name: raw.name, attributes, children, line: lineAt(raw.offset) };
  };

  if (text.charCodeAt(0) === 0xfeff) position = 1;
  while (position < text.length) {
    const lt = text.indexOf('<', position);
    if (lt === -1) {
      addText(text.slice(position), position);
      break;
    }
    if (lt > position) addText(text.slice(position, lt), position);
    position = lt;
    if (text.startsWith('<!--', position)) {
      const end = text.indexOf('-->', position + 4);
      if (end === -1) fail('a comment is not closed');
      position = end + 3;
    } else if (text.startsWith('<![CDATA[', position)) {
      const end = text.indexOf(']]>', position + 9);
      if (end === -1) fail('a CDATA section is not closed');
      const parent = stack.at(-1) ?? fail('CDATA outside the root element');
      parent.children.push(text.slice(position + 9, end));
      position = end + 3;
    } else if (text.startsWith('<!', position)) {
      fail('DOCTYPE and other declarations are not allowed in a package part');
    } else if (text.startsWith('<?', position)) {
      const end = text.indexOf('?>', position + 2);
      if (end === -1) fail('a processing instruction is not closed');
      position = end + 2;
    } else if (text.startsWith('</', position)) {
      const end = text.indexOf('>', position);
      if (end === -1) fail('a closing tag is not finished');
      const name = text.slice(position + 2, end).trim();
      const open = stack.pop() ?? fail(`</${name}> closes nothing`);
      if (open.name !== name) fail(`</${name}> does not close <${open.name}>`);
      const element = close(open);
      const parent = stack.at(-1);
      if (parent) parent.children.push(element);
      else root = element;
      position = end + 1;
    } else {
      const start = position;
      position = readStartTag(text, position, stack, limits, fail, (element, selfClosing) => {
        elements += 1;
        if (elements > limits.maxElements) fail(`more than ${limits.maxElements} elements`);
        if (stack.length === 0 && root !== null) fail('a second root element', start);
        if (!selfClosing) {
          stack.push(element);
          return;
        }
        const closed = close(element);
        const parent = stack.at(-1);
        if (parent) parent.children.push(closed);
        else root = closed;
      });
    }
  }
  if (stack.length > 0) fail(`<${stack.at(-1)?.name ?? ''}> is not closed`, text.length);
  return root ?? fail('there is no root element', text.length);
}

/** DrawingML's text element keeps its spaces (`<a:t> </a:t>` is a space). */
function isTextElement(local: string): boolean {
  return local === 't';
}

function readStartTag(
  text: string,
  start: number,
  stack: OpenElement[],
  limits: XmlLimits,
  fail: (reason: string, at?: number) => never,
  done: (element: OpenElement, selfClosing: boolean) => void,
): number {
  let at = start + 1;
  const nameMatch = /^[^\s/>]+/u.exec(text.slice(at, at + 200));
  const name = nameMatch?.[0] ?? '';
  if (!namePattern.test(name)) fail(`"<${name}" does not start a valid element name`, start);
  at += name.length;
  const attributes: [string, string][] = [];
  const prefixes = new Map<string, string>();
  for (;;) {
    while (at < text.length && /\s/u.test(text[at] ?? '')) at += 1;
    if (at >= text.length) fail(`<${name}> is not finished`, start);
    if (text.startsWith('/>', at) || text[at] === '>') break;
    const attribute = /^([^\s=/>]+)\s*=\s*(["'])/u.exec(text.slice(at, at + 300));
    if (!attribute) fail(`an attribute of <${name}> is not written name="value"`, at);
    const key = attribute[1] ?? '';
    if (!namePattern.test(key)) fail(`"${key}" is not a valid attribute name`, at);
    const quote = attribute[2] ?? '"';
    const valueStart = at + attribute[0].length;
    const valueEnd = text.indexOf(quote, valueStart);
    if (valueEnd === -1) fail(`the value of ${key} is not closed`, at);
    const raw = text.slice(valueStart, valueEnd);
    if (raw.includes('<')) fail(`the value of ${key} holds "<"`, at);
    if (attributes.some(([existing]) => existing === key)) fail(`${key} is given twice`, at);
    // Attribute-value normalisation (XML 1.0 §3.3.3): literal tabs and newlines become spaces.
    const value = decodeReferences(raw.replace(/[\t\n\r]/gu, ' '), (reason, index) =>
      fail(reason, valueStart + index),
    );
    attributes.push([key, value]);
    if (key === 'xmlns') prefixes.set('', value);
    else if (key.startsWith('xmlns:')) prefixes.set(key.slice(6), value);
    at = valueEnd + 1;
  }
  if (stack.length + 1 > limits.maxDepth) fail(`elements nest deeper than ${limits.maxDepth}`);
  const selfClosing = text.startsWith('/>', at);
  done({ name, prefixes, raw: { name, attributes, offset: start }, children: [] }, selfClosing);
  return at + (selfClosing ? 2 : 1);
}

/** The element's attribute `local` in namespace `ns` ('' for unprefixed). */
export function attribute(element: XmlElement, local: string, ns = ''): string | undefined {
  return element.attributes.find((a) => a.local === local && a.ns === ns)?.value;
}

/** Child elements named `local` in `ns`. */
export function childElements(element: XmlElement, ns: string, local: string): XmlElement[] {
  return element.children.filter(
    (child): child is XmlElement =>
      typeof child !== 'string' && child.ns === ns && child.local === local,
  );
}

export function firstChild(element: XmlElement, ns: string, local: string): XmlElement | undefined {
  return childElements(element, ns, local)[0];
}
