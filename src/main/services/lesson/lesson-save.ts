import { constants } from 'node:fs';
import { copyFile, link, mkdir, realpath, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { slideTitle } from '../../../shared/lesson/lesson-schema.ts';
import {
  checkLessonPath,
  extensionOf,
  imageSniffLength,
  imageTypeFromPath,
  lessonImageExtensions,
  sniffImageType,
} from '../../../shared/lesson/lesson-paths.ts';
import type { ErrorCode, Result } from '../../../shared/result.ts';
import {
  maxRecordedNarrationBytes,
  recordedNarrationLayout,
} from '../../../shared/speech/recorded-narration.ts';
import { err, ok } from '../../../shared/result.ts';
import type { Logger } from '../logging/logger.ts';
import { fsErrorCode, temporaryPathFor, writeNewFileDurably } from '../platform/atomic-write.ts';
import { mapLimited } from '../platform/concurrency.ts';
import {
  inspectLessonImage,
  inspectRecordedNarration,
  isInsideDirectory,
} from './lesson-assets.ts';
import type { LoadedLesson } from './lesson-store.ts';
import { lessonFileName, loadLesson, saveLesson, validateLesson } from './lesson-store.ts';

/**
 * The editor's save: the whole lesson replaces lesson.json, after the same checks opening it
 * would make, so a saved lesson always opens again. And the editor's way of adding files: an
 * asset written into the lesson folder, never over an existing file.
 */

export const alreadyHoldsLessonMessage = (dir: string) =>
  `${dir} already holds a lesson: open it, or choose an empty folder`;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** How a slide is named in messages: its position, id and title, as the slide list shows it. */
function describeSlide(lesson: Lesson, index: number): string {
  const slide = lesson.slides[index];
  if (slide === undefined) return `slide ${index + 1}`;
  return `slide ${index + 1} (${JSON.stringify(slideTitle(slide, index))}, id ${slide.id})`;
}

/**
 * Validates and writes `<dir>/lesson.json` (atomically, as 2-space JSON), then reads it back
 * as lesson:open does. `create` makes a new lesson: the folder is created if missing, and one
 * that already holds a lesson is refused; without it, the folder must hold one already (so an
 * autosave never scatters lessons into folders that were deleted or renamed meanwhile).
 */
export async function saveLessonFolder(options: {
  dir: string;
  lesson: Lesson;
  create?: boolean;
  logger?: Logger;
}): Promise<Result<LoadedLesson>> {
  const absolute = resolve(options.dir);
  const valid = validateLesson(options.lesson);
  if (!valid.ok) return valid;
  const lesson = valid.value;
  const exists = await isFile(join(absolute, lessonFileName));

  if (options.create === true) {
    if (exists) {
      return err('invalid-request', alreadyHoldsLessonMessage(absolute));
    }
    try {
      await mkdir(absolute, { recursive: true });
    } catch (error) {
      return err(
        'io-failed',
        `Could not create ${absolute} (${fsErrorCode(error) ?? 'unknown error'})`,
        { hint: 'Choose a folder you can write to.' },
      );
    }
  } else if (!exists) {
    return err('lesson-not-found', `No lesson.json in ${absolute}, so the lesson was not saved`, {
      hint: 'The lesson folder was moved or deleted. Save the lesson as a new lesson in another folder.',
    });
  }

  let dir: string;
  try {
    dir = await realpath(absolute);
  } catch (error) {
    return err(
      'io-failed',
      `Could not open ${absolute} (${fsErrorCode(error) ?? 'unknown error'})`,
    );
  }

  // The files must be there and usable now: a lesson saved with a missing image would not open.
  // A few at a time: a thousand slides must not hold a thousand files open.
  const checks = await mapLimited(lesson.slides, 16, (slide) =>
    inspectLessonImage(dir, slide.image),
  );
  const details: string[] = [];
  let code: ErrorCode | null = null;
  for (const [index, checked] of checks.entries()) {
    if (checked.ok) continue;
    code ??= checked.error.code;
    details.push(
      `slides[${index}].image, ${describeSlide(lesson, index)}: ${checked.error.message}`,
    );
  }
  if (code !== null) {
    return err(
      code,
      `The lesson was not saved: ${details.length === 1 ? 'a slide image' : `${details.length} slide images`} cannot be used`,
      {
        details,
        hint: 'Add the missing images to the lesson folder (or choose other ones), then save again.',
      },
    );
  }
  const recordings = await checkRecordings(dir, lesson);
  if (!recordings.ok) return recordings;

  const saved = await saveLesson(dir, lesson, options.logger ? { logger: options.logger } : {});
  if (!saved.ok) return saved;
  return loadLesson(dir, options.logger ? { logger: options.logger } : {});
}

/** Each slide's recorded narration must be there and readable now, as its image must. */
async function checkRecordings(dir: string, lesson: Lesson): Promise<Result<void>> {
  const checks = await mapLimited(lesson.slides, 16, (slide) =>
    slide.recordedNarration
      ? inspectRecordedNarration(dir, slide.recordedNarration.audio)
      : Promise.resolve(null),
  );
  const details: string[] = [];
  let code: ErrorCode | null = null;
  for (const [index, checked] of checks.entries()) {
    if (checked === null || checked.ok) continue;
    code ??= checked.error.code;
    details.push(
      `slides[${index}].recordedNarration.audio, ${describeSlide(lesson, index)}: ${checked.error.message}`,
    );
  }
  if (code === null) return ok(undefined);
  return err(
    code,
    `The lesson was not saved: ${details.length === 1 ? 'a recorded narration' : `${details.length} recorded narrations`} cannot be used`,
    {
      details,
      hint: 'Put the recording (a 16-bit PCM WAV) in the lesson folder, or use the voice instead, then save again.',
    },
  );
}

/** Images written by importers or the user; larger ones are mistakes (slides are screen images). */
export const maxAssetBytes = 50 * 1024 * 1024;

const maxFreeNameTries = 10_000;

/**
 * Writes `bytes` as the image or WAV recording `path` (relative, '/'- or '\'-separated) inside `dir`, creating
 * `dir` and the folders on the way. An existing file is never replaced: `name-2.png`,
 * `name-3.png`… is used instead. The file appears whole or not at all (written beside, then
 * linked into place). Returns the path written, relative, '/'-separated.
 */
export async function writeLessonAsset(options: {
  dir: string;
  path: string;
  bytes: Uint8Array;
  maxBytes?: number;
}): Promise<Result<{ path: string }>> {
  const { bytes } = options;
  const checked = checkLessonPath(options.path);
  if (!checked.ok) {
    const outside = checked.problem === 'absolute' || checked.problem === 'escapes';
    return err(
      outside ? 'path-outside-lesson' : 'invalid-request',
      `Cannot write the file: ${checked.message}`,
      outside
        ? { hint: 'Files are written inside the lesson folder: give a path relative to it.' }
        : {},
    );
  }
  const segments = checked.path.split('/');
  const name = segments.pop() ?? '';
  const recording = extensionOf(name) === 'wav';
  if (!recording && imageTypeFromPath(name) === null) {
    return err(
      'invalid-request',
      `Cannot write ${checked.path}: only images can be added to a lesson (${lessonImageExtensions.join(', ')}), and recorded narration (wav)`,
    );
  }
  if (bytes.byteLength === 0) {
    return err('invalid-request', `Cannot write ${checked.path}: the file is empty`);
  }
  if (recording) {
    // A recorded narration (an importer's decoded audio): a WAV speech can read, within its limits.
    const layout =
      bytes.byteLength > maxRecordedNarrationBytes
        ? err('invalid-request', `Cannot write ${checked.path}: the recording is too large`)
        : recordedNarrationLayout(bytes, bytes.byteLength, checked.path);
    if (!layout.ok) return layout;
    return placeAsset(options.dir, checked.path, segments, name, bytes);
  }
  const maxBytes = options.maxBytes ?? maxAssetBytes;
  if (bytes.byteLength > maxBytes) {
    const mib = (value: number) => (value / (1024 * 1024)).toFixed(1).replace(/\.0$/, '');
    return err(
      'invalid-request',
      `Cannot write ${checked.path}: it is ${mib(bytes.byteLength)} MB, more than the ${mib(maxBytes)} MB a slide image may have`,
      { hint: 'Export the slide at screen size (e.g. 1920×1080) and add it again.' },
    );
  }
  if (sniffImageType(bytes.subarray(0, imageSniffLength)) === null) {
    return err(
      'invalid-request',
      `Cannot write ${checked.path}: its content is not a ${lessonImageExtensions.join(', ')} image`,
    );
  }

  return placeAsset(options.dir, checked.path, segments, name, bytes);
}

/** Writes a checked asset's bytes at `segments/name` inside `dir` (see writeLessonAsset). */
async function placeAsset(
  dir: string,
  path: string,
  segments: readonly string[],
  name: string,
  bytes: Uint8Array,
): Promise<Result<{ path: string }>> {
  const checked = { path };
  const absolute = resolve(dir);
  let folder: string;
  try {
    await mkdir(absolute, { recursive: true });
    const root = await realpath(absolute);
    folder = root;
    // One level at a time, checked before going deeper: a linked folder on the way must not
    // lead the write (or the folders it creates) outside the lesson.
    for (const segment of segments) {
      const next = join(folder, segment);
      try {
        await mkdir(next);
      } catch (error) {
        if (fsErrorCode(error) !== 'EEXIST') throw error;
      }
      const real = await realpath(next);
      if (!isInsideDirectory(root, real)) {
        return err(
          'path-outside-lesson',
          `Cannot write ${checked.path}: ${segments.join('/')} links to a folder outside the lesson folder`,
        );
      }
      if (!(await stat(real)).isDirectory()) {
        return err(
          'invalid-request',
          `Cannot write ${checked.path}: ${segment} is a file, not a folder`,
        );
      }
      folder = real;
    }
  } catch (error) {
    return err(
      'io-failed',
      `Could not create the folder for ${checked.path} in ${absolute} (${fsErrorCode(error) ?? 'unknown error'})`,
      { hint: 'Check that the lesson folder exists and is writable.' },
    );
  }

  const temporary = temporaryPathFor(join(folder, name));
  try {
    await writeNewFileDurably(temporary, bytes);
    for (let attempt = 1; attempt <= maxFreeNameTries; attempt += 1) {
      const candidate = attempt === 1 ? name : numberedName(name, attempt);
      if (await placeWithoutReplacing(temporary, join(folder, candidate))) {
        return ok({ path: [...segments, candidate].join('/') });
      }
    }
    return err('io-failed', `Cannot write ${checked.path}: no free name for it in its folder`);
  } catch (error) {
    return err(
      'io-failed',
      `Could not write ${checked.path} in ${absolute} (${fsErrorCode(error) ?? 'unknown error'})`,
      { hint: 'Check that the lesson folder is writable and the disk is not full.' },
    );
  } finally {
    await rm(temporary, { force: true });
  }
}

/** `photo.png`, 3 -> `photo-3.png`. */
export function numberedName(name: string, number: number): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? `${name}-${number}` : `${name.slice(0, dot)}-${number}${name.slice(dot)}`;
}

/**
 * Puts the finished temporary file at `target` unless something is there already (false then).
 * A hard link fails atomically on an existing name; where links are not supported (FAT, some
 * network shares), an exclusive copy does the same, though not atomically.
 */
async function placeWithoutReplacing(temporary: string, target: string): Promise<boolean> {
  try {
    await link(temporary, target);
    return true;
  } catch (error) {
    const code = fsErrorCode(error);
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') {
      throw error;
    }
  }
  try {
    await copyFile(temporary, target, constants.COPYFILE_EXCL);
    return true;
  } catch (error) {
    if (fsErrorCode(error) === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Runs tasks one at a time per key (a lesson folder), in call order: two saves of one lesson
 * that overlap (autosave and an explicit save) land in the order they were asked for.
 */
export function createKeyedQueue(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return (key, task) => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}
