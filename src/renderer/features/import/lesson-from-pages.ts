import { fitRect, type Rect, type Size } from '../../engine/compositor/fit-rect.ts';
import {
  lessonSchema,
  type Lesson,
  type OutputSettings,
} from '../../../shared/lesson/lesson-schema.ts';
import { pageNarrations, type TextLine } from './page-text.ts';
import { trimEndWhere, trimWhere } from '../../../shared/text/text-edges.ts';

/** The output sizes offered for an imported document; the lesson's frame rate is fixed at 25. */
export const importOutputSizes = [
  { label: '1280 × 720 (HD)', width: 1280, height: 720 },
  { label: '1920 × 1080 (Full HD)', width: 1920, height: 1080 },
] as const;
export const importFps = 25;

/** Extra time on a slide after its narration; a page without text is shown this long. */
export const textSlideHoldMs = 500;
export const silentSlideHoldMs = 3_000;

/** One rendered page: where its image was written (relative to the lesson) and its text. */
export interface ImportedPage {
  image: string;
  lines: readonly TextLine[];
}

export interface LessonFromPagesInput {
  /** The new lesson's folder (its name becomes the lesson id). */
  lessonDir: string;
  title: string;
  output: OutputSettings;
  pages: readonly ImportedPage[];
  /**
   * Titles and narration the source document carries itself, one per page (a PowerPoint deck's
   * title placeholders and speaker notes): used instead of the text read off the page.
   */
  slideTexts?: readonly SlideText[];
}

export interface SlideText {
  title?: string | undefined;
  narration: string;
}

/** Lesson ids name rooms and files: letters, digits, "_" and "-" only, at most 100. */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/gu, '-')
    .replace(/-{2,}/gu, '-');
  // Trimmed from each end, not with `/^[-_]+|[-_]+$/gu`: its end-anchored half is quadratic on a
  // long "-_-_" run (a document title is outside input).
  return trimWhere(slug, isSlugEdge).slice(0, 100);
}

function isSlugEdge(char: string): boolean {
  return char === '-' || char === '_';
}

function isSeparator(char: string): boolean {
  return char === '/' || char === '\\';
}

/** The last segment of a POSIX or Windows path. */
export function folderName(dir: string): string {
  return trimEndWhere(dir, isSeparator).split(/[\\/]/u).at(-1) ?? '';
}

/** The id: the folder's name slugged, else the title's, else "lesson". */
export function lessonIdFor(lessonDir: string, title: string): string {
  return slugify(folderName(lessonDir)) || slugify(title) || 'lesson';
}

/**
 * A document's title: its metadata Title when that says something (not "Untitled" or an
 * application's "Microsoft PowerPoint - talk.pptx"), else the file name without its extension.
 */
export function documentTitle(metadataTitle: string | undefined, fileName: string): string {
  const fromMetadata = (metadataTitle ?? '')
    .replace(/^microsoft (powerpoint|word) - /iu, '')
    .replace(/\.(pptx?|pdf|key|odp|docx?)$/iu, '')
    .trim();
  if (/\p{L}/u.test(fromMetadata) && !/^untitled\b/iu.test(fromMetadata)) return fromMetadata;
  const fromFile = fileName
    .replace(/\.[A-Za-z0-9]{1,5}$/u, '')
    .replace(/[_]+/gu, ' ')
    .trim();
  return fromFile.length > 0 ? fromFile : 'Imported lesson';
}

/**
 * Where a page of `page` size lands in an output of `output` size: as large as fits, centred,
 * on whole pixels (the rest is letterbox). A page within a pixel of the output's aspect fills it.
 */
export function pagePlacement(page: Size, output: Size): Rect {
  const fitted = fitRect(page, { x: 0, y: 0, ...output }, 'contain', 'center');
  const width = Math.min(output.width, Math.max(1, Math.round(fitted.width)));
  const height = Math.min(output.height, Math.max(1, Math.round(fitted.height)));
  const filled = {
    width: output.width - width <= 1 ? output.width : width,
    height: output.height - height <= 1 ? output.height : height,
  };
  return {
    x: Math.floor((output.width - filled.width) / 2),
    y: Math.floor((output.height - filled.height) / 2),
    ...filled,
  };
}

/** The image path of page `pageNumber` (1-based): slides/page-01.png, sorted by name. */
export function pageImagePath(pageNumber: number, pageCount: number): string {
  const digits = Math.max(2, String(pageCount).length);
  return `slides/page-${String(pageNumber).padStart(digits, '0')}.png`;
}

/**
 * The lesson made from a document's rendered pages: one slide per page (ids s1, s2, ...), the
 * page's text as narration for the teacher to edit, empty notes, the offline voice and local
 * avatar by default. Throws when the result is not a valid lesson (e.g. no pages).
 */
export function lessonFromPages(input: LessonFromPagesInput): Lesson {
  const texts: readonly SlideText[] =
    input.slideTexts ?? pageNarrations(input.pages.map((page) => page.lines));
  return lessonSchema.parse({
    schemaVersion: 1,
    id: lessonIdFor(input.lessonDir, input.title),
    title: input.title.trim() || 'Imported lesson',
    output: input.output,
    slides: input.pages.map((page, index) => {
      const text: SlideText = texts[index] ?? { title: undefined, narration: '' };
      return {
        id: `s${index + 1}`,
        image: page.image,
        narration: text.narration,
        notes: '',
        holdMs: text.narration.length > 0 ? textSlideHoldMs : silentSlideHoldMs,
        ...(text.title === undefined ? {} : { title: text.title }),
      };
    }),
  });
}
