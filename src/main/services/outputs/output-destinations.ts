import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { err, ok, type Result } from '../../../shared/result.ts';
import type { Logger } from '../logging/logger.ts';

/**
 * Where recordings and exports may be written, decided in main only. The page never names a
 * path: it records into the recordings folder (chosen in a main-side dialog, or given by the
 * environment or command line), where main makes the file name, or it holds an opaque id for a
 * path main registered from a trusted source (the CLI's `--out`). A compromised renderer can at
 * worst add a new file to the recordings folder.
 */
export interface OutputDestinations {
  /** Registers a path main trusts and returns the page's handle for it: random, single use. */
  register(path: string): string;
  /** The path behind an id, once; an unknown or used id (or anything else) is refused. */
  take(id: string): Result<string>;
  /** The recordings folder: where recordings and exports go when no destination id is given. */
  folder(): string;
  /** The user chose another folder in a main-side dialog: remembered for the next start. */
  setFolder(dir: string): Promise<Result<string>>;
  /** A recording or export main finished writing: the page may ask to show it. */
  noteWritten(path: string): void;
  /** Whether main wrote this file in this session (the only files the page may have shown). */
  wasWritten(path: string): boolean;
}

/** 24 random bytes, base64url: unguessable, and never a path. */
const idPattern = /^dst_[A-Za-z0-9_-]{32}$/;

const savedFolderSchema = z.object({ recordingDir: z.string().min(1) });

/** The refusal of an output path sent by the page, with what to do instead. */
export function pageSentPathError(field: string): Result<never> {
  return err(
    'invalid-request',
    `The page may not name an output path (${field}): the app picks where recordings and exports go.`,
    {
      hint: 'Record or export without a path (the recordings folder is used), or choose the folder in the app.',
    },
  );
}

export function createOutputDestinations(options: {
  /** Where the remembered folder choice is kept (main's own settings folder). */
  configDir: string;
  /** The folder before the user chose one (environment or platform default). */
  defaultFolder: string;
  logger: Logger;
}): OutputDestinations {
  const settingsFile = join(options.configDir, 'recording-folder.json');
  const registered = new Map<string, string>();
  let folder = resolve(options.defaultFolder);
  try {
    const saved = savedFolderSchema.safeParse(JSON.parse(readFileSync(settingsFile, 'utf8')));
    if (saved.success && isAbsolute(saved.data.recordingDir)) folder = saved.data.recordingDir;
  } catch {
    // No choice saved yet (or unreadable): the default folder stands.
  }

  const written = new Set<string>();
  return {
    noteWritten(path) {
      written.add(resolve(path));
    },
    wasWritten(path) {
      return isAbsolute(path) && written.has(resolve(path));
    },
    register(path) {
      const id = `dst_${randomBytes(24).toString('base64url')}`;
      registered.set(id, resolve(path));
      return id;
    },
    take(id) {
      if (/[/\\]/.test(id)) return pageSentPathError('destinationId');
      const path = idPattern.test(id) ? registered.get(id) : undefined;
      if (path === undefined) {
        return err('invalid-request', 'Unknown or already used output destination.', {
          hint: 'Destinations are made by the app, each for one recording or export.',
        });
      }
      registered.delete(id);
      return ok(path);
    },
    folder: () => folder,
    async setFolder(dir) {
      if (!isAbsolute(dir))
        return err('invalid-request', 'The recordings folder must be absolute.');
      folder = dir;
      try {
        await mkdir(options.configDir, { recursive: true });
        await writeFile(settingsFile, JSON.stringify({ recordingDir: dir }), 'utf8');
      } catch (error) {
        options.logger.warn('the recordings folder could not be remembered', {
          event_type: 'settings_write_failed',
          error,
        });
      }
      return ok(dir);
    },
  };
}
