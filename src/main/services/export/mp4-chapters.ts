import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { formatWebVtt } from '../../../shared/captions/caption-cues.ts';
import { err, errorMessage, ok } from '../../../shared/result.ts';
import type { Result } from '../../../shared/result.ts';
import { isWhiteSpace } from '../../../shared/text/text-edges.ts';

export interface Mp4Chapter {
  startMs: number;
  title: string;
}

export interface ChplBox {
  /** The whole `chpl` box, header included. */
  bytes: Uint8Array;
  chapterCount: number;
  /** True when chapters past the 255th were left out (the count is one byte). */
  truncated: boolean;
}

/** The chapter count in `chpl` is a single byte. */
export const maxChplChapters = 255;
/** Each title is a Pascal string: one length byte, then UTF-8. */
export const maxChplTitleBytes = 255;
/** `chpl` start times are in 100 ns units (FFmpeg reads them with a 1/10,000,000 time base). */
const chplUnitsPerMs = 10_000;
/** A moov holds sample tables, a few MB even for hours of video; more means a broken file. */
const maxMoovBytes = 256 * 1024 * 1024;

const utf8 = new TextEncoder();

/** Problems with a chapter list, one line each; empty when it is usable. */
export function chapterProblems(chapters: readonly Mp4Chapter[]): string[] {
  const problems: string[] = [];
  let previousMs = 0;
  chapters.forEach((chapter, index) => {
    const label = `chapter ${index + 1} ("${chapter.title}")`;
    if (!Number.isFinite(chapter.startMs) || chapter.startMs < 0) {
      problems.push(`${label} starts at ${String(chapter.startMs)} ms; need a finite time >= 0`);
      return;
    }
    if (chapter.startMs < previousMs) {
      problems.push(`${label} starts at ${chapter.startMs} ms, before the chapter ahead of it`);
    }
    previousMs = chapter.startMs;
  });
  return problems;
}

/**
 * Players show a chapter title on one line: each run of white space holding a line break becomes
 * one space, then the ends are trimmed. Walked once; it replaces the pattern
 * "\s* [\r\n]+ \s*" (global, without the spaces), which was quadratic on a long run of spaces
 * without a line break.
 */
export function oneLine(title: string): string {
  let out = '';
  let index = 0;
  while (index < title.length) {
    const char = title.charAt(index);
    if (!isWhiteSpace(char)) {
      out += char;
      index += 1;
      continue;
    }
    let end = index;
    let breaks = false;
    while (end < title.length && isWhiteSpace(title.charAt(end))) {
      const code = title.charCodeAt(end);
      if (code === 0x0a || code === 0x0d) breaks = true;
      end += 1;
    }
    out += breaks ? ' ' : title.slice(index, end);
    index = end;
  }
  return out.trim();
}

/** UTF-8 bytes of `text`, cut to at most `maxBytes` without splitting a code point. */
export function utf8Truncated(text: string, maxBytes: number): Uint8Array {
  const bytes = utf8.encode(text);
  if (bytes.length <= maxBytes) return bytes;
  let end = maxBytes;
  // 0b10xxxxxx is a continuation byte: the cut would fall inside a code point.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end);
}

function boxHeader(type: string, size: number): Uint8Array {
  const header = new Uint8Array(8);
  new DataView(header.buffer).setUint32(0, size);
  header.set(utf8.encode(type), 4);
  return header;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A box of `type` around `payload`, with a 64-bit size only when 32 bits cannot hold it. */
function box(type: string, payload: readonly Uint8Array[]): Uint8Array {
  const payloadSize = payload.reduce((sum, part) => sum + part.length, 0);
  if (8 + payloadSize <= 0xffff_ffff) return concat([boxHeader(type, 8 + payloadSize), ...payload]);
  const header = new Uint8Array(16);
  const view = new DataView(header.buffer);
  view.setUint32(0, 1);
  header.set(utf8.encode(type), 4);
  view.setBigUint64(8, BigInt(16 + payloadSize));
  return concat([header, ...payload]);
}

/**
 * The Nero chapter box as FFmpeg writes it (mov_write_chpl_tag) and reads it (mov_read_chpl):
 * version 1, flags 0, 4 reserved bytes, a count byte, then per chapter a 64-bit start in 100 ns
 * units and a length-prefixed UTF-8 title.
 */
export function chplBox(chapters: readonly Mp4Chapter[]): Result<ChplBox> {
  const problems = chapterProblems(chapters);
  if (problems.length > 0) {
    return err('export-failed', 'The chapter list cannot be written.', { details: problems });
  }
  const kept = chapters.slice(0, maxChplChapters);
  const parts: Uint8Array[] = [new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, kept.length])];
  for (const chapter of kept) {
    const title = utf8Truncated(oneLine(chapter.title), maxChplTitleBytes);
    const entry = new Uint8Array(9 + title.length);
    const view = new DataView(entry.buffer);
    view.setBigUint64(0, BigInt(Math.round(chapter.startMs * chplUnitsPerMs)));
    view.setUint8(8, title.length);
    entry.set(title, 9);
    parts.push(entry);
  }
  return ok({
    bytes: box('chpl', parts),
    chapterCount: kept.length,
    truncated: chapters.length > kept.length,
  });
}

export interface BoxSpan {
  type: string;
  /** Offset of the box's first header byte. */
  offset: number;
  headerSize: number;
  /** Whole box, header included. */
  size: number;
}

/**
 * Reads one box header at `offset` in `bytes`, where the enclosing box (or file) ends at `end`.
 * Size 1 means a 64-bit size follows; size 0 means "to the end of the parent". Messages name
 * `fileOffset`, for callers holding only the header bytes of a box further into a file.
 */
export function readBoxHeader(
  bytes: Uint8Array,
  offset: number,
  end: number,
  fileOffset = offset,
): Result<BoxSpan> {
  if (end - offset < 8) {
    return err('export-failed', `The box header at byte ${fileOffset} is cut short.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
  let size = view.getUint32(offset);
  let headerSize = 8;
  if (size === 1) {
    if (end - offset < 16) {
      return err(
        'export-failed',
        `The 64-bit size of "${type}" at byte ${fileOffset} is cut short.`,
      );
    }
    size = Number(view.getBigUint64(offset + 8));
    headerSize = 16;
  } else if (size === 0) {
    size = end - offset;
  }
  if (size < headerSize || offset + size > end) {
    return err(
      'export-failed',
      `Box "${type}" at byte ${fileOffset} claims ${size} bytes, but only ${end - offset} are left in its parent.`,
    );
  }
  return ok({ type, offset, headerSize, size });
}

/** The child boxes of a container occupying `bytes[start, end)`. */
function childBoxes(bytes: Uint8Array, start: number, end: number): Result<BoxSpan[]> {
  const children: BoxSpan[] = [];
  let offset = start;
  while (offset < end) {
    const header = readBoxHeader(bytes, offset, end);
    if (!header.ok) return header;
    children.push(header.value);
    offset += header.value.size;
  }
  return ok(children);
}

function slice(bytes: Uint8Array, span: BoxSpan): Uint8Array {
  return bytes.subarray(span.offset, span.offset + span.size);
}

/**
 * A copy of `moov` (the whole box) whose `udta` holds `chpl` in place of any earlier `chpl`,
 * or, with `chpl` null, has none. Other boxes are copied byte for byte; `udta` and `moov` get new
 * sizes. Without a `udta`, one is appended to the end of moov.
 */
export function withChapters(moov: Uint8Array, chpl: Uint8Array | null): Result<Uint8Array> {
  const moovHeader = readBoxHeader(moov, 0, moov.length);
  if (!moovHeader.ok) return moovHeader;
  if (moovHeader.value.type !== 'moov' || moovHeader.value.size !== moov.length) {
    return err('export-failed', 'The bytes given are not one whole moov box.');
  }
  const children = childBoxes(moov, moovHeader.value.headerSize, moov.length);
  if (!children.ok) return children;

  const udtaIndex = children.value.findIndex((child) => child.type === 'udta');
  const moovPayload = children.value.map((child) => slice(moov, child));
  const udta = children.value[udtaIndex];
  if (udta === undefined) {
    if (chpl === null) return ok(moov.slice());
    return ok(box('moov', [...moovPayload, box('udta', [chpl])]));
  }

  const udtaChildren = childBoxes(moov, udta.offset + udta.headerSize, udta.offset + udta.size);
  if (!udtaChildren.ok) return udtaChildren;
  const kept = udtaChildren.value.filter((child) => child.type !== 'chpl');
  const udtaPayload = kept.map((child) => slice(moov, child));
  // An existing chpl keeps its place among its siblings; a new one goes last, as FFmpeg puts it.
  const firstChplIndex = udtaChildren.value.findIndex((child) => child.type === 'chpl');
  if (chpl !== null) {
    udtaPayload.splice(firstChplIndex === -1 ? udtaPayload.length : firstChplIndex, 0, chpl);
  }
  moovPayload[udtaIndex] = box('udta', udtaPayload);
  return ok(box('moov', moovPayload));
}

async function readExactly(
  handle: FileHandle,
  length: number,
  position: number,
): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/** The top-level boxes of a file, read header by header; the mdat payload is never read. */
async function topLevelBoxes(handle: FileHandle, fileSize: number): Promise<Result<BoxSpan[]>> {
  const boxes: BoxSpan[] = [];
  let offset = 0;
  while (offset < fileSize) {
    const headerBytes = await readExactly(handle, Math.min(16, fileSize - offset), offset);
    const header = readBoxHeader(headerBytes, 0, fileSize - offset, offset);
    if (!header.ok) return header;
    boxes.push({ ...header.value, offset });
    offset += header.value.size;
  }
  return ok(boxes);
}

/**
 * Rewrites the moov box of an MP4 whose moov box is the last top-level box, through `rewrite`.
 * Only moov is rewritten, at its own offset, so no chunk offset into mdat changes. The file is
 * changed in place: a crash during the final write can leave the moov damaged.
 */
async function rewriteMoov(
  path: string,
  what: string,
  rewrite: (moov: Uint8Array) => Result<Uint8Array>,
): Promise<Result<void>> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    return err('export-failed', `Cannot open ${path} to ${what}: ${errorMessage(error)}`);
  }
  try {
    const moov = await lastMoov(handle, path, what);
    if (!moov.ok) return moov;
    const moovBytes = await readExactly(handle, moov.value.size, moov.value.offset);
    const updated = rewrite(moovBytes);
    if (!updated.ok) {
      return err('export-failed', `Cannot ${what} in ${path}: ${updated.error.message}`);
    }
    await handle.write(updated.value, 0, updated.value.length, moov.value.offset);
    await handle.truncate(moov.value.offset + updated.value.length);
    await handle.sync();
    return ok(undefined);
  } catch (error) {
    return err('export-failed', `Cannot ${what} in ${path}: ${errorMessage(error)}`);
  } finally {
    await handle.close();
  }
}

/** The moov box of a file where it is the last top-level box (as the exporter writes it). */
async function lastMoov(handle: FileHandle, path: string, what: string): Promise<Result<BoxSpan>> {
  const fileSize = (await handle.stat()).size;
  const boxes = await topLevelBoxes(handle, fileSize);
  if (!boxes.ok) {
    return err('export-failed', `Cannot ${what} in ${path}: ${boxes.error.message}`);
  }
  const moovIndex = boxes.value.findIndex((b) => b.type === 'moov');
  const moov = boxes.value[moovIndex];
  if (moov === undefined) {
    return err('export-failed', `Cannot ${what} in ${path}: it has no moov box.`, {
      hint: 'The recording may not have been finalised.',
    });
  }
  if (moovIndex !== boxes.value.length - 1) {
    const after = boxes.value.slice(moovIndex + 1).map((b) => b.type);
    return err(
      'export-failed',
      `Cannot ${what} in ${path}: its moov box is not the last box (followed by ${after.join(', ')}).`,
      {
        hint: 'Chapters are added before any fast-start rewrite; write the MP4 with fastStart: false.',
      },
    );
  }
  if (moov.size > maxMoovBytes) {
    return err('export-failed', `Cannot ${what} in ${path}: its moov box is ${moov.size} bytes.`);
  }
  return ok(moov);
}

/**
 * Adds Nero chapters (moov/udta/chpl) to an MP4 whose moov box is the last top-level box.
 * Only moov is rewritten, at its own offset, so no chunk offset into mdat changes. The file is
 * changed in place: a crash during the final write can leave the moov damaged.
 */
export async function addMp4Chapters(
  path: string,
  chapters: readonly Mp4Chapter[],
): Promise<Result<{ chapterCount: number; truncated: boolean }>> {
  const chpl = chplBox(chapters);
  if (!chpl.ok) {
    return err('export-failed', `Cannot add chapters to ${path}: the chapter list is invalid.`, {
      details: chpl.error.details ?? [],
    });
  }
  const written = await rewriteMoov(path, 'add chapters', (moov) =>
    withChapters(moov, chpl.value.bytes),
  );
  if (!written.ok) return written;
  return ok({ chapterCount: chpl.value.chapterCount, truncated: chpl.value.truncated });
}

/** The `chpl` box (header included) in a whole moov box, or null when it has none. */
export function chplOf(moov: Uint8Array): Result<Uint8Array | null> {
  const moovHeader = readBoxHeader(moov, 0, moov.length);
  if (!moovHeader.ok) return moovHeader;
  const children = childBoxes(moov, moovHeader.value.headerSize, moov.length);
  if (!children.ok) return children;
  const udta = children.value.find((child) => child.type === 'udta');
  if (udta === undefined) return ok(null);
  const udtaChildren = childBoxes(moov, udta.offset + udta.headerSize, udta.offset + udta.size);
  if (!udtaChildren.ok) return udtaChildren;
  const chpl = udtaChildren.value.find((child) => child.type === 'chpl');
  return ok(chpl === undefined ? null : slice(moov, chpl).slice());
}

/**
 * Copies the chapters of one MP4 into another, byte for byte (a split render's join takes the
 * whole lesson's chapters from its audio part): no time is converted, so none is rounded.
 */
export async function copyMp4Chapters(
  fromPath: string,
  toPath: string,
): Promise<Result<{ copied: boolean }>> {
  let handle: FileHandle;
  try {
    handle = await open(fromPath, 'r');
  } catch (error) {
    return err('export-failed', `Cannot open ${fromPath} to read chapters: ${errorMessage(error)}`);
  }
  let chpl: Result<Uint8Array | null>;
  try {
    const moov = await lastMoov(handle, fromPath, 'read chapters');
    if (!moov.ok) return moov;
    chpl = chplOf(await readExactly(handle, moov.value.size, moov.value.offset));
  } finally {
    await handle.close();
  }
  if (!chpl.ok) return chpl;
  const bytes = chpl.value;
  if (bytes === null) return ok({ copied: false });
  const written = await rewriteMoov(toPath, 'copy chapters', (moov) => withChapters(moov, bytes));
  return written.ok ? ok({ copied: true }) : written;
}

/**
 * A WebVTT chapters file for `<track kind="chapters">`: one cue per chapter, from its start to
 * the next chapter's start (the last to `totalMs`). Throws RangeError for a list that
 * `chapterProblems` rejects, since callers validate first.
 */
export function chaptersWebVtt(chapters: readonly Mp4Chapter[], totalMs: number): string {
  const problems = chapterProblems(chapters);
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  return formatWebVtt(
    chapters.map((chapter, index) => ({
      startMs: chapter.startMs,
      endMs: Math.max(chapter.startMs, chapters[index + 1]?.startMs ?? totalMs),
      // A chapter menu shows one line; an arrow reads better than the escaped "--&gt;".
      text: oneLine(chapter.title).replaceAll('-->', '\u2192'),
    })),
  );
}
