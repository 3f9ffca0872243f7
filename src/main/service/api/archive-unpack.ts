import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  ZipArchive,
  ZipFormatError,
  type ZipEntry,
} from '../../services/lesson/pptx/zip-reader.ts';

/**
 * An uploaded lesson archive unpacked into a fresh folder, with nothing an archive can do to the
 * machine beyond that folder: every entry name is checked before anything is written (no
 * absolute path, no drive letter, no `..`, no backslash, no control character), symlinks and
 * other special files are refused, and the entry count and the inflated bytes are capped (the
 * PPTX import's ZIP reader inflates each entry with an output limit, so a bomb stops there).
 * Files are created exclusively ('wx'): two entries can never write one path.
 */
export interface ArchiveLimits {
  maxEntries: number;
  /** Uncompressed bytes of all entries together. */
  maxTotalBytes: number;
}

export const defaultArchiveLimits: ArchiveLimits = {
  maxEntries: 5000,
  maxTotalBytes: 1024 * 1024 * 1024,
};

export class ArchiveRefused extends Error {
  override name = 'ArchiveRefused';
}

const unixHost = 3;
const fileTypeMask = 0o170000;
const regularFile = 0o100000;
const directoryType = 0o040000;

/** The entry's path segments, or why the name is refused. */
export function entrySegments(name: string): string[] | string {
  if (name.length === 0 || name.length > 1024) return 'an entry has an empty or overlong name';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f\\]/.test(name))
    return 'an entry name holds a control character or "\\"';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'an entry has an absolute path';
  const segments = name.split('/').filter((segment, index, all) => {
    // A directory entry ends with "/"; any other empty segment ("a//b") is refused below.
    return !(segment === '' && index === all.length - 1);
  });
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') {
      return 'an entry name holds an empty, "." or ".." segment';
    }
  }
  return segments;
}

function kindOf(entry: ZipEntry): 'file' | 'directory' | 'special' {
  const isDirectoryName = entry.name.endsWith('/');
  if (entry.madeBy >> 8 === unixHost) {
    const type = (entry.externalAttributes >>> 16) & fileTypeMask;
    if (type === directoryType) return 'directory';
    if (type !== 0 && type !== regularFile) return 'special';
  }
  return isDirectoryName ? 'directory' : 'file';
}

/** Checks the whole directory first: nothing is written for an archive that will be refused. */
function plan(
  archive: ZipArchive,
  limits: ArchiveLimits,
): { files: { entry: ZipEntry; path: string[] }[]; directories: string[][] } {
  if (archive.entries.length > limits.maxEntries) {
    throw new ArchiveRefused(
      `the archive has ${archive.entries.length} entries, more than ${limits.maxEntries}`,
    );
  }
  const files: { entry: ZipEntry; path: string[] }[] = [];
  const directories: string[][] = [];
  let total = 0;
  for (const entry of archive.entries) {
    const segments = entrySegments(entry.name);
    if (typeof segments === 'string') throw new ArchiveRefused(segments);
    const kind = kindOf(entry);
    if (kind === 'special') {
      throw new ArchiveRefused('the archive holds a symlink or another special file');
    }
    if (entry.flags & 0x1) throw new ArchiveRefused('the archive holds an encrypted entry');
    if (kind === 'directory') {
      directories.push(segments);
      continue;
    }
    total += entry.size;
    if (total > limits.maxTotalBytes) {
      throw new ArchiveRefused(`the archive unpacks to more than ${limits.maxTotalBytes} bytes`);
    }
    files.push({ entry, path: segments });
  }
  return { files, directories };
}

/**
 * Unpacks `bytes` into `targetDir` (which must not exist yet, or be empty). Throws
 * ArchiveRefused for an archive refused by these rules or a damaged one (the reader's
 * ZipFormatError, re-thrown as a refusal).
 */
export async function unpackArchive(
  bytes: Uint8Array,
  targetDir: string,
  limits: ArchiveLimits = defaultArchiveLimits,
): Promise<{ files: number; bytes: number }> {
  let archive: ZipArchive;
  try {
    archive = ZipArchive.open(bytes, {
      maxEntries: limits.maxEntries,
      maxEntryBytes: limits.maxTotalBytes,
      maxTotalBytes: limits.maxTotalBytes,
    });
  } catch (error) {
    throw refusal(error);
  }
  const { files, directories } = plan(archive, limits);
  await mkdir(targetDir, { recursive: true });
  let written = 0;
  try {
    for (const segments of directories) {
      await mkdir(join(targetDir, ...segments), { recursive: true });
    }
    for (const { entry, path } of files) {
      const content = archive.read(entry.name);
      const target = join(targetDir, ...path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content, { flag: 'wx', mode: 0o644 });
      written += content.byteLength;
    }
  } catch (error) {
    throw refusal(error);
  }
  return { files: files.length, bytes: written };
}

/** Entries that collide ("a" a file and "a/b" too) surface as these from the file system. */
const collisionCodes = new Set(['EEXIST', 'ENOTDIR', 'EISDIR']);

function refusal(error: unknown): Error {
  if (error instanceof ZipFormatError) return new ArchiveRefused(error.message);
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (collisionCodes.has(code)) {
    return new ArchiveRefused('two entries of the archive name the same path');
  }
  return error instanceof Error ? error : new Error(String(error));
}
