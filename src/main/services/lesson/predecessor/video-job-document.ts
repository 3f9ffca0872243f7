import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecordedWord } from '../../../../shared/lesson/lesson-schema.ts';
import { recordedWordSchema } from '../../../../shared/lesson/lesson-schema.ts';
import type {
  DrawingObject,
  PlanSlide,
  SlideVisual,
} from '../../../../shared/lesson/predecessor-import.ts';
import type { JsonDocument } from '../json-locator.ts';
import { scanJson } from '../json-locator.ts';
import { readObject } from './document-objects.ts';
import type { AssetOrigin, JsonPath, PlanParts, PlannedAsset, Problem } from './plan-common.ts';
import {
  canvasFromFirstSizedObject,
  describeValue,
  isRecord,
  lessonPlacementOf,
  onlyDiffering,
  safeId,
  titleFromText,
  uniqueIds,
} from './plan-common.ts';
import type { CanvasSize, PredecessorPresenter } from './predecessor-placement.ts';
import { presenterFromConfig } from './predecessor-placement.ts';

/**
 * The predecessor's video-job documents (`rapido_system/data/slideData/<jobId>.json` in
 * alin-anjum/agent_streaming_backend): `{docId, stringifiedDocJson, videoUrl, …}` where
 * `stringifiedDocJson` is a JSON string holding `{slides: […], presenter: {id, name, imageUrl}}`
 * (the predecessor found that string at the top level or under `data`, `payload` or `document`:
 * rapido_system/api/video_job_service.py `_extract_stringified_doc_json`; so does this).
 * A canvas slide (`contentType: "canvas"`) has backgroundColor, backgroundImage (a URL),
 * presenterConfig (null: then defaultPresenterConfig, as rapido_main.py read it), objects and
 * narrationData {text, totalDuration (ms), tokens [{text, startTime, endTime} ms], audioUrl}; an
 * embed slide (`contentType: "embed"`) has `embed {type: "iframe", url, title}`.
 *
 * Problems inside the string carry two paths: the outer one (`stringifiedDocJson`, with the
 * file's line) and the inner one (`slides[3].objects[2].transform`, with the line and column in
 * the string's own text).
 */

const holders = ['data', 'payload', 'document'] as const;

/** True when the value is this form: a `stringifiedDocJson` string, or the document itself. */
export function isVideoJobDocument(root: unknown): boolean {
  if (!isRecord(root)) return false;
  if (typeof root.stringifiedDocJson === 'string') return true;
  if (
    holders.some((key) => isRecord(root[key]) && typeof root[key].stringifiedDocJson === 'string')
  ) {
    return true;
  }
  // The inner document on its own (as rapido_main.py kept it in captured_documents/).
  const first: unknown = Array.isArray(root.slides) ? root.slides[0] : undefined;
  return isRecord(first) && typeof first.contentType === 'string';
}

export interface InnerDocument {
  /** Null when the file is the inner document itself. */
  outerPath: JsonPath | null;
  document: JsonDocument;
}

/** The inner document (scanned, so its paths can be located), or a problem. */
export function innerDocumentOf(outer: JsonDocument, problems: Problem[]): InnerDocument | null {
  const root = outer.value;
  if (!isRecord(root)) return null;
  let outerPath: JsonPath | null = null;
  let text: string | null = null;
  if (typeof root.stringifiedDocJson === 'string') {
    outerPath = ['stringifiedDocJson'];
    text = root.stringifiedDocJson;
  } else {
    for (const key of holders) {
      const holder = root[key];
      if (isRecord(holder) && typeof holder.stringifiedDocJson === 'string') {
        outerPath = [key, 'stringifiedDocJson'];
        text = holder.stringifiedDocJson;
        break;
      }
    }
  }
  if (outerPath === null || text === null) return { outerPath: null, document: outer };
  const scanned = scanJson(text);
  if (!scanned.ok) {
    const { line, column, message } = scanned.error;
    problems.push({
      path: outerPath,
      message: `the document in this string is not JSON: ${message} (line ${line}, column ${column} of the string's text)`,
    });
    return null;
  }
  return { outerPath, document: scanned.document };
}

export interface DocumentOptions {
  /** The JSON's folder: relative picture paths are beside it. */
  baseDir: string;
  fallbackTitle: string;
}

/** Where main finds a picture or recording the document names. */
export function originOf(source: string, baseDir: string): AssetOrigin {
  const lower = source.toLowerCase();
  if (lower.startsWith('http://') || lower.startsWith('https://')) {
    try {
      return { type: 'url', url: new URL(source).href };
    } catch {
      return { type: 'unsupported', reason: 'not a valid URL' };
    }
  }
  if (lower.startsWith('file:')) {
    try {
      return { type: 'file', path: fileURLToPath(source) };
    } catch {
      return { type: 'unsupported', reason: 'not a valid file URL' };
    }
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(source) && !/^[a-z]:[\\/]/i.test(source)) {
    return {
      type: 'unsupported',
      reason: `${source.split(':')[0] ?? ''}: addresses are not fetched (http, https and files are)`,
    };
  }
  return { type: 'file', path: isAbsolute(source) ? source : resolve(baseDir, source) };
}

interface SlideContext {
  index: number;
  path: JsonPath;
  problems: Problem[];
  notes: string[];
  canvas: CanvasSize;
  asset: (kind: 'image' | 'audio', source: string) => string;
}

interface ReadDocumentSlide {
  rawId: unknown;
  title: string | null;
  narration: string;
  durationMs: number | null;
  presenter: PredecessorPresenter;
  visual: SlideVisual;
  recorded: PlanSlide['recorded'];
}

function innerProblem(context: SlideContext, path: JsonPath, message: string): void {
  context.problems.push({ path: [], innerPath: path, message });
}

function readNarration(
  slide: Record<string, unknown>,
  context: SlideContext,
): Pick<ReadDocumentSlide, 'narration' | 'durationMs' | 'recorded'> | null {
  const raw = slide.narrationData;
  const path = [...context.path, 'narrationData'];
  if (raw === undefined || raw === null) return { narration: '', durationMs: null, recorded: null };
  if (!isRecord(raw)) {
    innerProblem(
      context,
      path,
      `expected {"text", "totalDuration", "tokens", "audioUrl"}, got ${describeValue(raw)}`,
    );
    return null;
  }
  const text = raw.text ?? '';
  if (typeof text !== 'string') {
    innerProblem(
      context,
      [...path, 'text'],
      `expected the narration text, got ${describeValue(text)}`,
    );
    return null;
  }
  if (text.trim().length > 20_000) {
    innerProblem(
      context,
      [...path, 'text'],
      `the narration is ${text.trim().length} characters; a slide may have 20,000 (split the slide)`,
    );
    return null;
  }
  const total = raw.totalDuration;
  let durationMs: number | null = null;
  if (typeof total === 'number' && Number.isFinite(total) && total >= 0) {
    durationMs = Math.min(86_400_000, Math.round(total));
  } else if (total !== undefined && total !== null && total !== '') {
    innerProblem(
      context,
      [...path, 'totalDuration'],
      `expected the narration's length in milliseconds, got ${describeValue(total)}`,
    );
    return null;
  }
  const audioUrl = typeof raw.audioUrl === 'string' ? raw.audioUrl.trim() : '';
  let recorded: PlanSlide['recorded'] = null;
  if (audioUrl.length > 0) {
    const words = readTokens(raw.tokens, [...path, 'tokens'], context);
    if (words === null) return null;
    recorded = { asset: context.asset('audio', audioUrl), words };
  }
  return { narration: text.trim(), durationMs, recorded };
}

/** The editor's word timings (ms from the recording's start) as recorded words. */
function readTokens(value: unknown, path: JsonPath, context: SlideContext): RecordedWord[] | null {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    innerProblem(
      context,
      path,
      `expected a list of {"text", "startTime", "endTime"}, got ${describeValue(value)}`,
    );
    return null;
  }
  if (value.length > 20_000) {
    innerProblem(context, path, `${value.length} words; a slide may have 20,000`);
    return null;
  }
  const words: RecordedWord[] = [];
  for (const [index, token] of value.entries()) {
    if (!isRecord(token)) {
      innerProblem(
        context,
        [...path, index],
        `expected {"text", "startTime", "endTime"}, got ${describeValue(token)}`,
      );
      return null;
    }
    const text = typeof token.text === 'string' ? token.text.trim() : '';
    // Pauses and punctuation-only tokens carry no word to highlight.
    if (text.length === 0) continue;
    const word = {
      text: text.slice(0, 200),
      startMs: typeof token.startTime === 'number' ? Math.round(token.startTime) : Number.NaN,
      endMs: typeof token.endTime === 'number' ? Math.round(token.endTime) : Number.NaN,
    };
    const parsed = recordedWordSchema.safeParse(word);
    if (!parsed.success) {
      const key = !(word.startMs >= 0 && word.startMs <= 3_600_000) ? 'startTime' : 'endTime';
      innerProblem(
        context,
        [...path, index, key],
        `expected times in ms from the recording's start (0…3,600,000, end not before start), got startTime ${describeValue(token.startTime)}, endTime ${describeValue(token.endTime)}`,
      );
      return null;
    }
    words.push(parsed.data);
  }
  return words;
}

function readCanvasSlide(
  slide: Record<string, unknown>,
  context: SlideContext,
): Omit<ReadDocumentSlide, 'rawId' | 'narration' | 'durationMs' | 'recorded'> | null {
  const before = context.problems.length;
  const configKey =
    slide.presenterConfig === null || slide.presenterConfig === undefined
      ? 'defaultPresenterConfig'
      : 'presenterConfig';
  const presenter = presenterFromConfig(slide[configKey], context.canvas);
  if (!presenter.ok) {
    innerProblem(
      context,
      [...context.path, configKey, ...(presenter.key === null ? [] : [presenter.key])],
      presenter.message,
    );
  }
  const rawObjects = slide.objects ?? [];
  if (!Array.isArray(rawObjects)) {
    innerProblem(
      context,
      [...context.path, 'objects'],
      `expected a list of objects, got ${describeValue(rawObjects)}`,
    );
    return null;
  }
  if (rawObjects.length > 2000) {
    innerProblem(
      context,
      [...context.path, 'objects'],
      `${rawObjects.length} objects; a slide may have 2000`,
    );
    return null;
  }
  const objects: DrawingObject[] = [];
  for (const [index, value] of rawObjects.entries()) {
    const object = readObject(value, index, {
      path: [...context.path, 'objects', index],
      problems: context.problems,
      skip: (reason) => context.notes.push(`Slide ${context.index + 1}: ${reason}; left out.`),
      imageAsset: (source) => context.asset('image', source),
    });
    if (object !== null) objects.push(object);
  }
  // Problems of objects are recorded without the outer path; the caller fills it in.
  const background = typeof slide.backgroundImage === 'string' ? slide.backgroundImage.trim() : '';
  const backgroundColor =
    typeof slide.backgroundColor === 'string' &&
    slide.backgroundColor.trim().length > 0 &&
    slide.backgroundColor.trim() !== 'transparent'
      ? slide.backgroundColor.trim().slice(0, 100)
      : null;
  if (context.problems.length > before || !presenter.ok) return null;
  const heading = objects.find((object) => object.kind === 'text' && object.variant === 'heading');
  return {
    title: heading?.kind === 'text' ? titleFromText(heading.content) : null,
    presenter: presenter.presenter,
    visual: {
      kind: 'canvas',
      backgroundColor,
      backgroundAsset: background.length > 0 ? context.asset('image', background) : null,
      objects,
    },
  };
}

function readEmbedSlide(
  slide: Record<string, unknown>,
  context: SlideContext,
): Omit<ReadDocumentSlide, 'rawId' | 'narration' | 'durationMs' | 'recorded'> | null {
  const embed = slide.embed;
  if (!isRecord(embed)) {
    innerProblem(
      context,
      [...context.path, 'embed'],
      `expected {"type": "iframe", "url", "title"}, got ${describeValue(embed)}`,
    );
    return null;
  }
  const url = typeof embed.url === 'string' ? embed.url.trim().slice(0, 4000) : '';
  const title = typeof embed.title === 'string' ? embed.title.trim().slice(0, 1000) : '';
  if (url.length === 0 && title.length === 0) {
    innerProblem(context, [...context.path, 'embed'], 'an embed needs a url or a title');
    return null;
  }
  context.notes.push(
    `Slide ${context.index + 1} embeds ${url.length > 0 ? url : 'a page'}: it becomes a card with its title and address (the page itself cannot be recorded).`,
  );
  return {
    title: title.length > 0 ? title : null,
    presenter: { placement: null, hidden: false },
    visual: { kind: 'embed', title, url },
  };
}

/** The first object with a width and height, in document order (the predecessor's guess). */
function firstSizedObject(slides: readonly unknown[]): { width: number; height: number } | null {
  for (const slide of slides) {
    if (!isRecord(slide) || slide.contentType !== 'canvas' || !Array.isArray(slide.objects))
      continue;
    for (const object of slide.objects as unknown[]) {
      if (!isRecord(object)) continue;
      const { width, height } = object;
      if (typeof width === 'number' && typeof height === 'number' && width > 0 && height > 0) {
        return { width, height };
      }
    }
  }
  return null;
}

export function planFromVideoJobDocument(
  inner: InnerDocument,
  options: DocumentOptions,
  problems: Problem[],
): PlanParts | null {
  const innerProblems: Problem[] = [];
  const root = inner.document.value;
  if (!isRecord(root) || !Array.isArray(root.slides)) {
    innerProblems.push({
      path: [],
      innerPath: isRecord(root) ? ['slides'] : [],
      message: 'expected a "slides" list',
    });
  } else if (root.slides.length === 0) {
    innerProblems.push({ path: [], innerPath: ['slides'], message: 'the slide list is empty' });
  } else if (root.slides.length > 5000) {
    innerProblems.push({
      path: [],
      innerPath: ['slides'],
      message: `${root.slides.length} slides; a lesson may have 5000`,
    });
  }
  const slidesValue: unknown[] =
    isRecord(root) && Array.isArray(root.slides) && innerProblems.length === 0 ? root.slides : [];
  const { canvas } = canvasFromFirstSizedObject(firstSizedObject(slidesValue));

  const assets: PlannedAsset[] = [];
  const keyBySource = new Map<string, string>();
  const asset = (kind: 'image' | 'audio', source: string): string => {
    const known = keyBySource.get(`${kind} ${source}`);
    if (known !== undefined) return known;
    const key = `${kind}-${assets.filter((entry) => entry.kind === kind).length + 1}`;
    keyBySource.set(`${kind} ${source}`, key);
    assets.push({
      key,
      kind,
      source: source.slice(0, 4000),
      origin: originOf(source, options.baseDir),
    });
    return key;
  };
  const notes: string[] = [];
  const read: ReadDocumentSlide[] = [];
  slidesValue.forEach((slide, index) => {
    const path: JsonPath = ['slides', index];
    const context: SlideContext = { index, path, problems: innerProblems, notes, canvas, asset };
    if (!isRecord(slide)) {
      innerProblem(context, path, `expected a slide object, got ${describeValue(slide)}`);
      return;
    }
    const type = slide.contentType;
    const shown =
      type === 'canvas'
        ? readCanvasSlide(slide, context)
        : type === 'embed'
          ? readEmbedSlide(slide, context)
          : null;
    if (type !== 'canvas' && type !== 'embed') {
      innerProblem(
        context,
        [...path, 'contentType'],
        `expected "canvas" or "embed", got ${describeValue(type)}`,
      );
    }
    const narration = readNarration(slide, context);
    if (shown === null || narration === null) return;
    read.push({ rawId: slide.id, ...shown, ...narration });
  });
  for (const problem of innerProblems) {
    problems.push(
      inner.outerPath === null
        ? { path: problem.innerPath ?? [], message: problem.message }
        : { path: inner.outerPath, innerPath: problem.innerPath ?? [], message: problem.message },
    );
  }
  if (innerProblems.length > 0) return null;

  const lessonPlacement = lessonPlacementOf(read.map((slide) => slide.presenter.placement));
  const ids = uniqueIds(read.map((slide, index) => safeId(slide.rawId, `slide-${index + 1}`)));
  const slides: PlanSlide[] = read.map((slide, index) => ({
    id: ids[index] ?? `slide-${index + 1}`,
    position: index + 1,
    title: slide.title,
    narration: slide.narration,
    narrationDurationMs: slide.durationMs,
    placement: onlyDiffering(slide.presenter.placement, lessonPlacement),
    presenterHidden: slide.presenter.hidden,
    visual: slide.visual,
    recorded: slide.recorded,
  }));
  const recorded = slides.filter((slide) => slide.recorded !== null).length;
  if (recorded > 0) {
    notes.push(
      `${recorded} slide${recorded === 1 ? ' has' : 's have'} the predecessor's recorded narration with word timings (kept only when "Keep the recorded narration" is chosen).`,
    );
  }
  const title = slides.find((slide) => slide.title !== null)?.title ?? options.fallbackTitle;
  return { title, canvas, lessonPlacement, slides, assets, notes };
}
