import type { PlanSlide } from '../../../../shared/lesson/predecessor-import.ts';
import type { JsonDocument } from '../json-locator.ts';
import type { JsonPath, PlanParts, PlannedAsset, Problem } from './plan-common.ts';
import {
  defaultCanvas,
  describeValue,
  isRecord,
  lessonPlacementOf,
  onlyDiffering,
  safeId,
  uniqueIds,
} from './plan-common.ts';
import { presenterFromConfig, type PredecessorPresenter } from './predecessor-placement.ts';
import { suppliedImageFor, type SuppliedImages } from './supplied-images.ts';

/**
 * The predecessor's parsed slide data (`rapido_system/data/parsed_slideData/<jobId>.json`),
 * written by `_parse_slides_from_doc` in alin-anjum/agent_streaming_backend
 * rapido_system/api/video_job_service.py:
 * `{"slides": [{"slideInfo": {"position", "slideType", "narrationData", "narrationDuration",
 * "slideId", "embedId", "presenterConfig"}}]}`.
 * - `slideType` 1 is a canvas slide, 2 anything else (an embed); for 2 the canvas fields are "".
 * - `narrationDuration` is the editor's `totalDuration`: milliseconds (e.g. 4478 for a
 *   six-word sentence).
 * - `presenterConfig` is in the document's canvas pixels; the form keeps no canvas size, so the
 *   predecessor's default 1920x1080 applies (see plan-common.ts).
 * It holds no pictures: each slide is a title card unless a folder supplies an image by id or
 * position.
 */

export interface ParsedSlideDataOptions {
  /** The title when nothing better is known (from the file name). */
  fallbackTitle: string;
  /** The named folder, else SLIDE_FRAMES_PATH; null when neither. */
  images: SuppliedImages | null;
}

/** True when the value looks like this form (a `slides` list of `slideInfo` objects). */
export function isParsedSlideData(root: unknown): boolean {
  if (!isRecord(root) || !Array.isArray(root.slides)) return false;
  const first: unknown = root.slides[0];
  return isRecord(first) && Object.hasOwn(first, 'slideInfo');
}

interface ReadSlide {
  id: string | null;
  position: number;
  embedId: string | null;
  narration: string;
  durationMs: number | null;
  presenter: PredecessorPresenter;
  path: JsonPath;
}

function readSlide(value: unknown, index: number, problems: Problem[]): ReadSlide | null {
  const slidePath: JsonPath = ['slides', index];
  if (!isRecord(value)) {
    problems.push({
      path: slidePath,
      message: `expected a slide object, got ${describeValue(value)}`,
    });
    return null;
  }
  const info = value.slideInfo;
  const path: JsonPath = [...slidePath, 'slideInfo'];
  if (!isRecord(info)) {
    problems.push({ path, message: `expected a "slideInfo" object, got ${describeValue(info)}` });
    return null;
  }
  const before = problems.length;
  let position = index + 1;
  if (Object.hasOwn(info, 'position')) {
    const raw = info.position;
    if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 1 && raw <= 100_000) {
      position = raw;
    } else {
      problems.push({
        path: [...path, 'position'],
        message: `expected the slide's position (1, 2, …), got ${describeValue(raw)}`,
      });
    }
  }
  const slideType = info.slideType ?? 1;
  if (slideType !== 1 && slideType !== 2) {
    problems.push({
      path: [...path, 'slideType'],
      message: `expected 1 (a canvas slide) or 2 (any other), got ${describeValue(slideType)}`,
    });
  }
  const narrationRaw = info.narrationData ?? '';
  if (typeof narrationRaw !== 'string') {
    problems.push({
      path: [...path, 'narrationData'],
      message: `expected the narration text, got ${describeValue(narrationRaw)}`,
    });
  } else if (narrationRaw.trim().length > 20_000) {
    problems.push({
      path: [...path, 'narrationData'],
      message: `the narration is ${narrationRaw.trim().length} characters; a slide may have 20,000 (split the slide)`,
    });
  }
  const durationRaw = info.narrationDuration ?? '';
  let durationMs: number | null = null;
  if (typeof durationRaw === 'number' && Number.isFinite(durationRaw) && durationRaw >= 0) {
    durationMs = Math.min(86_400_000, Math.round(durationRaw));
  } else if (durationRaw !== '') {
    problems.push({
      path: [...path, 'narrationDuration'],
      message: `expected the narration's length in milliseconds (e.g. 4478), got ${describeValue(durationRaw)}`,
    });
  }
  const presenter = presenterFromConfig(info.presenterConfig, defaultCanvas);
  if (!presenter.ok) {
    problems.push({
      path: [...path, 'presenterConfig', ...(presenter.key === null ? [] : [presenter.key])],
      message: presenter.message,
    });
  }
  for (const key of ['slideId', 'embedId'] as const) {
    const raw = info[key];
    if (raw !== undefined && raw !== null && typeof raw !== 'string') {
      problems.push({
        path: [...path, key],
        message: `expected an id (text), got ${describeValue(raw)}`,
      });
    }
  }
  if (problems.length > before || !presenter.ok) return null;
  const text = (value: unknown) =>
    typeof value === 'string' && value.trim().length > 0 ? value.trim() : null;
  return {
    id: text(info.slideId),
    position,
    embedId: text(info.embedId),
    narration: typeof narrationRaw === 'string' ? narrationRaw.trim() : '',
    durationMs,
    presenter: presenter.presenter,
    path,
  };
}

/** The plan's parts, or the problems (each with its path) when the file is not this form. */
export function planFromParsedSlideData(
  document: JsonDocument,
  options: ParsedSlideDataOptions,
  problems: Problem[],
): PlanParts | null {
  const root = document.value;
  if (!isRecord(root) || !Array.isArray(root.slides)) {
    problems.push({ path: isRecord(root) ? ['slides'] : [], message: 'expected a "slides" list' });
    return null;
  }
  if (root.slides.length === 0) {
    problems.push({ path: ['slides'], message: 'the slide list is empty' });
    return null;
  }
  if (root.slides.length > 5000) {
    problems.push({
      path: ['slides'],
      message: `${root.slides.length} slides; a lesson may have 5000`,
    });
    return null;
  }
  const read = root.slides.map((slide: unknown, index) => readSlide(slide, index, problems));
  if (problems.length > 0) return null;
  const slides = read.filter((slide): slide is ReadSlide => slide !== null);

  const lessonPlacement = lessonPlacementOf(slides.map((slide) => slide.presenter.placement));
  const ids = uniqueIds(
    slides.map((slide) => safeId(slide.id ?? slide.embedId, `slide-${slide.position}`)),
  );
  const assets: PlannedAsset[] = [];
  let titleCards = 0;
  const planSlides: PlanSlide[] = slides.map((slide, index) => {
    const image =
      options.images === null
        ? null
        : suppliedImageFor(options.images, { id: slide.id, position: slide.position });
    let visual: PlanSlide['visual'] = { kind: 'title-card' };
    if (image !== null) {
      const key = `slide-image-${index + 1}`;
      assets.push({ key, kind: 'image', source: image, origin: { type: 'file', path: image } });
      visual = { kind: 'image', asset: key };
    } else {
      titleCards += 1;
    }
    return {
      id: ids[index] ?? `slide-${slide.position}`,
      position: slide.position,
      title: null,
      narration: slide.narration,
      narrationDurationMs: slide.durationMs,
      placement: onlyDiffering(slide.presenter.placement, lessonPlacement),
      presenterHidden: slide.presenter.hidden,
      visual,
      recorded: null,
    };
  });

  const notes: string[] = [];
  if (titleCards > 0) {
    notes.push(
      options.images === null
        ? `Parsed slide data has no images: ${titleCards} slide${titleCards === 1 ? '' : 's'} get a title card. Name a folder of slide images (by position or slide id), or set SLIDE_FRAMES_PATH, to use pictures instead.`
        : `Parsed slide data has no images and ${options.images.dir} has none for ${titleCards} slide${titleCards === 1 ? '' : 's'} (by position or slide id): they get a title card.`,
    );
  }
  if (assets.length > 0 && options.images !== null) {
    notes.push(
      `Slide images for ${assets.length} slide${assets.length === 1 ? '' : 's'} come from ${options.images.dir}.`,
    );
  }
  const embeds = slides.filter((slide) => slide.embedId !== null && slide.id === null).length;
  if (embeds > 0) {
    notes.push(
      `${embeds === 1 ? '1 slide is not a canvas slide' : `${embeds} slides are not canvas slides`} (slideType 2: an embed); parsed slide data keeps no URL or title for ${embeds === 1 ? 'it' : 'them'}.`,
    );
  }
  return {
    title: options.fallbackTitle,
    canvas: defaultCanvas,
    lessonPlacement,
    slides: planSlides,
    assets,
    notes,
  };
}
