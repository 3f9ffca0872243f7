import type { NormalisedRect } from '../../../../shared/lesson/lesson-schema.ts';
import { defaultPlacement } from '../../../../shared/lesson/lesson-schema.ts';
import type { PlanAsset, PlanSlide } from '../../../../shared/lesson/predecessor-import.ts';
import type { JsonPathSegment } from '../json-locator.ts';
import type { CanvasSize } from './predecessor-placement.ts';

/** What the two readers share: problems with their JSON paths, assets, sizes. */

export type JsonPath = JsonPathSegment[];

export interface Problem {
  /** Where in the file (the outer document for video-job documents). */
  path: JsonPath;
  /** Where inside `stringifiedDocJson`, for problems of the inner document. */
  innerPath?: JsonPath;
  message: string;
}

/** Where main finds an asset; kept in main with the plan, never sent to the page. */
export type AssetOrigin =
  | { type: 'url'; url: string }
  | { type: 'file'; path: string }
  | { type: 'unsupported'; reason: string };

export interface PlannedAsset extends PlanAsset {
  origin: AssetOrigin;
}

export interface PlanParts {
  title: string;
  canvas: CanvasSize;
  /** The lesson's avatar placement (the first slide's). */
  lessonPlacement: NormalisedRect;
  slides: PlanSlide[];
  assets: PlannedAsset[];
  notes: string[];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return `the text ${JSON.stringify(value.length > 30 ? `${value.slice(0, 30)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
}

/** The canvas the predecessor assumed when nothing says otherwise (data_parser.py). */
export const defaultCanvas: CanvasSize = { widthPx: 1920, heightPx: 1080 };

/**
 * Canvas sizes the predecessor knew: 1920x1080 (its default in rapido_system/api/data_parser.py
 * `get_slide_dimensions` and rapido_main.py `doc_canvas_size`, and its capture browser's
 * viewport in rapido_system/api/tab_capture/browser_service.py) and 1280x720 (rapido_main.py's
 * output fallback).
 */
export const knownCanvasSizes: readonly CanvasSize[] = [
  defaultCanvas,
  { widthPx: 1280, heightPx: 720 },
];

/** How far the predecessor's guess may be from a known size and still count as that size. */
const canvasTolerance = 0.1;

/**
 * The predecessor's canvas-size rule and its repair. The predecessor took the first object with
 * a width and height as the canvas (rapido_main.py `_load_presenter_positions`: "Try find canvas
 * dims from … objects", any object type; rapido_system/api/data_parser.py
 * `get_slide_dimensions`: the first `shape`), else 1920x1080. On the real documents that first
 * object is a background picture of 1945.37x1094.27 or a 350x350 circle, so the guess is taken
 * only when it lies within 10 % of a size the predecessor knew, and then as that size; otherwise
 * its default, 1920x1080 (which every real presenterConfig agrees with: see
 * predecessor-placement.ts).
 */
export function canvasFromFirstSizedObject(first: { width: number; height: number } | null): {
  canvas: CanvasSize;
  guessed: boolean;
} {
  if (first === null) return { canvas: defaultCanvas, guessed: false };
  for (const size of knownCanvasSizes) {
    const dx = Math.abs(first.width - size.widthPx) / size.widthPx;
    const dy = Math.abs(first.height - size.heightPx) / size.heightPx;
    if (dx <= canvasTolerance && dy <= canvasTolerance) return { canvas: size, guessed: true };
  }
  return { canvas: defaultCanvas, guessed: false };
}

/** The lesson's placement: the first slide's own one, else the first any slide has. */
export function lessonPlacementOf(placements: readonly (NormalisedRect | null)[]): NormalisedRect {
  return placements.find((placement) => placement !== null) ?? defaultPlacement;
}

/** Each slide keeps its placement only where it differs from the lesson's. */
export function onlyDiffering(
  placement: NormalisedRect | null,
  lesson: NormalisedRect,
): NormalisedRect | null {
  return placement !== null && !samePlacement(placement, lesson) ? placement : null;
}

/** Ids unique within the plan (the lesson requires them): repeats get `-2`, `-3`… */
export function uniqueIds(ids: readonly string[]): string[] {
  const used = new Set<string>();
  return ids.map((id) => {
    let candidate = id;
    for (let number = 2; used.has(candidate); number += 1) candidate = `${id}-${number}`;
    used.add(candidate);
    return candidate;
  });
}

/** An id the lesson accepts (the predecessor's are uuids; anything else is made safe). */
export function safeId(value: unknown, fallback: string): string {
  if (typeof value !== 'string') return fallback;
  const cleaned = value
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 100);
  return cleaned.length > 0 && cleaned !== '-' ? cleaned : fallback;
}

/** The first line of a text, shortened, as a title; null when empty. */
export function titleFromText(text: string): string | null {
  const line = text
    .split('\n')
    .map((part) => part.trim())
    .find((part) => part.length > 0);
  if (line === undefined) return null;
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** Two placements the same to a tenth of a thousandth of the frame (a slide keeps its own only when not). */
export function samePlacement(a: NormalisedRect, b: NormalisedRect): boolean {
  const close = (p: number, q: number) => Math.abs(p - q) < 1e-4;
  return close(a.x, b.x) && close(a.y, b.y) && close(a.width, b.width) && close(a.height, b.height);
}
