/**
 * Rules for asset paths inside a lesson folder and the image types a slide may use. Pure, so the
 * lesson store (which also checks the real file system) and the renderer agree on them.
 */

export type LessonImageKind = 'png' | 'jpeg' | 'webp' | 'gif' | 'svg' | 'bmp' | 'avif';

export interface LessonImageType {
  kind: LessonImageKind;
  mimeType: string;
  /** Raster types are recognised by their first bytes; SVG is text. */
  raster: boolean;
}

const imageTypes: Record<LessonImageKind, LessonImageType> = {
  png: { kind: 'png', mimeType: 'image/png', raster: true },
  jpeg: { kind: 'jpeg', mimeType: 'image/jpeg', raster: true },
  webp: { kind: 'webp', mimeType: 'image/webp', raster: true },
  gif: { kind: 'gif', mimeType: 'image/gif', raster: true },
  svg: { kind: 'svg', mimeType: 'image/svg+xml', raster: false },
  bmp: { kind: 'bmp', mimeType: 'image/bmp', raster: true },
  avif: { kind: 'avif', mimeType: 'image/avif', raster: true },
};

const kindByExtension: ReadonlyMap<string, LessonImageKind> = new Map<string, LessonImageKind>([
  ['png', 'png'],
  ['jpg', 'jpeg'],
  ['jpeg', 'jpeg'],
  ['webp', 'webp'],
  ['gif', 'gif'],
  ['svg', 'svg'],
  ['bmp', 'bmp'],
  ['avif', 'avif'],
]);

/** File extensions (lower case, without the dot) that a slide image may have. */
export const lessonImageExtensions: readonly string[] = [...kindByExtension.keys()];

/** The lower-case extension of the last path segment, without the dot; '' when there is none. */
export function extensionOf(path: string): string {
  const name = path.split(/[/\\]/).pop() ?? '';
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** The image type a file name promises, or null when it is not one the renderer can draw. */
export function imageTypeFromPath(path: string): LessonImageType | null {
  const kind = kindByExtension.get(extensionOf(path));
  return kind === undefined ? null : imageTypes[kind];
}

export function imageTypeOfKind(kind: LessonImageKind): LessonImageType {
  return imageTypes[kind];
}

function startsWithAscii(bytes: Uint8Array, offset: number, text: string): boolean {
  if (bytes.length < offset + text.length) return false;
  for (let index = 0; index < text.length; index += 1) {
    if (bytes[offset + index] !== text.charCodeAt(index)) return false;
  }
  return true;
}

/** How many leading bytes `sniffImageType` needs to see to recognise every supported type. */
export const imageSniffLength = 4096;

/**
 * Recognises an image by its first bytes (pass at least `imageSniffLength` when the file is that
 * long). Returns null for content that is none of the supported types.
 */
export function sniffImageType(bytes: Uint8Array): LessonImageType | null {
  const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && pngSignature.every((value, index) => bytes[index] === value)) {
    return imageTypes.png;
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return imageTypes.jpeg;
  }
  if (startsWithAscii(bytes, 0, 'GIF87a') || startsWithAscii(bytes, 0, 'GIF89a')) {
    return imageTypes.gif;
  }
  if (startsWithAscii(bytes, 0, 'RIFF') && startsWithAscii(bytes, 8, 'WEBP')) {
    return imageTypes.webp;
  }
  // "BM" alone is too weak (a text file may start with it): also require the reserved zero words.
  if (
    startsWithAscii(bytes, 0, 'BM') &&
    bytes.length >= 14 &&
    bytes[6] === 0 &&
    bytes[7] === 0 &&
    bytes[8] === 0 &&
    bytes[9] === 0
  ) {
    return imageTypes.bmp;
  }
  if (isAvif(bytes)) return imageTypes.avif;
  if (looksLikeSvg(bytes)) return imageTypes.svg;
  return null;
}

/** An ISO-BMFF file whose ftyp box names an AVIF brand (major or compatible). */
function isAvif(bytes: Uint8Array): boolean {
  if (!startsWithAscii(bytes, 4, 'ftyp') || bytes.length < 12) return false;
  const boxSize =
    (((bytes[0] ?? 0) << 24) |
      ((bytes[1] ?? 0) << 16) |
      ((bytes[2] ?? 0) << 8) |
      (bytes[3] ?? 0)) >>>
    0;
  const end = Math.min(boxSize, bytes.length);
  const brandOffsets = [8];
  for (let offset = 16; offset + 4 <= end; offset += 4) brandOffsets.push(offset);
  return brandOffsets.some(
    (offset) => startsWithAscii(bytes, offset, 'avif') || startsWithAscii(bytes, offset, 'avis'),
  );
}

/** SVG is XML text: an `<svg` element must open within the first few kilobytes. */
function looksLikeSvg(bytes: Uint8Array): boolean {
  const limit = Math.min(bytes.length, imageSniffLength);
  let text = '';
  for (let index = 0; index < limit; index += 1) {
    const value = bytes[index] ?? 0;
    // NUL bytes mean binary content, never XML text in UTF-8.
    if (value === 0) return false;
    text += value < 0x80 ? String.fromCharCode(value) : ' ';
  }
  return /<svg[\s>]/.test(text);
}

export type LessonPathCheck =
  | { ok: true; /** Normalised, '/'-separated, never empty. */ path: string }
  | { ok: false; problem: 'empty' | 'absolute' | 'escapes' | 'invalid'; message: string };

/**
 * Checks that an asset path is relative and stays inside the lesson folder, and normalises it
 * ('./slides\\01.png' -> 'slides/01.png'). Both separators count, so a lesson written on Windows
 * opens elsewhere. Symlinks are the file system's business: the lesson store checks those.
 */
export function checkLessonPath(path: string): LessonPathCheck {
  if (path.trim().length === 0) {
    return { ok: false, problem: 'empty', message: 'the path is empty' };
  }
  if (path.includes('\0')) {
    return { ok: false, problem: 'invalid', message: 'the path contains a NUL character' };
  }
  // Leading separators and drive letters ("C:") leave the folder; so do URLs ("file:", "https:").
  if (/^[/\\]/.test(path) || /^[A-Za-z]:/.test(path)) {
    return {
      ok: false,
      problem: 'absolute',
      message: `absolute paths are not allowed (use a path relative to the lesson folder): ${path}`,
    };
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(path)) {
    return {
      ok: false,
      problem: 'absolute',
      message: `URLs are not allowed (copy the file into the lesson folder and use its relative path): ${path}`,
    };
  }
  const segments: string[] = [];
  for (const segment of path.split(/[/\\]/)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) {
        return {
          ok: false,
          problem: 'escapes',
          message: `path escapes the lesson folder: ${path}`,
        };
      }
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  if (segments.length === 0) {
    return {
      ok: false,
      problem: 'empty',
      message: `the path names the lesson folder itself: ${path}`,
    };
  }
  return { ok: true, path: segments.join('/') };
}
