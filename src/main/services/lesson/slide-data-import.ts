import { constants } from 'node:fs';
import { copyFile, mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { LessonInput, NormalisedRect } from '../../../shared/lesson/lesson-schema.ts';
import { defaultPlacement, outputSettingsSchema } from '../../../shared/lesson/lesson-schema.ts';
import { lessonImageExtensions } from '../../../shared/lesson/lesson-paths.ts';
import type { Result } from '../../../shared/result.ts';
import { err, ok } from '../../../shared/result.ts';
import type { Logger } from '../logging/logger.ts';
import { fsErrorCode } from '../platform/atomic-write.ts';
import { slideIdsFor, slugify, titleFromFolderName } from './import-image-folder.ts';
import { findSlideImages, imageKeys, type ImageReference } from './slide-data-images.ts';
import { alreadyHoldsLessonMessage, numberedName } from './lesson-save.ts';
import type { LoadedLesson } from './lesson-store.ts';
import { lessonFileName, loadLesson, saveLesson, validateLesson } from './lesson-store.ts';
import type { JsonDocument, JsonPathSegment } from './json-locator.ts';
import { formatJsonPath, scanJson } from './json-locator.ts';
import type { FrameSize } from './presenter-placement.ts';
import { frameSizeIn, parsePresenterConfig, samePlacement } from './presenter-placement.ts';
import { parseNumberText } from './number-text.ts';

/**
 * The predecessor (a Python app) kept each talk as parsed slide data:
 * `{ "slides": [ { "slideInfo": { "narrationData", "narrationDuration", "presenterConfig",
 * and an image reference } } ] }`. Its exact schema is not known, so this reads it tolerantly:
 * the spellings below are accepted, anything else is named with its JSON path and line.
 *
 * - narrationData: a string; {text} / {narration} / {script} / {content}; or a list of those,
 *   joined with spaces. `narration` / `narrationText` / `text` beside it are read when it is absent.
 * - narrationDuration: seconds (number or "12.3" / "12.3s"). Rapido times slides from the real
 *   speech, so it is kept in the notes ("Predecessor duration: 12.3 s"); a slide without
 *   narration holds that long instead (holdMs).
 * - presenterConfig: see presenter-placement.ts. The first slide's placement becomes the
 *   lesson's; slides placed differently get their own; hidden presenters hide the avatar.
 * - image: image / imageUrl / imagePath / slideImage / frame (a path or file:// URL), or
 *   frame / slideNumber (a number: the image whose name ends in that number); without any, the
 *   slide's position (1, 2, …). Looked up in imagesDir, else the JSON's folder then
 *   SLIDE_FRAMES_PATH; copied into <lessonDir>/slides/.
 */

export interface ImportSlideDataOptions {
  file: string;
  /** Where the slide images are; default: the JSON's folder, then `slideFramesPath`. */
  imagesDir?: string;
  /** Default: `<json folder>/<json name>-lesson`. */
  lessonDir?: string;
  /** SLIDE_FRAMES_PATH. */
  slideFramesPath?: string;
  logger?: Logger;
}

/** Slide data is text with narration; anything this large is something else. */
const maxSlideDataBytes = 32 * 1024 * 1024;

/** Details beyond this are summarised: a wrong file would otherwise list every slide. */
const maxDetails = 40;

const narrationKeys = ['narrationData', 'narration', 'narrationText', 'text'] as const;
const textKeys = ['text', 'narration', 'script', 'content'] as const;
const titleKeys = ['title', 'lessonTitle', 'presentationTitle', 'name'] as const;

const formatHint =
  'Slide data looks like {"slides": [{"slideInfo": {"narrationData": "…", "narrationDuration": 12.3, "presenterConfig": {…}, "image": "slide1.png"}}]}.';

type JsonPath = JsonPathSegment[];

interface Problem {
  path: JsonPath;
  message: string;
}

interface ParsedSlide {
  narration: string;
  durationSeconds: number | null;
  title: string | null;
  notes: string | null;
  placement: NormalisedRect | null;
  hidden: boolean;
  image: ImageReference;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function present(object: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(object, key) && object[key] !== null && object[key] !== undefined;
}

function firstKey(object: Record<string, unknown>, keys: readonly string[]): string | null {
  return keys.find((key) => present(object, key)) ?? null;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return `the text ${JSON.stringify(value.length > 30 ? `${value.slice(0, 30)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
}

/** Narration text from the shapes the predecessor may have written. */
function narrationText(value: unknown, path: JsonPath, problems: Problem[]): string {
  if (typeof value === 'string') return value.trim();
  if (Array.isArray(value)) {
    return value
      .map((item, index) => narrationText(item, [...path, index], problems))
      .filter((text) => text.length > 0)
      .join(' ');
  }
  if (isRecord(value)) {
    const key = firstKey(value, textKeys);
    if (key !== null) return narrationText(value[key], [...path, key], problems);
  }
  problems.push({
    path,
    message: `expected narration text (a string, {"text": "…"}, or a list of them), got ${describeValue(value)}`,
  });
  return '';
}

const durationText = { signed: false, bareFraction: false, units: ['s', 'sec', 'seconds'] };

function durationSeconds(value: unknown, path: JsonPath, problems: Problem[]): number | null {
  // Parsed by hand, in linear time: the regular expression here backtracked on long runs of
  // spaces (a 300 KB value blocked main for 30 s).
  const parsed = typeof value === 'string' ? parseNumberText(value, durationText) : null;
  const number = typeof value === 'number' ? value : (parsed?.value ?? Number.NaN);
  if (!Number.isFinite(number) || number < 0) {
    problems.push({ path, message: `expected a duration in seconds, got ${describeValue(value)}` });
    return null;
  }
  return number;
}

function imageReference(
  info: Record<string, unknown>,
  infoPath: JsonPath,
  slideIndex: number,
  problems: Problem[],
): ImageReference {
  for (const key of imageKeys) {
    if (!present(info, key)) continue;
    const path = [...infoPath, key];
    let value = info[key];
    // {"image": {"path": "…"}} and the like.
    if (isRecord(value)) {
      const inner = firstKey(value, ['path', 'src', 'url', 'file', 'fileName', 'name']);
      if (inner !== null) {
        path.push(inner);
        value = value[inner];
      }
    }
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) {
      return { kind: 'number', value, path };
    }
    if (typeof value === 'string' && value.trim().length > 0) {
      const text = value.trim();
      if ((key === 'frame' || key === 'slideNumber') && /^\d+$/.test(text)) {
        return { kind: 'number', value: Number(text), path };
      }
      return { kind: 'path', value: text, path };
    }
    problems.push({
      path,
      message: `expected an image file name or a frame number, got ${describeValue(value)}`,
    });
    break;
  }
  return { kind: 'number', value: slideIndex + 1, path: infoPath, implicit: true };
}

function parseSlides(
  document: JsonDocument,
  problems: Problem[],
): {
  slides: ParsedSlide[];
  title: string | null;
  frame: FrameSize | null;
} {
  const root = document.value;
  const slidesValue = Array.isArray(root) ? root : isRecord(root) ? root.slides : undefined;
  const slidesPath: JsonPath = Array.isArray(root) ? [] : ['slides'];
  if (!Array.isArray(slidesValue)) {
    problems.push({
      path: isRecord(root) && present(root, 'slides') ? ['slides'] : [],
      message: 'expected a "slides" list',
    });
    return { slides: [], title: null, frame: null };
  }
  if (slidesValue.length === 0) {
    problems.push({ path: slidesPath, message: 'the slide list is empty' });
  }
  const titleKey = isRecord(root) ? firstKey(root, titleKeys) : null;
  const titleValue = isRecord(root) && titleKey !== null ? root[titleKey] : null;
  const title =
    typeof titleValue === 'string' && titleValue.trim().length > 0 ? titleValue.trim() : null;
  const rootFrame = frameSizeIn(root);
  const outputAspect = rootFrame === null ? 720 / 1280 : rootFrame.height / rootFrame.width;

  const slides: ParsedSlide[] = [];
  slidesValue.forEach((slide: unknown, index) => {
    const slidePath = [...slidesPath, index];
    if (!isRecord(slide)) {
      problems.push({
        path: slidePath,
        message: `expected a slide object, got ${describeValue(slide)}`,
      });
      return;
    }
    let info: Record<string, unknown> = slide;
    let infoPath: JsonPath = slidePath;
    if (present(slide, 'slideInfo')) {
      if (!isRecord(slide.slideInfo)) {
        problems.push({
          path: [...slidePath, 'slideInfo'],
          message: `expected an object, got ${describeValue(slide.slideInfo)}`,
        });
        return;
      }
      info = slide.slideInfo;
      infoPath = [...slidePath, 'slideInfo'];
    }
    const narrationKey = firstKey(info, narrationKeys);
    const narration =
      narrationKey === null
        ? ''
        : narrationText(info[narrationKey], [...infoPath, narrationKey], problems);
    if (narration.length > 20_000) {
      problems.push({
        path: [...infoPath, narrationKey ?? 'narrationData'],
        message: `the narration is ${narration.length} characters; a slide may have 20,000 (split the slide)`,
      });
    }
    const duration = present(info, 'narrationDuration')
      ? durationSeconds(info.narrationDuration, [...infoPath, 'narrationDuration'], problems)
      : null;
    const presenter = parsePresenterConfig(info.presenterConfig, {
      frame: frameSizeIn(info) ?? rootFrame,
      outputAspect,
    });
    for (const problem of presenter.problems) {
      problems.push({
        path: [...infoPath, 'presenterConfig', ...problem.path],
        message: problem.message,
      });
    }
    const slideTitle =
      typeof info.title === 'string' && info.title.trim().length > 0 ? info.title.trim() : null;
    const notes =
      typeof info.notes === 'string' && info.notes.trim().length > 0 ? info.notes.trim() : null;
    slides.push({
      narration,
      durationSeconds: duration,
      title: slideTitle,
      notes,
      placement: presenter.placement,
      hidden: presenter.hidden,
      image: imageReference(info, infoPath, index, problems),
    });
  });
  return { slides, title, frame: rootFrame };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function formatProblems(document: JsonDocument, problems: readonly Problem[]): string[] {
  const shown = problems.slice(0, maxDetails);
  // One pass over the text for all of them, not one per problem.
  const locations = document.locateAll(shown.map((problem) => problem.path));
  const lines = shown.map((problem, index) => {
    const line = locations[index]?.line ?? 1;
    return `${formatJsonPath(problem.path)} (line ${line}): ${problem.message}`;
  });
  if (problems.length > maxDetails) lines.push(`…and ${problems.length - maxDetails} more`);
  return lines;
}

function durationNote(seconds: number): string {
  return `Predecessor duration: ${Number(seconds.toFixed(1))} s`;
}

/** The output size from the data's frame size, when it is one Rapido can record. */
function outputFor(frame: FrameSize | null): LessonInput['output'] {
  if (frame === null) return undefined;
  const even = (value: number) => Math.round(value / 2) * 2;
  const parsed = outputSettingsSchema.safeParse({
    width: even(frame.width),
    height: even(frame.height),
    fps: 25,
  });
  return parsed.success ? parsed.data : undefined;
}

export async function importSlideData(
  options: ImportSlideDataOptions,
): Promise<Result<LoadedLesson>> {
  const file = resolve(options.file);
  const fileName = basename(file);
  let source: string;
  try {
    const stats = await stat(file);
    if (!stats.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
    if (stats.size > maxSlideDataBytes) {
      return err(
        'invalid-request',
        `${fileName} is too large to be slide data (${stats.size} bytes)`,
        {
          hint: formatHint,
        },
      );
    }
    source = await readFile(file, 'utf8');
  } catch (error) {
    const code = fsErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      return err('asset-not-found', `No slide data file at ${file}`, {
        hint: 'Choose the slide-data JSON the previous app wrote.',
      });
    }
    return err('io-failed', `Could not read ${file} (${code ?? 'unknown error'})`);
  }

  const scanned = scanJson(source);
  if (!scanned.ok) {
    const { line, column, message } = scanned.error;
    return err('invalid-request', `${fileName}:${line}:${column}: ${message}`, {
      hint: 'Fix the JSON syntax at that line and column, then import again.',
    });
  }
  const document = scanned.document;
  const problems: Problem[] = [];
  const parsed = parseSlides(document, problems);

  const jsonDir = dirname(file);
  const searchDirs =
    options.imagesDir !== undefined
      ? [resolve(options.imagesDir)]
      : [
          jsonDir,
          ...(options.slideFramesPath === undefined ? [] : [resolve(options.slideFramesPath)]),
        ];
  const images = await findSlideImages(parsed.slides, searchDirs, problems);

  if (problems.length > 0) {
    options.logger?.warn('slide data cannot be imported', {
      event_type: 'slide_data_invalid',
      file,
      problem_count: problems.length,
    });
    return err('invalid-request', `${fileName} cannot be imported as a lesson`, {
      details: formatProblems(document, problems),
      hint: `Fix the entries listed (line numbers refer to ${file}), then import again. Slide images may be ${lessonImageExtensions.join(', ')} files.`,
    });
  }

  const lessonDirAbsolute = resolve(
    options.lessonDir ?? join(jsonDir, `${basename(file, extname(file))}-lesson`),
  );
  if (await isFile(join(lessonDirAbsolute, lessonFileName))) {
    return err('invalid-request', alreadyHoldsLessonMessage(lessonDirAbsolute));
  }

  // Each distinct image once, under its own name in slides/ (numbered where names clash).
  const targetBySource = new Map<string, string>();
  const usedNames = new Set<string>();
  for (const image of images) {
    if (image === null || targetBySource.has(image.absolutePath)) continue;
    const name = basename(image.absolutePath);
    let candidate = name;
    for (let number = 2; usedNames.has(candidate.toLowerCase()); number += 1) {
      candidate = numberedName(name, number);
    }
    usedNames.add(candidate.toLowerCase());
    targetBySource.set(image.absolutePath, candidate);
  }

  const first = parsed.slides[0];
  const lessonPlacement = first?.placement ?? defaultPlacement;
  const title = parsed.title ?? titleFromFolderName(basename(file, extname(file)));
  const targetNames = images.map((image) =>
    image === null ? '' : (targetBySource.get(image.absolutePath) ?? ''),
  );
  const slideIds = slideIdsFor(targetNames);
  const output = outputFor(parsed.frame);
  const lesson: LessonInput = {
    schemaVersion: 1,
    id: slugify(title),
    title,
    ...(output === undefined ? {} : { output }),
    avatar: {
      provider: 'local',
      placement: lessonPlacement,
    },
    slides: parsed.slides.map((slide, position) => {
      const notes = [
        ...(slide.notes === null ? [] : [slide.notes]),
        ...(slide.durationSeconds === null ? [] : [durationNote(slide.durationSeconds)]),
      ].join('\n');
      const ownPlacement =
        slide.placement !== null && !samePlacement(slide.placement, lessonPlacement)
          ? slide.placement
          : null;
      const avatar = {
        ...(slide.hidden ? { hidden: true } : {}),
        ...(ownPlacement === null ? {} : { placement: ownPlacement }),
      };
      // A silent slide stays up as long as it did before; spoken ones last as long as the speech.
      const holdMs =
        slide.narration.length === 0 && slide.durationSeconds !== null
          ? Math.min(600_000, Math.round(slide.durationSeconds * 1000))
          : 0;
      return {
        id: slideIds[position] ?? `slide-${position + 1}`,
        image: `slides/${targetNames[position] ?? ''}`,
        narration: slide.narration,
        ...(holdMs > 0 ? { holdMs } : {}),
        ...(notes.length > 0 ? { notes } : {}),
        ...(slide.title === null ? {} : { title: slide.title }),
        ...(Object.keys(avatar).length > 0 ? { avatar } : {}),
      };
    }),
  };
  const valid = validateLesson(lesson);
  if (!valid.ok) return valid;

  let lessonDir: string;
  try {
    await mkdir(join(lessonDirAbsolute, 'slides'), { recursive: true });
    lessonDir = await realpath(lessonDirAbsolute);
  } catch (error) {
    return err(
      'io-failed',
      `Could not create ${lessonDirAbsolute} (${fsErrorCode(error) ?? 'unknown error'})`,
    );
  }
  const copied = await copyImages(targetBySource, join(lessonDir, 'slides'));
  if (!copied.ok) return copied;
  // Names may have moved on where slides/ already held files of the same name.
  const finalLesson: LessonInput = {
    ...lesson,
    slides: valid.value.slides.map((slide, position) => {
      const image = images[position];
      const placed =
        image === null || image === undefined ? undefined : copied.value.get(image.absolutePath);
      return placed === undefined ? slide : { ...slide, image: `slides/${placed}` };
    }),
  };

  const saved = await saveLesson(
    lessonDir,
    finalLesson,
    options.logger ? { logger: options.logger } : {},
  );
  if (!saved.ok) return saved;
  options.logger?.info('slide data imported', {
    event_type: 'lesson_imported',
    lesson_id: valid.value.id,
    file,
    lesson_dir: lessonDir,
    slide_count: parsed.slides.length,
  });
  return loadLesson(lessonDir, options.logger ? { logger: options.logger } : {});
}

/** Copies each image into `slidesDir` without replacing anything; returns the names used. */
async function copyImages(
  targetBySource: ReadonlyMap<string, string>,
  slidesDir: string,
): Promise<Result<Map<string, string>>> {
  const placed = new Map<string, string>();
  for (const [source, name] of targetBySource) {
    let done = false;
    for (let number = 1; !done && number < 10_000; number += 1) {
      const candidate = number === 1 ? name : numberedName(name, number);
      try {
        await copyFile(source, join(slidesDir, candidate), constants.COPYFILE_EXCL);
        placed.set(source, candidate);
        done = true;
      } catch (error) {
        const code = fsErrorCode(error);
        if (code !== 'EEXIST') {
          return err(
            'io-failed',
            `Could not copy ${source} to ${slidesDir} (${code ?? 'unknown error'})`,
          );
        }
      }
    }
    if (!done) return err('io-failed', `No free name for ${name} in ${slidesDir}`);
  }
  return ok(placed);
}
