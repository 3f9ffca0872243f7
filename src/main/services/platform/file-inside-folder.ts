import type { FileHandle } from 'node:fs/promises';
import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { checkLessonPath } from '../../../shared/lesson/lesson-paths.ts';
import { err, ok, type Result } from '../../../shared/result.ts';
import { fsErrorCode } from './atomic-write.ts';

/**
 * Reads a file named by a path relative to a folder, only when it really lies inside it: the
 * lesson path rules (relative, no `..`), then the real path (links resolved) must stay inside the
 * real folder, then it must be a regular file (checked before opening: a FIFO would block the
 * open) no larger than `maxBytes`. Size and content come from the one handle that was checked.
 * The lesson's recorded narration is read this way, by the lesson store and by speech alike.
 */
export interface FileInsideFolder {
  /** Real path (symlinks resolved), inside the folder. */
  absolutePath: string;
  /** Normalised, '/'-separated, relative to the folder. */
  relativePath: string;
  sizeBytes: number;
  /** The first `headBytes` bytes, or the whole file when no head size was asked for. */
  bytes: Uint8Array<ArrayBuffer>;
}

export interface ReadInsideOptions {
  /** Names the file in messages ("recorded narration"). */
  what: string;
  maxBytes: number;
  /** Read only this many leading bytes. */
  headBytes?: number;
}

function inside(realDir: string, candidate: string): boolean {
  const rel = relative(realDir, candidate);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

async function readFrom(handle: FileHandle, length: number): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(bytes, filled, length - filled, filled);
    // The file shrank while being read: what exists, not trailing zeros.
    if (bytesRead === 0) return bytes.slice(0, filled);
    filled += bytesRead;
  }
  return bytes;
}

export async function readFileInsideFolder(
  realDir: string,
  path: string,
  options: ReadInsideOptions,
): Promise<Result<FileInsideFolder>> {
  const { what } = options;
  const checked = checkLessonPath(path);
  if (!checked.ok) {
    const outside = checked.problem === 'absolute' || checked.problem === 'escapes';
    return err(outside ? 'path-outside-lesson' : 'invalid-request', `${what}: ${checked.message}`);
  }
  const relativePath = checked.path;
  let absolutePath: string;
  try {
    absolutePath = await realpath(join(realDir, ...relativePath.split('/')));
  } catch (error) {
    const code = fsErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return err('asset-not-found', `${what} not found: ${relativePath}`);
    }
    return err('io-failed', `could not open ${relativePath} (${code ?? 'unknown error'})`);
  }
  if (!inside(realDir, absolutePath)) {
    return err(
      'path-outside-lesson',
      `path escapes the lesson folder: ${relativePath} (it links to a file outside the folder)`,
    );
  }
  let handle: FileHandle;
  try {
    if (!(await stat(absolutePath)).isFile()) {
      return err('invalid-request', `not a file: ${relativePath}`);
    }
    handle = await open(absolutePath, 'r');
  } catch (error) {
    const code = fsErrorCode(error);
    return err('io-failed', `could not open ${relativePath} (${code ?? 'unknown error'})`);
  }
  try {
    const { size } = await handle.stat();
    if (size > options.maxBytes) {
      const mib = (bytes: number) => Math.round(bytes / (1024 * 1024));
      return err(
        'invalid-request',
        `the ${what} is too large (${mib(size)} MiB, at most ${mib(options.maxBytes)} MiB): ${relativePath}`,
      );
    }
    const length = Math.min(size, options.headBytes ?? size);
    const bytes = await readFrom(handle, length);
    const sizeBytes = options.headBytes === undefined ? bytes.length : size;
    return ok({ absolutePath, relativePath, sizeBytes, bytes });
  } catch (error) {
    const code = fsErrorCode(error);
    return err('io-failed', `could not read ${relativePath} (${code ?? 'unknown error'})`);
  } finally {
    await handle.close();
  }
}
