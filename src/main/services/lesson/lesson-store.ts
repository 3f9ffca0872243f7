import { mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import type { Lesson, LessonInput } from '../../../shared/lesson/lesson-schema.ts';
import {
  avatarSettingsSchema,
  lessonSchema,
  voiceSettingsSchema,
} from '../../../shared/lesson/lesson-schema.ts';
import { checkLessonPath } from '../../../shared/lesson/lesson-paths.ts';
import type { Result } from '../../../shared/result.ts';
import { err, ok } from '../../../shared/result.ts';
import type { Logger } from '../logging/logger.ts';
import type { JsonDocument } from './json-locator.ts';
import { formatJsonPath, scanJson } from './json-locator.ts';
import { writeFileAtomic } from '../platform/atomic-write.ts';
import { mapLimited } from '../platform/concurrency.ts';
import { inspectLessonImage, inspectRecordedNarration, readLessonImage } from './lesson-assets.ts';

export const lessonFileName = 'lesson.json';

/** lesson.json is hand-editable text; anything this large is not a lesson. */
const maxLessonFileBytes = 16 * 1024 * 1024;

export interface LoadedLesson {
  /** Absolute, symlinks resolved. */
  dir: string;
  /** Validated, defaults applied. */
  lesson: Lesson;
  /** lesson.json as read, so an editor can show it and errors can point into it. */
  source: string;
}

export interface LessonStoreOptions {
  logger?: Logger;
}

const notFoundHint =
  'Open a folder that contains lesson.json, or import a folder of slide images with a script file.';

function fsErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    return typeof error.code === 'string' ? error.code : undefined;
  }
  return undefined;
}

/**
 * The real lesson folder for a user-given path. A path to lesson.json itself is accepted too,
 * since that is what people drag onto the app or type on the command line.
 */
async function resolveLessonDir(lessonDir: string): Promise<Result<string>> {
  const absolute = resolve(lessonDir);
  let real: string;
  try {
    real = await realpath(absolute);
  } catch (error) {
    const code = fsErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return err('lesson-not-found', `No lesson.json in ${absolute}`, { hint: notFoundHint });
    }
    return err('io-failed', `Could not open ${absolute} (${code ?? 'unknown error'})`);
  }
  try {
    const stats = await stat(real);
    if (stats.isFile() && basename(real) === lessonFileName) return ok(dirname(real));
    if (!stats.isDirectory()) {
      return err('lesson-not-found', `No lesson.json in ${absolute}`, {
        hint: notFoundHint,
      });
    }
  } catch (error) {
    return err(
      'io-failed',
      `Could not open ${absolute} (${fsErrorCode(error) ?? 'unknown error'})`,
    );
  }
  return ok(real);
}

/**
 * Reads, parses and validates `<lessonDir>/lesson.json`, and checks every slide image exists
 * inside the folder and is a type the renderer can draw. Every problem is reported at once, each
 * naming the field and its line in lesson.json.
 */
export async function loadLesson(
  lessonDir: string,
  options: LessonStoreOptions = {},
): Promise<Result<LoadedLesson>> {
  const dirResult = await resolveLessonDir(lessonDir);
  if (!dirResult.ok) return dirResult;
  const dir = dirResult.value;
  const lessonPath = join(dir, lessonFileName);

  let source: string;
  try {
    const stats = await stat(lessonPath);
    if (!stats.isFile()) {
      return err('lesson-not-found', `No lesson.json in ${dir}`, { hint: notFoundHint });
    }
    if (stats.size > maxLessonFileBytes) {
      return err('lesson-invalid', `lesson.json is too large (${stats.size} bytes)`, {
        hint: 'A lesson.json holds settings and narration only; slide images are separate files.',
      });
    }
    source = await readFile(lessonPath, 'utf8');
  } catch (error) {
    const code = fsErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return err('lesson-not-found', `No lesson.json in ${dir}`, { hint: notFoundHint });
    }
    return err('io-failed', `Could not read ${lessonPath} (${code ?? 'unknown error'})`);
  }

  const scanned = scanJson(source);
  if (!scanned.ok) {
    const { line, column, message } = scanned.error;
    return err('lesson-invalid', `${lessonFileName}:${line}:${column}: ${message}`, {
      hint: 'Fix the JSON syntax at that line and column, then open the lesson again.',
    });
  }
  const document = scanned.document;

  const problems: Problem[] = [];
  const parsed = lessonSchema.safeParse(document.value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(...describeIssue(issue, document));
  }
  problems.push(...(await checkSlideImages(dir, document)));
  const details = formatProblems(document, problems);

  if (!parsed.success || details.length > 0) {
    options.logger?.warn('lesson.json is not a valid lesson', {
      event_type: 'lesson_invalid',
      lesson_dir: dir,
      details,
    });
    return err('lesson-invalid', 'lesson.json is not a valid lesson', {
      details,
      hint: `Fix the fields listed (line numbers refer to ${lessonPath}), then open the lesson again.`,
    });
  }
  options.logger?.info('lesson loaded', {
    event_type: 'lesson_loaded',
    lesson_id: parsed.data.id,
    lesson_dir: dir,
    slide_count: parsed.data.slides.length,
  });
  return ok({ dir, lesson: parsed.data, source });
}

/** A field lesson.json gets wrong; its line is looked up once for all of them. */
interface Problem {
  path: readonly PropertyKey[];
  message: string;
}

function detail(path: readonly PropertyKey[], message: string): Problem {
  return { path, message };
}

/** `field (line N): message` for each problem, locating them all in one pass over the text. */
function formatProblems(document: JsonDocument, problems: readonly Problem[]): string[] {
  const locations = document.locateAll(problems.map((problem) => problem.path));
  return problems.map(
    (problem, index) =>
      `${formatJsonPath(problem.path)} (line ${locations[index]?.line ?? 1}): ${problem.message}`,
  );
}

/** Whether the parsed document has a value at `path` (what the text has, as JSON.parse read it). */
function hasPath(root: unknown, path: readonly PropertyKey[]): boolean {
  let current = root;
  for (const key of path) {
    if (Array.isArray(current)) {
      if (typeof key !== 'number' || key < 0 || key >= current.length) return false;
      current = current[key];
    } else if (typeof current === 'object' && current !== null && typeof key === 'string') {
      if (!Object.hasOwn(current, key)) return false;
      current = (current as Record<string, unknown>)[key];
    } else return false;
  }
  return true;
}

/** Zod's messages start with "Invalid input: " and omit what a person needs; say it plainly. */
function describeIssue(issue: z.core.$ZodIssue, document: JsonDocument): Problem[] {
  const path = issue.path;
  const exists = hasPath(document.value, path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) =>
        detail(
          [...path, key],
          'unknown field (check its spelling; it is not part of the lesson format)',
        ),
      );
    case 'invalid_type':
      if (!exists) {
        return [detail(path, `required field is missing (expected ${issue.expected})`)];
      }
      return [
        detail(
          path,
          `expected ${issue.expected}, got ${describeJsonValue(valueAt(document.value, path))}`,
        ),
      ];
    case 'invalid_union': {
      const supported = issue.discriminator === undefined ? null : supportedProviders(path);
      if (supported === null) return [detail(path, stripPrefix(issue.message))];
      const what = exists
        ? `unsupported ${issue.discriminator ?? 'value'} ${describeJsonValue(valueAt(document.value, path))}`
        : 'required field is missing';
      return [detail(path, `${what} (supported: ${supported.join(', ')})`)];
    }
    case 'too_small':
    case 'too_big': {
      if (issue.origin === 'string' && issue.code === 'too_small' && issue.minimum === 1) {
        return [detail(path, 'must not be empty')];
      }
      const given = valueAt(document.value, path);
      if (issue.origin === 'number' && typeof given === 'number') {
        const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        const strict = issue.inclusive === false;
        const below = issue.code === 'too_small';
        const bound = below
          ? strict
            ? 'greater than'
            : 'at least'
          : strict
            ? 'less than'
            : 'at most';
        return [detail(path, `must be ${bound} ${String(limit)}, got ${given}`)];
      }
      return [detail(path, stripPrefix(issue.message))];
    }
    case 'not_multiple_of':
      return [
        detail(
          path,
          `must be a multiple of ${String(issue.divisor)}, got ${describeJsonValue(valueAt(document.value, path))}`,
        ),
      ];
    default:
      return [detail(path, stripPrefix(issue.message))];
  }
}

/** The providers this build supports, read from the schema so the message never goes stale. */
function supportedProviders(path: readonly PropertyKey[]): string[] | null {
  if (path.length !== 2 || path[1] !== 'provider') return null;
  if (path[0] === 'voice') return voiceSettingsSchema.options.map((o) => o.shape.provider.value);
  if (path[0] === 'avatar') return avatarSettingsSchema.options.map((o) => o.shape.provider.value);
  return null;
}

function stripPrefix(message: string): string {
  return message.replace(/^Invalid input: /, '');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (typeof current === 'object' && current !== null && typeof key === 'string') {
      current = Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined;
    } else return undefined;
  }
  return current;
}

function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return `${typeof value} ${String(value)}`;
  }
  return typeof value;
}

const imageCheckConcurrency = 16;

/**
 * Checks the slide images named in the raw document, so they are reported together with schema
 * problems rather than only after those are fixed.
 */
async function checkSlideImages(dir: string, document: JsonDocument): Promise<Problem[]> {
  const root = document.value;
  if (typeof root !== 'object' || root === null || !('slides' in root)) return [];
  const slides = root.slides;
  if (!Array.isArray(slides)) return [];
  const check = async (slide: unknown, index: number): Promise<Problem | null> => {
    if (typeof slide !== 'object' || slide === null || !('image' in slide)) return null;
    const image = slide.image;
    // Non-strings and empty strings are the schema's to report.
    if (typeof image !== 'string' || image.length === 0) return null;
    const inspected = await inspectLessonImage(dir, image);
    return inspected.ok ? null : detail(['slides', index, 'image'], inspected.error.message);
  };
  // The recording, like the image: there, inside the folder, and a WAV speech can read.
  const checkRecording = async (slide: unknown, index: number): Promise<Problem | null> => {
    if (typeof slide !== 'object' || slide === null || !('recordedNarration' in slide)) return null;
    const recorded = slide.recordedNarration;
    if (typeof recorded !== 'object' || recorded === null || !('audio' in recorded)) return null;
    const audio = recorded.audio;
    if (typeof audio !== 'string' || audio.length === 0) return null;
    const inspected = await inspectRecordedNarration(dir, audio);
    return inspected.ok
      ? null
      : detail(['slides', index, 'recordedNarration', 'audio'], inspected.error.message);
  };
  // A few at a time: a lesson of a thousand slides must not open a thousand files at once
  // (it failed at the usual 1024-descriptor limit).
  const results = await mapLimited(slides, imageCheckConcurrency, async (slide, index) => [
    await check(slide, index),
    await checkRecording(slide, index),
  ]);
  return results.flat().filter((problem): problem is Problem => problem !== null);
}

/**
 * Reads a slide image for the renderer, with the same containment and type checks as loading.
 * The lesson folder is resolved again on each call: a renderer's word for which folder it means
 * is not trusted beyond the checks here.
 */
export async function readLessonAsset(
  lessonDir: string,
  relativePath: string,
): Promise<Result<{ bytes: Uint8Array<ArrayBuffer>; mimeType: string }>> {
  const dirResult = await resolveLessonDir(lessonDir);
  if (!dirResult.ok) return dirResult;
  const read = await readLessonImage(dirResult.value, relativePath);
  if (!read.ok) {
    return err(read.error.code, `Cannot read lesson asset: ${read.error.message}`);
  }
  return ok({ bytes: read.value.bytes, mimeType: read.value.image.type.mimeType });
}

/**
 * Checks a lesson before it is written: the schema, and that every asset path stays inside the
 * folder. Files need not exist yet (an editor may save before adding them).
 */
export function validateLesson(lesson: Lesson | LessonInput): Result<Lesson> {
  const parsed = lessonSchema.safeParse(lesson);
  if (!parsed.success) {
    const details = parsed.error.issues.map(
      (issue) => `${formatJsonPath(issue.path)}: ${stripPrefix(issue.message)}`,
    );
    return err('lesson-invalid', 'The lesson is not valid, so it was not saved', { details });
  }
  const pathProblems = parsed.data.slides.flatMap((slide, index) => {
    const checked = checkLessonPath(slide.image);
    return checked.ok ? [] : [`slides[${index}].image: ${checked.message}`];
  });
  if (pathProblems.length > 0) {
    return err(
      'path-outside-lesson',
      'The lesson names files outside its folder, so it was not saved',
      { details: pathProblems },
    );
  }
  return ok(parsed.data);
}

/**
 * Validates and writes `<lessonDir>/lesson.json` as pretty JSON with defaults spelled out.
 * Written to a temporary file, flushed, then renamed over the old one, so a crash leaves either
 * the old lesson or the new one, never half of each. Slide images need not exist yet (an editor
 * may save before adding them), but their paths must stay inside the folder.
 */
export async function saveLesson(
  lessonDir: string,
  lesson: Lesson | LessonInput,
  options: LessonStoreOptions = {},
): Promise<Result<void>> {
  const valid = validateLesson(lesson);
  if (!valid.ok) return valid;
  const checked = valid.value;

  const dir = resolve(lessonDir);
  const target = join(dir, lessonFileName);
  const text = `${JSON.stringify(checked, null, 2)}\n`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(target, text);
  } catch (error) {
    return err('io-failed', `Could not save ${target} (${fsErrorCode(error) ?? 'unknown error'})`, {
      hint: 'Check that the folder exists and is writable.',
    });
  }
  options.logger?.info('lesson saved', {
    event_type: 'lesson_saved',
    lesson_id: checked.id,
    lesson_dir: dir,
  });
  return ok(undefined);
}
