import { crc32, deflateRawSync } from 'node:zlib';

/**
 * Test support: ZIP archives and small PowerPoint packages written from scratch, so the readers
 * are tested against bytes whose every field the test chose (APPNOTE 4.3.7, 4.3.12, 4.3.16).
 */

export interface ZipInput {
  name: string;
  content: string | Uint8Array;
  /** 0 stored, 8 deflated (default). */
  method?: 0 | 8;
  /** Overrides the size the directory declares (for lies about size). */
  declaredSize?: number;
  /** A Unix mode for the entry (e.g. 0o120777, a symlink): made on Unix, with these attributes. */
  unixMode?: number;
}

export function zipOf(inputs: readonly ZipInput[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const input of inputs) {
    const data =
      typeof input.content === 'string'
        ? Buffer.from(input.content, 'utf8')
        : Buffer.from(input.content);
    const method = input.method ?? 8;
    const stored = method === 8 ? deflateRawSync(data) : data;
    const name = Buffer.from(input.name, 'utf8');
    const size = input.declaredSize ?? data.byteLength;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(stored.byteLength, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.byteLength, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(input.unixMode === undefined ? 20 : 0x0314, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(stored.byteLength, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.byteLength, 28);
    if (input.unixMode !== undefined) central.writeUInt32LE((input.unixMode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, stored);
    centrals.push(central, name);
    offset += local.byteLength + name.byteLength + stored.byteLength;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(inputs.length, 8);
  end.writeUInt16LE(inputs.length, 10);
  end.writeUInt32LE(directory.byteLength, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

const ns = {
  p: 'http://schemas.openxmlformats.org/presentationml/2006/main',
  a: 'http://schemas.openxmlformats.org/drawingml/2006/main',
  r: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships',
  rels: 'http://schemas.openxmlformats.org/package/2006/relationships',
  type: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships',
};

export function escapeXml(text: string): string {
  return text
    .replace(/&/gu, '&amp;')
    .replace(/</gu, '&lt;')
    .replace(/>/gu, '&gt;')
    .replace(/"/gu, '&quot;');
}

/** A text body: each paragraph's lines joined by <a:br/>. */
function txBody(paragraphs: readonly string[]): string {
  const ps = paragraphs.map((paragraph) => {
    const lines = paragraph
      .split('\n')
      .map((line) => `<a:r><a:rPr lang="en-US"/><a:t>${escapeXml(line)}</a:t></a:r>`);
    return `<a:p>${lines.join('<a:br/>')}</a:p>`;
  });
  return `<p:txBody><a:bodyPr/><a:lstStyle/>${ps.join('')}</p:txBody>`;
}

function shape(id: number, ph: string | null, paragraphs: readonly string[]): string {
  const phElement = ph === null ? '' : ph === '' ? '<p:ph/>' : `<p:ph type="${ph}"/>`;
  return `<p:sp><p:nvSpPr><p:cNvPr id="${id}" name="Shape ${id}"/><p:cNvSpPr/><p:nvPr>${phElement}</p:nvPr></p:nvSpPr><p:spPr/>${txBody(paragraphs)}</p:sp>`;
}

export interface TestSlide {
  title?: string;
  /** Title placeholder kind: 'title' (default) or 'ctrTitle'. */
  titleType?: 'title' | 'ctrTitle';
  body?: readonly string[];
  notes?: readonly string[];
  /** Text in other notes placeholders (slide image, number), never the notes. */
  notesFurniture?: string;
  hidden?: boolean;
  /** More shape-tree content, as written (e.g. mc:AlternateContent). */
  rawShapes?: string;
  /** Replaces the notes slide's XML (for malformed notes). */
  rawNotes?: string;
}

/**
 * A PowerPoint package: slides are stored as slide{k}.xml in reverse, so the order comes only
 * from p:sldIdLst, as in real decks edited after creation.
 */
export function deckOf(slides: readonly TestSlide[]): Uint8Array {
  const inputs: ZipInput[] = [
    {
      name: '_rels/.rels',
      content: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="${ns.rels}"><Relationship Id="rId1" Type="${ns.type}/officeDocument" Target="ppt/presentation.xml"/></Relationships>`,
    },
  ];
  const ids: string[] = [];
  const rels: string[] = [];
  slides.forEach((slide, index) => {
    const file = slides.length - index;
    ids.push(`<p:sldId id="${256 + index}" r:id="rId${index + 10}"/>`);
    rels.push(
      `<Relationship Id="rId${index + 10}" Type="${ns.type}/slide" Target="slides/slide${file}.xml"/>`,
    );
    const shapes = [
      slide.title === undefined ? '' : shape(2, slide.titleType ?? 'title', [slide.title]),
      slide.body === undefined ? '' : shape(3, 'body', slide.body),
      shape(4, 'sldNum', [String(index + 1)]),
      slide.rawShapes ?? '',
    ].join('');
    inputs.push({
      name: `ppt/slides/slide${file}.xml`,
      content: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<p:sld xmlns:a="${ns.a}" xmlns:r="${ns.r}" xmlns:p="${ns.p}"${slide.hidden === true ? ' show="0"' : ''}><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>${shapes}</p:spTree></p:cSld></p:sld>`,
    });
    if (slide.notes !== undefined || slide.rawNotes !== undefined) {
      inputs.push({
        name: `ppt/slides/_rels/slide${file}.xml.rels`,
        content: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${ns.rels}"><Relationship Id="rId2" Type="${ns.type}/notesSlide" Target="../notesSlides/notesSlide${file}.xml"/></Relationships>`,
      });
      const furniture = shape(2, 'sldImg', []) + shape(5, 'sldNum', [slide.notesFurniture ?? '7']);
      inputs.push({
        name: `ppt/notesSlides/notesSlide${file}.xml`,
        content:
          slide.rawNotes ??
          `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<p:notes xmlns:a="${ns.a}" xmlns:r="${ns.r}" xmlns:p="${ns.p}">\n<p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>${furniture}${shape(3, 'body', slide.notes ?? [])}</p:spTree></p:cSld></p:notes>`,
      });
    }
  });
  inputs.push(
    {
      name: 'ppt/presentation.xml',
      content: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<p:presentation xmlns:a="${ns.a}" xmlns:r="${ns.r}" xmlns:p="${ns.p}"><p:sldIdLst>${ids.join('')}</p:sldIdLst><p:sldSz cx="12192000" cy="6858000"/></p:presentation>`,
    },
    {
      name: 'ppt/_rels/presentation.xml.rels',
      content: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="${ns.rels}">${rels.join('')}</Relationships>`,
    },
  );
  return zipOf(inputs);
}
