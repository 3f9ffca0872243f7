import { createHash } from 'node:crypto';
import { access, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { isMissingFile, temporaryPathFor, writeFileAtomic } from './atomic-write.ts';

/**
 * One content-addressed disk cache: an entry is a file named by a SHA-256 of everything that
 * shapes it, so unchanged inputs never need the work again and changed ones never get a stale
 * answer. What is inside an entry (and how it is checked) is the owner's format: the speech
 * cache and the avatar-segment cache each build theirs on this.
 *
 * Safe with concurrent writers, in this process or in others sharing the folder (render
 * workers): each writer fills its own uniquely named temporary file and renames it into place,
 * so readers never see a partial entry. Two writers of one key both hold complete entries of the
 * same inputs; the last rename wins. A reader that opened an entry keeps reading the file it
 * opened even if a writer replaces it meanwhile. A crash leaves at most a stray temporary file,
 * which no reader opens.
 *
 * Nothing is evicted: entries are small next to what they save (a GPU render, a paid voice),
 * and the user clears the folder.
 */

/** JSON with object keys sorted at every level, so key order never changes a hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const encoded = JSON.stringify(value);
    if (typeof encoded !== 'string') throw new TypeError(`cannot encode ${typeof value}`);
    return encoded;
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/** Lower-case hex SHA-256 of `material` as canonical JSON. Pure: same inputs, same key. */
export function contentKey(material: unknown): string {
  return createHash('sha256').update(canonicalJson(material), 'utf8').digest('hex');
}

const keyPattern = /^[0-9a-f]{64}$/;

/** Whether `key` could name an entry (64 lower-case hex digits); anything else is refused. */
export function isContentKey(key: string): boolean {
  return keyPattern.test(key);
}

/** An entry being written: nothing is visible under its key until `commit`. */
export interface ContentCacheEntryWriter {
  /** The writer's own temporary file, opened for writing at any position. */
  readonly handle: FileHandle;
  /** Flushes, closes and renames the file into place. Throws the file system's error. */
  commit(): Promise<void>;
  /** Closes and deletes the temporary file. Never throws. */
  abort(): Promise<void>;
}

export interface ContentCache {
  readonly directory: string;
  /** Where the entry of `key` lives (whether or not it exists). */
  pathOf(key: string): string;
  /** The whole entry, or undefined where there is none. Other read errors are thrown. */
  read(key: string): Promise<Buffer | undefined>;
  /** The entry opened for reading, or undefined where there is none. Other errors are thrown. */
  open(key: string): Promise<FileHandle | undefined>;
  /** Writes a whole entry atomically; the folder is created on first use. Throws on failure. */
  write(key: string, bytes: Uint8Array): Promise<void>;
  /** Starts an entry written piece by piece (frames as they arrive). Throws on failure. */
  beginWrite(key: string): Promise<ContentCacheEntryWriter>;
  /** Whether an entry exists (not verified). */
  has(key: string): Promise<boolean>;
  /** Deletes an entry (one found damaged), so the next write replaces it. Never throws. */
  remove(key: string): Promise<void>;
}

/**
 * A cache in `directory` whose entries are `<key>.<extension>`. Keys must pass `isContentKey`
 * (callers check first; a bad key here is a programming error and throws).
 */
export function createContentCache(options: {
  directory: string;
  extension: string;
}): ContentCache {
  const { directory, extension } = options;

  function pathOf(key: string): string {
    if (!isContentKey(key)) throw new RangeError(`not a content key: ${key}`);
    return join(directory, `${key}.${extension}`);
  }

  async function read(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(pathOf(key));
    } catch (error) {
      if (isMissingFile(error)) return undefined;
      throw error;
    }
  }

  async function openEntry(key: string): Promise<FileHandle | undefined> {
    try {
      return await open(pathOf(key), 'r');
    } catch (error) {
      if (isMissingFile(error)) return undefined;
      throw error;
    }
  }

  async function write(key: string, bytes: Uint8Array): Promise<void> {
    const path = pathOf(key);
    await mkdir(directory, { recursive: true });
    await writeFileAtomic(path, bytes);
  }

  async function beginWrite(key: string): Promise<ContentCacheEntryWriter> {
    const path = pathOf(key);
    await mkdir(directory, { recursive: true });
    const temporary = temporaryPathFor(path);
    const handle = await open(temporary, 'wx');
    let closed = false;
    async function close(): Promise<void> {
      if (closed) return;
      closed = true;
      await handle.close();
    }
    return {
      handle,
      async commit() {
        try {
          await handle.sync();
          await close();
          await rename(temporary, path);
        } catch (error) {
          await close().catch(() => undefined);
          await rm(temporary, { force: true }).catch(() => undefined);
          throw error;
        }
      },
      async abort() {
        await close().catch(() => undefined);
        await rm(temporary, { force: true }).catch(() => undefined);
      },
    };
  }

  async function has(key: string): Promise<boolean> {
    try {
      await access(pathOf(key));
      return true;
    } catch {
      return false;
    }
  }

  async function remove(key: string): Promise<void> {
    await rm(pathOf(key), { force: true }).catch(() => undefined);
  }

  return { directory, pathOf, read, open: openEntry, write, beginWrite, has, remove };
}
