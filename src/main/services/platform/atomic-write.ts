import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * The one way the main process replaces a file: every settings file, lesson.json, secret and
 * cache entry goes through here, so no reader ever sees half a file.
 */

/**
 * A name beside `path` that no other writer uses (process id and random bytes), so concurrent
 * writers of one path, in this process or another, never write into each other's file. Hidden
 * (leading dot) because it may sit in a user's lesson folder; readers never open it.
 */
export function temporaryPathFor(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`,
  );
}

/** Creates `path` (it must not exist), writes `data` and flushes it to disk. */
export async function writeNewFileDurably(path: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `data`: written to a uniquely named temporary file beside it, flushed,
 * then renamed over it, so a crash leaves either the old file or the new one, never half of each,
 * and readers see the old file or the whole new one. Throws the file system's error (the caller
 * words it for the user); the temporary file never stays behind.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = temporaryPathFor(path);
  try {
    await writeNewFileDurably(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** The `code` of a Node file system error (ENOENT, EEXIST…), if it has one. */
export function fsErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    return typeof error.code === 'string' ? error.code : undefined;
  }
  return undefined;
}

export function isMissingFile(error: unknown): boolean {
  return fsErrorCode(error) === 'ENOENT';
}
