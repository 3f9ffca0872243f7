import type { FileHandle } from 'node:fs/promises';
import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { createLimiter } from '../platform/concurrency.ts';
import { readFileInsideFolder } from '../platform/file-inside-folder.ts';
import {
  maxRecordedNarrationBytes,
  recordedNarrationHeadBytes,
  recordedNarrationLayout,
  recordedNarrationWhat,
} from '../../../shared/speech/recorded-narration.ts';
import type { Result } from '../../../shared/result.ts';
import { err, ok } from '../../../shared/result.ts';
import type { LessonImageType } from '../../../shared/lesson/lesson-paths.ts';
import {
  checkLessonPath,
  extensionOf,
  imageSniffLength,
  imageTypeFromPath,
  lessonImageExtensions,
  sniffImageType,
} from '../../../shared/lesson/lesson-paths.ts';

/**
 * Slide images open at once, process-wide: every caller (loading, saving, importing, the page's
 * asset reads, which come a thousand at once when an editor shows a long lesson) waits its turn,
 * so a big lesson stays far below the descriptor limit.
 */
const imageFilesAtOnce = createLimiter(32);

/** Slides are screen images; anything larger is a mistake, and reading it would stall the app. */
export const maxLessonImageBytes = 100 * 1024 * 1024;

export interface LessonImage {
  /** Real path (symlinks resolved), inside the lesson folder. */
  absolutePath: string;
  /** Normalised, '/'-separated, relative to the lesson folder. */
  relativePath: string;
  /** Taken from the content, which the decoder also goes by; the extension only has to be one we draw. */
  type: LessonImageType;
  sizeBytes: number;
}

/** Whether `candidate` (a real path) lies strictly inside `realDir`. */
export function isInsideDirectory(realDir: string, candidate: string): boolean {
  const rel = relative(realDir, candidate);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function fsErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    return typeof error.code === 'string' ? error.code : undefined;
  }
  return undefined;
}

/** Resolves a slide image inside the real lesson folder and checks the renderer can draw it. */
export async function inspectLessonImage(
  realLessonDir: string,
  assetPath: string,
): Promise<Result<LessonImage>> {
  const inspected = await imageFilesAtOnce(() => examine(realLessonDir, assetPath, 'head'));
  return inspected.ok ? ok(inspected.value.image) : inspected;
}

/** As inspectLessonImage, and returns the bytes, read from the same handle that was checked. */
export async function readLessonImage(
  realLessonDir: string,
  assetPath: string,
): Promise<Result<{ image: LessonImage; bytes: Uint8Array<ArrayBuffer> }>> {
  const inspected = await imageFilesAtOnce(() => examine(realLessonDir, assetPath, 'all'));
  if (!inspected.ok) return inspected;
  const { image, bytes } = inspected.value;
  return bytes === null ? err('internal', 'image bytes were not read') : ok({ image, bytes });
}

async function examine(
  realLessonDir: string,
  assetPath: string,
  read: 'head' | 'all',
): Promise<Result<{ image: LessonImage; bytes: Uint8Array<ArrayBuffer> | null }>> {
  const checked = checkLessonPath(assetPath);
  if (!checked.ok) {
    const outside = checked.problem === 'absolute' || checked.problem === 'escapes';
    return err(outside ? 'path-outside-lesson' : 'invalid-request', checked.message);
  }
  const relativePath = checked.path;
  const promised = imageTypeFromPath(relativePath);
  if (promised === null) {
    const extension = extensionOf(relativePath);
    const named = extension.length > 0 ? `".${extension}"` : '(no file extension)';
    return err(
      'invalid-request',
      `unsupported image type ${named}: ${relativePath} (supported: ${lessonImageExtensions.join(', ')})`,
    );
  }

  let realFile: string;
  try {
    realFile = await realpath(join(realLessonDir, ...relativePath.split('/')));
  } catch (error) {
    const code = fsErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return err('asset-not-found', `file not found: ${relativePath}`);
    }
    return err('io-failed', `could not open ${relativePath} (${code ?? 'unknown error'})`);
  }
  if (!isInsideDirectory(realLessonDir, realFile)) {
    return err(
      'path-outside-lesson',
      `path escapes the lesson folder: ${relativePath} (it links to a file outside the folder)`,
    );
  }

  let handle: FileHandle;
  try {
    // Checked before opening: opening a FIFO named like an image would block until a writer came.
    if (!(await stat(realFile)).isFile())
      return err('invalid-request', `not a file: ${relativePath}`);
    handle = await open(realFile, 'r');
  } catch (error) {
    const code = fsErrorCode(error);
    return err('io-failed', `could not open ${relativePath} (${code ?? 'unknown error'})`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return err('invalid-request', `not a file: ${relativePath}`);
    if (stats.size === 0) return err('invalid-request', `the image file is empty: ${relativePath}`);
    if (stats.size > maxLessonImageBytes) {
      const sizeMiB = Math.round(stats.size / (1024 * 1024));
      return err(
        'invalid-request',
        `the image is too large (${sizeMiB} MiB, at most ${maxLessonImageBytes / (1024 * 1024)} MiB): ${relativePath}`,
      );
    }
    let bytes: Uint8Array<ArrayBuffer> | null = null;
    let head: Uint8Array;
    if (read === 'all') {
      bytes = await readWhole(handle, stats.size);
      head = bytes.subarray(0, imageSniffLength);
    } else {
      const buffer = new Uint8Array(Math.min(imageSniffLength, stats.size));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      head = buffer.subarray(0, bytesRead);
    }
    const actual = sniffImageType(head);
    if (actual === null) {
      const what = promised.raster ? `${promised.kind.toUpperCase()} image` : 'SVG image';
      return err(
        'invalid-request',
        `not a readable image: ${relativePath} is not a ${what} (its content matches no supported image type)`,
      );
    }
    const image: LessonImage = {
      absolutePath: realFile,
      relativePath,
      type: actual,
      sizeBytes: stats.size,
    };
    return ok({ image, bytes });
  } catch (error) {
    const code = fsErrorCode(error);
    return err('io-failed', `could not read ${relativePath} (${code ?? 'unknown error'})`);
  } finally {
    await handle.close();
  }
}

/** Reads exactly `sizeBytes` into a fresh ArrayBuffer (transferable over IPC without a copy). */
async function readWhole(handle: FileHandle, sizeBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = new Uint8Array(sizeBytes);
  let filled = 0;
  while (filled < sizeBytes) {
    const { bytesRead } = await handle.read(bytes, filled, sizeBytes - filled, filled);
    // The file shrank while being read: return what exists rather than trailing zeros.
    if (bytesRead === 0) return bytes.slice(0, filled);
    filled += bytesRead;
  }
  return bytes;
}

/**
 * Checks a slide's recorded narration as loading and saving check its image: inside the real
 * lesson folder (links included), a regular file, a WAV the speech reader takes (its header
 * only is read here; speech reads and checks the whole file before use).
 */
export async function inspectRecordedNarration(
  realLessonDir: string,
  audioPath: string,
): Promise<Result<{ relativePath: string; durationMs: number }>> {
  const head = await imageFilesAtOnce(() =>
    readFileInsideFolder(realLessonDir, audioPath, {
      what: recordedNarrationWhat,
      maxBytes: maxRecordedNarrationBytes,
      headBytes: recordedNarrationHeadBytes,
    }),
  );
  if (!head.ok) return head;
  const { bytes, sizeBytes, relativePath } = head.value;
  const layout = recordedNarrationLayout(bytes, sizeBytes, relativePath);
  return layout.ok ? ok({ relativePath, durationMs: layout.value.durationMs }) : layout;
}
