import type { Dirent } from 'node:fs';
import { constants } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { LessonInput } from '../../../shared/lesson/lesson-schema.ts';
import { imageTypeFromPath, lessonImageExtensions } from '../../../shared/lesson/lesson-paths.ts';
import type { Result } from '../../../shared/result.ts';
import { err, ok } from '../../../shared/result.ts';
import type { Logger } from '../logging/logger.ts';
import type { LessonImage } from './lesson-assets.ts';
import { inspectLessonImage, isInsideDirectory } from './lesson-assets.ts';
import type { LoadedLesson } from './lesson-store.ts';
import { lessonFileName, loadLesson, saveLesson, validateLesson } from './lesson-store.ts';
import { compareNatural, parseNarrationScript } from './narration-script.ts';
import { trimChar } from './number-text.ts';

export interface ImportImageFolderOptions {
  /** The folder of slide images (png, jpg, webp, gif, svg, bmp, avif); sub-folders are ignored. */
  imagesDir: string;
  /**
   * The narration script (see narration-script.ts for the rules). When absent, the images folder
   * is searched for script.txt, then narration.txt, then a single other *.txt.
   */
  scriptPath?: string;
  /**
   * Where lesson.json is written; defaults to imagesDir. Images are copied into its slides/
   * folder unless they already lie inside it, in which case they are referenced in place.
   */
  lessonDir?: string;
  /** Defaults to the images folder's name. */
  title?: string;
  /** Defaults to a slug of the title. */
  id?: string;
  /** Replace an existing lesson.json (and same-named files in slides/). */
  overwrite?: boolean;
  logger?: Logger;
}

const scriptHint =
  'Write one narration paragraph per slide image, in slide order, separated by blank lines (or by lines containing only ---).';

function fsErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    return typeof error.code === 'string' ? error.code : undefined;
  }
  return undefined;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The predecessor's SLIDE_FRAMES_PATH workflow: a folder of slide images plus a script with one
 * paragraph per slide becomes a lesson. Images are taken in natural order of their names
 * (slide2.png before slide10.png). Nothing is written unless the images and the script agree.
 */
export async function importImageFolder(
  options: ImportImageFolderOptions,
): Promise<Result<LoadedLesson>> {
  const imagesDirAbsolute = resolve(options.imagesDir);
  let imagesDir: string;
  try {
    imagesDir = await realpath(imagesDirAbsolute);
    if (!(await stat(imagesDir)).isDirectory()) throw new Error('not a directory');
  } catch {
    return err('asset-not-found', `No folder at ${imagesDirAbsolute}`, {
      hint: 'Choose the folder that holds the slide images.',
    });
  }

  const lessonDirAbsolute = resolve(options.lessonDir ?? imagesDir);
  if (!options.overwrite && (await isFile(join(lessonDirAbsolute, lessonFileName)))) {
    return err('invalid-request', `${lessonDirAbsolute} already contains a lesson.json`, {
      hint: 'Open that lesson instead, choose another folder for the imported lesson, or import again with overwrite to replace it.',
    });
  }

  const imageNames = await listSlideImages(imagesDir);
  if (!imageNames.ok) return imageNames;
  if (imageNames.value.length === 0) {
    return err('invalid-request', `No slide images in ${imagesDir}`, {
      hint: `Slide images must be ${lessonImageExtensions.join(', ')} files directly in that folder.`,
    });
  }

  const script = await readScript(imagesDir, options.scriptPath);
  if (!script.ok) return script;
  const { paragraphs } = parseNarrationScript(script.value.text);
  const scriptName = basename(script.value.path);
  if (paragraphs.length !== imageNames.value.length) {
    return err(
      'invalid-request',
      `Found ${imageNames.value.length} slide images but ${paragraphs.length} narration paragraphs in ${scriptName}`,
      { details: pairing(imageNames.value, paragraphs), hint: scriptHint },
    );
  }

  // Check every image before writing anything, so a failed import leaves no half-made lesson.
  const images: LessonImage[] = [];
  const problems: string[] = [];
  for (const name of imageNames.value) {
    const inspected = await inspectLessonImage(imagesDir, name);
    if (inspected.ok) images.push(inspected.value);
    else problems.push(inspected.error.message);
  }
  if (problems.length > 0) {
    return err('invalid-request', `Some files in ${imagesDir} are not usable slide images`, {
      details: problems,
      hint: 'Remove or replace those files, then import again.',
    });
  }

  // Images already inside the lesson folder are referenced where they are; others are copied.
  const existingLessonDir = await realpathOrNull(lessonDirAbsolute);
  const inPlace =
    existingLessonDir !== null &&
    (imagesDir === existingLessonDir || isInsideDirectory(existingLessonDir, imagesDir));
  const prefix = inPlace
    ? relative(existingLessonDir, imagesDir).split(sep).filter(Boolean)
    : ['slides'];

  const givenTitle = options.title?.trim() ?? '';
  const title = givenTitle.length > 0 ? givenTitle : titleFromFolderName(basename(imagesDir));
  const slideIds = slideIdsFor(imageNames.value);
  const lesson: LessonInput = {
    schemaVersion: 1,
    id: options.id ?? slugify(title),
    title,
    slides: images.map((image, index) => ({
      id: slideIds[index] ?? `slide-${index + 1}`,
      image: [...prefix, image.relativePath].join('/'),
      narration: paragraphs[index] ?? '',
    })),
  };
  const valid = validateLesson(lesson);
  if (!valid.ok) return valid;

  let lessonDir: string;
  try {
    await mkdir(lessonDirAbsolute, { recursive: true });
    lessonDir = await realpath(lessonDirAbsolute);
  } catch (error) {
    return err(
      'io-failed',
      `Could not create ${lessonDirAbsolute} (${fsErrorCode(error) ?? 'unknown error'})`,
    );
  }
  if (!inPlace) {
    const copied = await copyImages(images, join(lessonDir, 'slides'), options.overwrite === true);
    if (!copied.ok) return copied;
  }

  const saved = await saveLesson(
    lessonDir,
    lesson,
    options.logger ? { logger: options.logger } : {},
  );
  if (!saved.ok) return saved;
  options.logger?.info('image folder imported', {
    event_type: 'lesson_imported',
    lesson_id: lesson.id,
    images_dir: imagesDir,
    lesson_dir: lessonDir,
    slide_count: images.length,
    script: script.value.path,
  });
  return loadLesson(lessonDir, options.logger ? { logger: options.logger } : {});
}

async function listSlideImages(imagesDir: string): Promise<Result<string[]>> {
  let entries: Dirent[];
  try {
    entries = await readdir(imagesDir, { withFileTypes: true });
  } catch (error) {
    return err(
      'io-failed',
      `Could not list ${imagesDir} (${fsErrorCode(error) ?? 'unknown error'})`,
    );
  }
  const names: string[] = [];
  for (const entry of entries) {
    // Dot files include macOS "._slide1.png" resource forks, which are not images.
    if (entry.name.startsWith('.') || imageTypeFromPath(entry.name) === null) continue;
    if (entry.isFile() || (entry.isSymbolicLink() && (await isFile(join(imagesDir, entry.name))))) {
      names.push(entry.name);
    }
  }
  return ok(names.sort(compareNatural));
}

async function readScript(
  imagesDir: string,
  scriptPath: string | undefined,
): Promise<Result<{ path: string; text: string }>> {
  let path: string;
  if (scriptPath !== undefined) {
    path = resolve(scriptPath);
  } else {
    const found = await findScript(imagesDir);
    if (!found.ok) return found;
    path = found.value;
  }
  try {
    return ok({ path, text: await readFile(path, 'utf8') });
  } catch (error) {
    const code = fsErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      return err('asset-not-found', `Script file not found: ${path}`, { hint: scriptHint });
    }
    return err('io-failed', `Could not read ${path} (${code ?? 'unknown error'})`);
  }
}

async function findScript(imagesDir: string): Promise<Result<string>> {
  let names: string[];
  try {
    names = (await readdir(imagesDir)).filter(
      (name) => !name.startsWith('.') && name.toLowerCase().endsWith('.txt'),
    );
  } catch (error) {
    return err(
      'io-failed',
      `Could not list ${imagesDir} (${fsErrorCode(error) ?? 'unknown error'})`,
    );
  }
  for (const preferred of ['script.txt', 'narration.txt']) {
    const match = names.find((name) => name.toLowerCase() === preferred);
    if (match !== undefined) return ok(join(imagesDir, match));
  }
  const [only, ...others] = names.sort(compareNatural);
  if (only !== undefined && others.length === 0) return ok(join(imagesDir, only));
  if (only === undefined) {
    return err('asset-not-found', `No script file in ${imagesDir}`, {
      hint: `Add script.txt to that folder, or choose the script file. ${scriptHint}`,
    });
  }
  return err('invalid-request', `Several .txt files in ${imagesDir}; which one is the script?`, {
    details: names,
    hint: 'Name the script script.txt, or choose the script file explicitly.',
  });
}

/** Side-by-side listing for a count mismatch, so the user sees where the two drift apart. */
function pairing(imageNames: readonly string[], paragraphs: readonly string[]): string[] {
  const count = Math.max(imageNames.length, paragraphs.length);
  const lines: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const image = imageNames[index] ?? '(no image)';
    const paragraph = paragraphs[index];
    const text =
      paragraph === undefined
        ? '(no paragraph)'
        : paragraph.length === 0
          ? '(empty)'
          : JSON.stringify(paragraph.length > 60 ? `${paragraph.slice(0, 60)}…` : paragraph);
    lines.push(`slide ${index + 1}: ${image} ↔ ${text}`);
  }
  return lines;
}

async function realpathOrNull(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch {
    return null;
  }
}

async function copyImages(
  images: readonly LessonImage[],
  slidesDir: string,
  overwrite: boolean,
): Promise<Result<void>> {
  try {
    await mkdir(slidesDir, { recursive: true });
    for (const image of images) {
      await copyFile(
        image.absolutePath,
        join(slidesDir, image.relativePath),
        overwrite ? 0 : constants.COPYFILE_EXCL,
      );
    }
  } catch (error) {
    const code = fsErrorCode(error);
    if (code === 'EEXIST') {
      return err('invalid-request', `${slidesDir} already holds files with the same names`, {
        hint: 'Choose an empty folder for the imported lesson, or import again with overwrite.',
      });
    }
    return err(
      'io-failed',
      `Could not copy the slide images to ${slidesDir} (${code ?? 'unknown error'})`,
    );
  }
  return ok(undefined);
}

/** Slide ids from file names ("Slide 03.png" -> "Slide-03"), made unique. */
export function slideIdsFor(imageNames: readonly string[]): string[] {
  const used = new Set<string>();
  return imageNames.map((name, index) => {
    const stem = name.replace(/\.[^.]*$/, '');
    // trimChar, not /^-+|-+$/: the regex is quadratic in a run of dashes that is not at the end.
    const base =
      trimChar(stem.replace(/[^A-Za-z0-9_-]+/g, '-'), '-').slice(0, 90) || `slide-${index + 1}`;
    let id = base;
    for (let suffix = 2; used.has(id); suffix += 1) id = `${base}-${suffix}`;
    used.add(id);
    return id;
  });
}

export function titleFromFolderName(name: string): string {
  const words = name.replace(/[-_]+/g, ' ').replace(/\s+/g, ' ').trim();
  return words.length > 0 ? words : 'Imported lesson';
}

/** Lesson ids name rooms and files: letters, digits, "_" and "-" only. */
export function slugify(title: string): string {
  const slug = trimChar(
    title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-'),
    '-',
  ).slice(0, 100);
  return slug.length > 0 ? slug : 'lesson';
}
