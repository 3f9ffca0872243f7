import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { loadLesson, lessonFileName } from '../../services/lesson/lesson-store.ts';
import { farmPaths } from '../jobs/render-queue.ts';
import { ApiError } from './api-http.ts';
import { ArchiveRefused, unpackArchive, type ArchiveLimits } from './archive-unpack.ts';

/**
 * Where a job's lesson comes from, made safe before anything is queued: a folder named by path
 * must lie under RAPIDO_LESSON_ROOT once every symlink is resolved; an uploaded archive is
 * unpacked (archive-unpack.ts) and the predecessor's slide data imported into folders of their
 * own under RAPIDO_DATA_DIR/farm/lessons; and every lesson is then loaded with the app's own
 * lesson loader, so a worker never takes up a lesson that cannot render.
 */
export interface LessonSourceOptions {
  lessonRoot: string;
  dataDir: string;
  archiveLimits: ArchiveLimits;
  importSlideData: SlideDataImporter;
}

/** Imports the predecessor's slide data (a .json file) into a new lesson folder. */
export type SlideDataImporter = (
  source: string,
  lessonDir: string,
) => Promise<{ ok: true } | { ok: false; message: string }>;

export interface ReadyLesson {
  dir: string;
  slides: number;
  /** The folder's name: the default lesson id. */
  name: string;
  /**
   * The folder made for it under farm/lessons (an archive's or an import's), which nothing
   * else uses: removed again when the submit queues nothing new. Null for a folder by path.
   */
  owned: string | null;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

const outsideRoot = () =>
  new ApiError(
    403,
    'path-outside-root',
    'The lesson path lies outside the lesson root (RAPIDO_LESSON_ROOT).',
  );

/**
 * The real path of `requested` (relative to the root, or absolute), refused when it lies outside
 * the root: first as written (so nothing outside is even looked at), then once symlinks are
 * resolved (a link inside the root to a folder outside it is refused too).
 */
export async function resolveUnderRoot(lessonRoot: string, requested: string): Promise<string> {
  // eslint-disable-next-line no-control-regex -- a NUL would end the path early in the kernel
  if (/\u0000/.test(requested)) throw outsideRoot();
  const rootReal = await realpath(lessonRoot);
  const written = resolve(rootReal, requested);
  // An absolute path may name the root as configured (a symlink) or as it really is.
  if (!isInside(rootReal, written) && !isInside(resolve(lessonRoot), written)) throw outsideRoot();
  let real: string;
  try {
    real = await realpath(written);
  } catch {
    throw new ApiError(400, 'lesson-not-found', 'There is nothing at that lesson path.');
  }
  if (!isInside(rootReal, real)) throw outsideRoot();
  return real;
}

/** Loads the lesson as the app would; an invalid one is a 400 that says why, paths relative. */
export async function checkLesson(dir: string, shownRelativeTo: string): Promise<ReadyLesson> {
  const loaded = await loadLesson(dir);
  if (!loaded.ok) {
    const text = [loaded.error.message, ...(loaded.error.details ?? [])].join('; ');
    const shown = text.split(shownRelativeTo).join('<lesson root>').slice(0, 2000);
    const code = loaded.error.code === 'lesson-not-found' ? 'lesson-not-found' : 'lesson-invalid';
    throw new ApiError(400, code, shown);
  }
  return {
    dir: loaded.value.dir,
    slides: loaded.value.lesson.slides.length,
    name: basename(dir),
    owned: null,
  };
}

/** A lesson folder by path (`POST /v1/jobs` JSON, or `slide_data_path` naming a folder). */
export async function folderLesson(lessonRoot: string, requested: string): Promise<ReadyLesson> {
  const real = await resolveUnderRoot(lessonRoot, requested);
  const rootReal = await realpath(lessonRoot);
  return checkLesson(real, rootReal);
}

/**
 * The folder of an unpacked archive that holds lesson.json: the archive's top, or its one
 * top-level folder (what zipping a lesson folder by its name gives).
 */
async function lessonFolderIn(dir: string): Promise<string> {
  if ((await stat(join(dir, lessonFileName)).catch(() => null))?.isFile()) return dir;
  const top = await readdir(dir, { withFileTypes: true });
  const only = top.length === 1 ? top[0] : undefined;
  if (only?.isDirectory() && (await stat(join(dir, only.name, lessonFileName)).catch(() => null))) {
    return join(dir, only.name);
  }
  throw new ApiError(
    400,
    'lesson-not-found',
    `The archive holds no ${lessonFileName} at its top or in its one top-level folder.`,
  );
}

/** A new folder under farm/lessons, removed again if what goes in is refused. */
async function intoNewFolder(
  dataDir: string,
  fill: (dir: string) => Promise<string>,
): Promise<ReadyLesson> {
  const lessonsDir = farmPaths(dataDir).lessonsDir;
  const id = randomUUID();
  const staging = join(lessonsDir, `.incoming-${id}`);
  const final = join(lessonsDir, id);
  try {
    const lessonDir = await fill(staging);
    const ready = await checkLesson(lessonDir, staging);
    // Whole before it is visible under its name (a worker never reads a half-written folder).
    await rename(staging, final);
    const inner = relative(staging, ready.dir);
    return { ...ready, dir: join(final, inner), owned: final };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

export async function archiveLesson(
  options: LessonSourceOptions,
  bytes: Uint8Array,
): Promise<ReadyLesson> {
  return intoNewFolder(options.dataDir, async (staging) => {
    try {
      await unpackArchive(bytes, staging, options.archiveLimits);
    } catch (error) {
      if (error instanceof ArchiveRefused) {
        throw new ApiError(
          400,
          'archive-refused',
          `The lesson archive is refused: ${error.message}.`,
        );
      }
      throw error;
    }
    return lessonFolderIn(staging);
  });
}

/**
 * The predecessor's `slide_data_path`: its slide-data JSON (imported into a folder of its own)
 * or a Rapido lesson folder (or its lesson.json). Either must lie under the lesson root.
 */
export async function slideDataLesson(
  options: LessonSourceOptions,
  requested: string,
): Promise<{ lesson: ReadyLesson; source: 'folder' | 'slide-data' }> {
  const real = await resolveUnderRoot(options.lessonRoot, requested);
  const info = await stat(real);
  if (info.isDirectory() || basename(real) === lessonFileName) {
    const rootReal = await realpath(options.lessonRoot);
    return {
      lesson: await checkLesson(info.isDirectory() ? real : dirname(real), rootReal),
      source: 'folder',
    };
  }
  if (extname(real).toLowerCase() !== '.json') {
    throw new ApiError(
      400,
      'unsupported-source',
      'slide_data_path must name slide data (.json) or a Rapido lesson folder.',
    );
  }
  const lesson = await intoNewFolder(options.dataDir, async (staging) => {
    const imported = await options.importSlideData(real, staging);
    if (!imported.ok) {
      throw new ApiError(
        400,
        'import-failed',
        `The slide data could not be imported: ${imported.message}`,
      );
    }
    return staging;
  });
  return { lesson, source: 'slide-data' };
}

/**
 * The real importer: `rapido import <file.json> --out <dir>` as a child process, the CLI verb's
 * own code (import-command.ts, through the predecessor importer in services/lesson/predecessor/
 * and the page's drawing in Chromium), so an import here is exactly the command line's.
 */
export function cliSlideDataImporter(options: { timeoutMs?: number } = {}): SlideDataImporter {
  const require = createRequire(import.meta.url);
  const tsxCli = join(dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs');
  const entry = join(import.meta.dirname, '..', '..', 'hosts', 'cli', 'rapido.ts');
  return (source, lessonDir) =>
    new Promise((resolvePromise) => {
      const child = spawn(process.execPath, [tsxCli, entry, 'import', source, '--out', lessonDir], {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: options.timeoutMs ?? 300_000,
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        if (stderr.length < 4000) stderr += chunk;
      });
      child.on('error', () => resolvePromise({ ok: false, message: 'the importer did not start' }));
      child.on('close', (code) => {
        if (code === 0) {
          resolvePromise({ ok: true });
          return;
        }
        // The CLI's own one-line reason (`rapido: ...`, never a stack), the folder not named.
        const reason =
          stderr.split('\n').find((line) => line.startsWith('rapido: ')) ??
          (code === null ? 'the importer was stopped' : `the importer failed (exit code ${code})`);
        resolvePromise({
          ok: false,
          message: reason
            .replace(/^rapido: /, '')
            .split(lessonDir)
            .join('<lesson>')
            .slice(0, 500),
        });
      });
    });
}
