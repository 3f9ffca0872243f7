import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Result } from '../../../shared/result.ts';
import { err, ok } from '../../../shared/result.ts';
import { fsErrorCode } from '../platform/atomic-write.ts';

/**
 * The folders the page may name. A page can be compromised (it parses PDFs, images, lessons), so
 * a path it sends is never trusted on its own: main touches only folders the user chose through
 * main (its folder dialog, the command line, the recent list main keeps, the built-in sample, a
 * configured folder) and what lies inside them. Paths are compared as real paths, so a link
 * inside a chosen folder that leads out of it is refused like the path it leads to.
 */
export interface FolderGrants {
  /** The user chose this folder (or file) through main; it and everything inside may be used. */
  grant(path: string): Promise<void>;
  /**
   * The real path of `path` when it is, or lies inside, a granted folder; a path that does not
   * exist yet (a new lesson folder) is judged by its nearest existing parent. `what` names the
   * path in the error ("the lesson folder").
   */
  allow(path: string, what: string): Promise<Result<string>>;
  /** Main opened (loaded, imported or saved) the lesson in this real folder. */
  opened(realDir: string): void;
  /** The real folder when main opened a lesson there; only those lessons' assets are read. */
  openedLesson(dir: string): Promise<Result<string>>;
}

export interface FolderGrantsOptions {
  /** Granted too, asked at each check: the recent list, which main writes only for granted folders. */
  alsoGranted?: () => Promise<readonly string[]>;
  /** Asks the user in main's own UI about a path outside them (desktop); yes grants it. */
  confirm?: (path: string, what: string) => Promise<boolean>;
}

/** Whether `candidate` is `root` or lies inside it (both real, absolute paths). */
export function isSameOrInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The real path of `path`; for a path not made yet, its nearest existing parent's real path. */
export async function realPathOrParent(path: string): Promise<string> {
  const absolute = resolve(path);
  const missing: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch (error) {
      const code = fsErrorCode(error);
      const parent = dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) throw error;
      missing.push(basename(current));
      current = parent;
    }
  }
}

export function createFolderGrants(options: FolderGrantsOptions = {}): FolderGrants {
  const granted = new Set<string>();
  const openedLessons = new Set<string>();

  async function realOrNull(path: string): Promise<string | null> {
    try {
      return await realPathOrParent(path);
    } catch {
      return null;
    }
  }

  async function roots(): Promise<string[]> {
    const extra = options.alsoGranted ? await options.alsoGranted() : [];
    const real = await Promise.all(extra.map((dir) => realOrNull(dir)));
    return [...granted, ...real.filter((dir): dir is string => dir !== null)];
  }

  return {
    async grant(path) {
      const real = await realOrNull(path);
      if (real !== null) granted.add(real);
    },
    async allow(path, what) {
      const real = await realOrNull(path);
      if (real !== null && (await roots()).some((root) => isSameOrInside(root, real))) {
        return ok(real);
      }
      if (real !== null && options.confirm && (await options.confirm(real, what))) {
        granted.add(real);
        return ok(real);
      }
      return err('path-not-chosen', `${what} ${path} is not in a folder you chose`, {
        hint: 'Rapido uses only folders chosen with its folder picker, given on the command line, in the recent list, or set in RAPIDO_FOLDERS (headless): choose the folder first.',
      });
    },
    opened(realDir) {
      openedLessons.add(realDir);
    },
    async openedLesson(dir) {
      const real = await realOrNull(dir);
      if (real !== null && openedLessons.has(real)) return ok(real);
      return err('path-not-chosen', `no lesson is open at ${dir}`, {
        hint: 'Assets are read only from lessons opened in Rapido; open the lesson first.',
      });
    },
  };
}
