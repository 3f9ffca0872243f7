import { posix } from 'node:path';
import { ZipArchive, ZipFormatError, type ZipLimits } from './zip-reader.ts';
import {
  attribute,
  childElements,
  firstChild,
  parseXml,
  XmlFormatError,
  type XmlElement,
} from './xml-reader.ts';

/**
 * What a PowerPoint deck says, read from the .pptx itself: each slide's title (its title
 * placeholder), its speaker notes (the notes slide's body placeholder) and its text, in the
 * order the deck shows them. The path through the package follows the relationships, never file
 * names (slide2.xml may be the fifth slide):
 *
 *   _rels/.rels  --officeDocument-->  ppt/presentation.xml, whose p:sldIdLst gives the order
 *   (ECMA-376 Part 1 §19.2.1.34 sldIdLst) by r:id  --slide-->  ppt/slides/slideN.xml
 *   --notesSlide-->  ppt/notesSlides/notesSlideM.xml
 *
 * Relationship parts and targets follow OPC (ECMA-376 Part 2 §9.3: a part's relationships live in
 * `_rels/<name>.rels` beside it; a relative target resolves against the part's folder).
 * Placeholders are `p:sp/p:nvSpPr/p:nvPr/p:ph` (Part 1 §19.3.1.36); a ph without `type` is `obj`
 * (its schema default), so only an explicit type="body" on a notes slide is the notes, as
 * python-pptx's NotesSlide.notes_placeholder does; the title is type="title" or "ctrTitle", as in
 * python-pptx's title placeholder types (TITLE, CENTER_TITLE). Text is DrawingML's: paragraphs
 * `a:p` (§21.1.2.2.6) of runs `a:r` with `a:t`, fields `a:fld` and line breaks `a:br`
 * (§21.1.2.2.1). A slide with show="0" (§19.3.1.38 sld) is hidden: LibreOffice's PDF export
 * leaves it out (ExportHiddenSlides is false by default), so it is left out here too.
 */

export class DeckFormatError extends Error {
  override name = 'DeckFormatError';
  constructor(
    /** The package part at fault (`ppt/slides/slide3.xml`), or '' for the archive itself. */
    readonly part: string,
    readonly reason: string,
    readonly line?: number,
  ) {
    super(
      `${part === '' ? 'the file' : part}${line === undefined ? '' : ` line ${line}`}: ${reason}`,
    );
  }
}

export interface DeckSlideText {
  /** 1-based position among all slides of the deck, hidden ones included. */
  number: number;
  /** The slide part, for messages (`ppt/slides/slide7.xml`). */
  part: string;
  hidden: boolean;
  title: string | undefined;
  /** The speaker notes, one paragraph per `a:p`, blank ones dropped; '' when there are none. */
  notes: string;
  /** The slide's own text: title first, then every other paragraph in drawing order. */
  text: string[];
}

export interface DeckText {
  slides: DeckSlideText[];
}

export const maxDeckSlides = 5_000;

const namespaces = {
  transitional: {
    p: 'http://schemas.openxmlformats.org/presentationml/2006/main',
    a: 'http://schemas.openxmlformats.org/drawingml/2006/main',
    r: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships',
  },
  // ISO/IEC 29500 Strict names the same elements in other namespaces.
  strict: {
    p: 'http://purl.oclc.org/ooxml/presentationml/main',
    a: 'http://purl.oclc.org/ooxml/drawingml/main',
    r: 'http://purl.oclc.org/ooxml/officeDocument/relationships',
  },
} as const;
type Namespaces = (typeof namespaces)[keyof typeof namespaces];

const markupCompatibilityNs = 'http://schemas.openxmlformats.org/markup-compatibility/2006';
const relationshipsNs = 'http://schemas.openxmlformats.org/package/2006/relationships';

/** The last path segment of a relationship type (`.../relationships/notesSlide`). */
function relationshipKind(type: string): string {
  return type.slice(type.lastIndexOf('/') + 1);
}

interface Relationship {
  kind: string;
  target: string;
  external: boolean;
}

class Package {
  constructor(private readonly zip: ZipArchive) {}

  has(part: string): boolean {
    return this.zip.entry(part) !== undefined;
  }

  xml(part: string): XmlElement {
    let bytes: Uint8Array;
    try {
      bytes = this.zip.read(part);
    } catch (error) {
      if (error instanceof ZipFormatError) throw new DeckFormatError(part, error.message);
      throw error;
    }
    let text: string;
    try {
      // XML 1.0 §4.3.3: UTF-8 unless a byte-order mark says UTF-16.
      const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe;
      text = new TextDecoder(utf16 ? 'utf-16le' : 'utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new DeckFormatError(part, 'it is not valid UTF-8 text');
    }
    try {
      return parseXml(text);
    } catch (error) {
      if (error instanceof XmlFormatError)
        throw new DeckFormatError(part, error.reason, error.line);
      throw error;
    }
  }

  /** The relationships of `part` by Id; none when it has no relationships part. */
  relationships(part: string): Map<string, Relationship> {
    const folder = posix.dirname(part);
    const relsPart = posix.join(
      folder === '.' ? '' : folder,
      '_rels',
      `${posix.basename(part)}.rels`,
    );
    const found = new Map<string, Relationship>();
    if (!this.has(relsPart)) return found;
    const root = this.xml(relsPart);
    for (const rel of childElements(root, relationshipsNs, 'Relationship')) {
      const id = attribute(rel, 'Id');
      const type = attribute(rel, 'Type');
      const target = attribute(rel, 'Target');
      if (id === undefined || type === undefined || target === undefined) {
        throw new DeckFormatError(relsPart, 'a Relationship lacks Id, Type or Target', rel.line);
      }
      const external = attribute(rel, 'TargetMode') === 'External';
      found.set(id, {
        kind: relationshipKind(type),
        target: external ? target : resolveTarget(folder, target),
        external,
      });
    }
    return found;
  }
}

/** A relative target against the source part's folder; an absolute one from the package root. */
function resolveTarget(folder: string, target: string): string {
  let decoded = target;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    // Not percent-encoded: used as written.
  }
  const joined = decoded.startsWith('/') ? decoded : posix.join('/', folder, decoded);
  return posix.normalize(joined).replace(/^\/+/u, '');
}

function placeholderType(shape: XmlElement, ns: Namespaces): string | undefined {
  const nvSpPr = firstChild(shape, ns.p, 'nvSpPr');
  const nvPr = nvSpPr && firstChild(nvSpPr, ns.p, 'nvPr');
  const ph = nvPr && firstChild(nvPr, ns.p, 'ph');
  return ph === undefined ? undefined : (attribute(ph, 'type') ?? 'obj');
}

function collapse(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

/** One DrawingML paragraph's text: runs and fields in order, a line break as a space. */
function paragraphText(paragraph: XmlElement, ns: Namespaces): string {
  let text = '';
  for (const child of paragraph.children) {
    if (typeof child === 'string' || child.ns !== ns.a) continue;
    if (child.local === 'r' || child.local === 'fld') {
      for (const t of childElements(child, ns.a, 't')) {
        text += t.children.filter((c): c is string => typeof c === 'string').join('');
      }
    } else if (child.local === 'br') text += ' ';
  }
  return collapse(text);
}

/** Every paragraph below `element` (text bodies, tables, groups), in document order. */
function paragraphs(
  element: XmlElement,
  ns: Namespaces,
  skip?: (shape: XmlElement) => boolean,
): string[] {
  const found: string[] = [];
  const visit = (node: XmlElement) => {
    if (skip?.(node) === true) return;
    // Markup compatibility (ECMA-376 Part 3): a consumer takes one branch of mc:AlternateContent;
    // mc:Fallback repeats the mc:Choice content for older readers, so its text would be read twice.
    if (node.ns === markupCompatibilityNs && node.local === 'Fallback') return;
    if (node.ns === ns.a && node.local === 'p') {
      const text = paragraphText(node, ns);
      if (text.length > 0) found.push(text);
      return;
    }
    for (const child of node.children) if (typeof child !== 'string') visit(child);
  };
  visit(element);
  return found;
}

function shapeTree(root: XmlElement, part: string, ns: Namespaces): XmlElement {
  const common = firstChild(root, ns.p, 'cSld');
  const tree = common && firstChild(common, ns.p, 'spTree');
  if (tree === undefined)
    throw new DeckFormatError(part, 'it has no p:cSld/p:spTree (shape tree)', root.line);
  return tree;
}

/** Page furniture repeated from the master: never read aloud. */
const furniture = new Set(['dt', 'ftr', 'hdr', 'sldNum']);

function readSlide(pkg: Package, part: string, number: number, ns: Namespaces): DeckSlideText {
  const root = pkg.xml(part);
  if (root.ns !== ns.p || root.local !== 'sld') {
    throw new DeckFormatError(part, `its root is <${root.name}>, not a slide (p:sld)`, root.line);
  }
  const show = attribute(root, 'show');
  const hidden = show === '0' || show === 'false';
  const tree = shapeTree(root, part, ns);
  const shapes = childElements(tree, ns.p, 'sp');
  const titleShape = shapes.find((shape) => {
    const type = placeholderType(shape, ns);
    return type === 'title' || type === 'ctrTitle';
  });
  const titleText = titleShape ? paragraphs(titleShape, ns).join(' ') : '';
  const body = paragraphs(tree, ns, (node) => {
    if (node === titleShape) return true;
    if (node.ns !== ns.p || node.local !== 'sp') return false;
    return furniture.has(placeholderType(node, ns) ?? '');
  });
  const notes = readNotes(pkg, part, ns);
  return {
    number,
    part,
    hidden,
    title: titleText.length > 0 ? titleText : undefined,
    notes,
    text: titleText.length > 0 ? [titleText, ...body] : body,
  };
}

function readNotes(pkg: Package, slidePart: string, ns: Namespaces): string {
  const notesRel = [...pkg.relationships(slidePart).values()].find(
    (rel) => rel.kind === 'notesSlide' && !rel.external,
  );
  if (notesRel === undefined) return '';
  const part = notesRel.target;
  if (!pkg.has(part))
    throw new DeckFormatError(part, `${slidePart} names it as its notes, but it is missing`);
  const root = pkg.xml(part);
  if (root.ns !== ns.p || root.local !== 'notes') {
    throw new DeckFormatError(
      part,
      `its root is <${root.name}>, not a notes slide (p:notes)`,
      root.line,
    );
  }
  const body = childElements(shapeTree(root, part, ns), ns.p, 'sp').find(
    (shape) => placeholderType(shape, ns) === 'body',
  );
  return body ? paragraphs(body, ns).join('\n\n') : '';
}

/** Reads a .pptx's slides, titles and notes; a DeckFormatError names the part and line at fault. */
export function readDeckText(bytes: Uint8Array, limits?: ZipLimits): DeckText {
  let zip: ZipArchive;
  try {
    zip = ZipArchive.open(bytes, limits);
  } catch (error) {
    if (error instanceof ZipFormatError) throw new DeckFormatError('', error.message);
    throw error;
  }
  const pkg = new Package(zip);
  if (!pkg.has('_rels/.rels')) {
    throw new DeckFormatError('_rels/.rels', 'it is missing, so this is not an Office document');
  }
  const main = [...pkg.relationships('').values()].find((rel) => rel.kind === 'officeDocument');
  if (main === undefined || !pkg.has(main.target)) {
    throw new DeckFormatError(
      '_rels/.rels',
      'it names no main document (officeDocument) that the file holds',
    );
  }
  const presentation = pkg.xml(main.target);
  const ns = Object.values(namespaces).find((candidate) => presentation.ns === candidate.p);
  if (ns === undefined || presentation.local !== 'presentation') {
    throw new DeckFormatError(
      main.target,
      `its root is <${presentation.name}>, not a PowerPoint presentation`,
      presentation.line,
    );
  }
  const list = firstChild(presentation, ns.p, 'sldIdLst');
  const ids = list ? childElements(list, ns.p, 'sldId') : [];
  if (ids.length === 0)
    throw new DeckFormatError(main.target, 'the presentation has no slides (p:sldIdLst is empty)');
  if (ids.length > maxDeckSlides) {
    throw new DeckFormatError(
      main.target,
      `it has ${ids.length} slides, more than ${maxDeckSlides}`,
    );
  }
  const rels = pkg.relationships(main.target);
  const slides = ids.map((id, index) => {
    const relId = attribute(id, 'id', ns.r);
    const rel = relId === undefined ? undefined : rels.get(relId);
    if (relId === undefined || rel === undefined || rel.kind !== 'slide' || !pkg.has(rel.target)) {
      throw new DeckFormatError(
        main.target,
        `slide ${index + 1} (p:sldId r:id="${relId ?? ''}") does not lead to a slide part in the file`,
        id.line,
      );
    }
    return readSlide(pkg, rel.target, index + 1, ns);
  });
  return { slides };
}
