import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import type { PredecessorPlan } from '../../../../shared/lesson/predecessor-import.ts';
import { predecessorPlanSchema } from '../../../../shared/lesson/predecessor-import.ts';
import type { Result } from '../../../../shared/result.ts';
import { err, ok } from '../../../../shared/result.ts';
import { fsErrorCode } from '../../platform/atomic-write.ts';
import { titleFromFolderName } from '../import-image-folder.ts';
import type { JsonDocument } from '../json-locator.ts';
import { formatJsonPath, scanJson } from '../json-locator.ts';
import { isParsedSlideData, planFromParsedSlideData } from './parsed-slide-data.ts';
import type { PlanParts, PlannedAsset, Problem } from './plan-common.ts';
import type { StoredPlan } from './plan-store.ts';
import { listSuppliedImages, type SuppliedImages } from './supplied-images.ts';
import {
  innerDocumentOf,
  isVideoJobDocument,
  planFromVideoJobDocument,
} from './video-job-document.ts';

/**
 * Reads one of the predecessor's files, either form (told apart by shape), into a plan. Writes
 * nothing. Bad input answers `invalid-request` with one line per problem: the field's JSON path
 * and line (for a video-job document's inner string, the outer field and line and then the inner
 * path with its line and column in the string's text).
 */

export interface ReadPredecessorOptions {
  file: string;
  /** A folder of slide images for parsed slide data (by position or slide id). */
  imagesDir?: string;
  /** SLIDE_FRAMES_PATH: where images are looked for when no folder is named. */
  slideFramesPath?: string;
}

/** Both forms are text; the largest real document is 0.6 MB. */
const maxFileBytes = 64 * 1024 * 1024;
/** Details beyond this are summarised: a wrong file would otherwise list every slide. */
const maxDetails = 40;

const formatHint =
  'Rapido reads the predecessor\'s parsed slide data ({"slides": [{"slideInfo": {…}}]}, from parsed_slideData/) and its video-job documents ({"docId", "stringifiedDocJson": "…"}, from slideData/).';

function formatProblems(
  outer: JsonDocument,
  inner: JsonDocument | null,
  problems: readonly Problem[],
): string[] {
  const shown = problems.slice(0, maxDetails);
  const outerLocations = outer.locateAll(shown.map((problem) => problem.path));
  const innerShown = shown.map((problem) => problem.innerPath ?? []);
  const innerLocations = inner === null ? [] : inner.locateAll(innerShown);
  const lines = shown.map((problem, index) => {
    const line = outerLocations[index]?.line ?? 1;
    const where = `${formatJsonPath(problem.path)} (line ${line})`;
    const innerLocation = innerLocations[index];
    if (problem.innerPath === undefined || innerLocation === undefined) {
      return `${where}: ${problem.message}`;
    }
    return `${where} → ${formatJsonPath(problem.innerPath)} (line ${innerLocation.line}, column ${innerLocation.column} of the string): ${problem.message}`;
  });
  if (problems.length > maxDetails) lines.push(`…and ${problems.length - maxDetails} more`);
  return lines;
}

export async function readPredecessorFile(
  options: ReadPredecessorOptions,
): Promise<Result<StoredPlan>> {
  const file = resolve(options.file);
  const fileName = basename(file);
  let source: string;
  try {
    const stats = await stat(file);
    if (!stats.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
    if (stats.size > maxFileBytes) {
      return err(
        'invalid-request',
        `${fileName} is too large to be the predecessor's data (${stats.size} bytes)`,
        { hint: formatHint },
      );
    }
    source = await readFile(file, 'utf8');
  } catch (error) {
    const code = fsErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      return err('asset-not-found', `No file at ${file}`, { hint: formatHint });
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
  const outer = scanned.document;
  const stem = basename(file, extname(file));
  // The predecessor names its files by job id (a uuid): no title, so a short label instead.
  const fallbackTitle = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(stem)
    ? `Predecessor lesson ${stem.slice(0, 8)}`
    : titleFromFolderName(stem);
  const problems: Problem[] = [];
  let inner: JsonDocument | null = null;
  let parts: PlanParts | null = null;
  let form: PredecessorPlan['form'];
  if (isVideoJobDocument(outer.value)) {
    form = 'video-job-document';
    const found = innerDocumentOf(outer, problems);
    if (found !== null) {
      inner = found.outerPath === null ? null : found.document;
      parts = planFromVideoJobDocument(found, { baseDir: dirname(file), fallbackTitle }, problems);
    }
  } else if (isParsedSlideData(outer.value)) {
    form = 'parsed-slide-data';
    const imagesDir = options.imagesDir ?? options.slideFramesPath;
    let images: SuppliedImages | null = null;
    if (imagesDir !== undefined) {
      images = await listSuppliedImages(resolve(imagesDir));
      if (images === null && options.imagesDir !== undefined) {
        return err('asset-not-found', `The images folder ${options.imagesDir} cannot be read`, {
          hint: 'Choose the folder that holds the slide images.',
        });
      }
    }
    parts = planFromParsedSlideData(outer, { fallbackTitle, images }, problems);
  } else {
    return err('invalid-request', `${fileName} is neither of the predecessor's forms`, {
      details: formatProblems(outer, null, [
        {
          path: [],
          message: 'expected {"slides": [{"slideInfo": …}]} or {"stringifiedDocJson": "…"}',
        },
      ]),
      hint: formatHint,
    });
  }
  if (problems.length > 0 || parts === null) {
    return err('invalid-request', `${fileName} cannot be imported as a lesson`, {
      details: formatProblems(outer, inner, problems),
      hint: `Fix the entries listed (line numbers refer to ${file}), then import again.`,
    });
  }
  if (form === 'video-job-document' && options.imagesDir !== undefined) {
    parts.notes.push(
      'Video-job documents are drawn from their objects; the images folder is not used.',
    );
  }
  const plan = {
    planId: randomUUID(),
    form,
    sourceFile: file,
    title: parts.title.slice(0, 1000),
    canvas: parts.canvas,
    placement: parts.lessonPlacement,
    slides: parts.slides,
    assets: parts.assets.map(({ key, kind, source }) => ({ key, kind, source })),
    notes: parts.notes.slice(0, 200).map((note) => note.slice(0, 2000)),
  };
  // The plan crosses to the page: it must be what the contract says, whatever the file held.
  const checked = predecessorPlanSchema.safeParse(plan);
  if (!checked.success) {
    return err('invalid-request', `${fileName} cannot be imported as a lesson`, {
      details: checked.error.issues
        .slice(0, maxDetails)
        .map((issue) => `${formatJsonPath(issue.path)}: ${issue.message}`),
      hint: formatHint,
    });
  }
  const assets = new Map<string, PlannedAsset>(parts.assets.map((asset) => [asset.key, asset]));
  return ok({ plan: checked.data, assets });
}
