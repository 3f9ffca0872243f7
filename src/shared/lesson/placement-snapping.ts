import type { NormalisedRect } from './lesson-schema.ts';

/**
 * The geometry behind placing the avatar on the program: moving and resizing its rectangle in
 * normalised output coordinates (0..1 on each axis, y down), snapping to the output's edges,
 * centre lines and safe margin, keyboard nudges and presets. Pure, so the editor overlay only
 * turns pointer and key events into calls here.
 */

/** The smallest width or height the avatar may be given (5 % of the output). */
export const minPlacementSize = 0.05;
/** Broadcast-style safe margin: presets keep this far from the output's edges. */
export const defaultSafeMargin = 0.03;
/** How close (normalised) an edge or centre must come to a line to snap to it. */
export const defaultSnapThreshold = 0.015;

/** Which edges a resize handle moves: n(orth) is the top edge, w(est) the left one. */
export type ResizeHandle = 'n' | 's' | 'e' | 'w' | 'ne' | 'nw' | 'se' | 'sw';
export const resizeHandles: readonly ResizeHandle[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'];

/** A line the rectangle snapped to: axis 'x' is a vertical line at x = position. */
export interface SnapGuide {
  readonly axis: 'x' | 'y';
  readonly position: number;
}

export interface SnapOptions {
  /** False while Alt is held: the rectangle follows the pointer exactly. */
  readonly enabled: boolean;
  readonly threshold: number;
  readonly margin: number;
}

export const defaultSnapOptions: SnapOptions = {
  enabled: true,
  threshold: defaultSnapThreshold,
  margin: defaultSafeMargin,
};

export interface SnappedRect {
  readonly rect: NormalisedRect;
  readonly guides: readonly SnapGuide[];
}

/** The lines an edge or centre snaps to, on either axis: edges, safe margins, centre. */
export function snapLines(margin: number): number[] {
  return [0, margin, 0.5, 1 - margin, 1];
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** Within 0..1, at least the minimum size, no larger than the output. */
export function clampPlacement(rect: NormalisedRect): NormalisedRect {
  const width = clamp(rect.width, minPlacementSize, 1);
  const height = clamp(rect.height, minPlacementSize, 1);
  return {
    x: clamp(rect.x, 0, 1 - width),
    y: clamp(rect.y, 0, 1 - height),
    width,
    height,
  };
}

/**
 * The shift that brings the nearest of `edges` onto a line within the threshold, or 0. A shift
 * is only taken if the span [low, high] stays inside 0..1 (a centre snapped to 0 would not).
 */
function snapShift(
  edges: readonly number[],
  low: number,
  high: number,
  lines: readonly number[],
  threshold: number,
): number {
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const edge of edges) {
    for (const line of lines) {
      const shift = line - edge;
      const distance = Math.abs(shift);
      if (distance > threshold || distance >= bestDistance) continue;
      if (low + shift < -1e-9 || high + shift > 1 + 1e-9) continue;
      best = shift;
      bestDistance = distance;
    }
  }
  return best;
}

/** The nearest line within the threshold of `value`, or `value` itself. */
function snapValue(value: number, lines: readonly number[], threshold: number): number {
  let best = value;
  let bestDistance = threshold;
  for (const line of lines) {
    const distance = Math.abs(line - value);
    if (distance <= bestDistance) {
      best = line;
      bestDistance = distance;
    }
  }
  return best;
}

const onLineEpsilon = 1e-6;

/** The lines that any of `xs` / `ys` lie on, to draw as guides. */
function guidesFor(
  xs: readonly number[],
  ys: readonly number[],
  lines: readonly number[],
): SnapGuide[] {
  const guides: SnapGuide[] = [];
  for (const line of lines) {
    if (xs.some((x) => Math.abs(x - line) < onLineEpsilon))
      guides.push({ axis: 'x', position: line });
    if (ys.some((y) => Math.abs(y - line) < onLineEpsilon))
      guides.push({ axis: 'y', position: line });
  }
  return guides;
}

/**
 * `start` moved by (dx, dy), kept inside the output, its left, centre or right (and top, centre
 * or bottom) snapped to the nearest line within the threshold.
 */
export function moveRect(
  start: NormalisedRect,
  dx: number,
  dy: number,
  options: SnapOptions = defaultSnapOptions,
): SnappedRect {
  const moved = clampPlacement({ ...start, x: start.x + dx, y: start.y + dy });
  if (!options.enabled) return { rect: moved, guides: [] };
  const lines = snapLines(options.margin);
  const { x, y, width, height } = moved;
  const shiftX = snapShift([x, x + width / 2, x + width], x, x + width, lines, options.threshold);
  const shiftY = snapShift(
    [y, y + height / 2, y + height],
    y,
    y + height,
    lines,
    options.threshold,
  );
  const rect = clampPlacement({ ...moved, x: x + shiftX, y: y + shiftY });
  return {
    rect,
    guides: guidesFor(
      [rect.x, rect.x + rect.width / 2, rect.x + rect.width],
      [rect.y, rect.y + rect.height / 2, rect.y + rect.height],
      lines,
    ),
  };
}

function movesLeft(handle: ResizeHandle): boolean {
  return handle.includes('w');
}
function movesRight(handle: ResizeHandle): boolean {
  return handle.includes('e');
}
function movesTop(handle: ResizeHandle): boolean {
  return handle.includes('n');
}
function movesBottom(handle: ResizeHandle): boolean {
  return handle.includes('s');
}

export function isCornerHandle(handle: ResizeHandle): boolean {
  return handle.length === 2;
}

/**
 * `start` resized by dragging `handle` by (dx, dy): the opposite edges stay put, moving edges
 * snap to the nearest line, the size stays at least the minimum and inside the output. With
 * `keepAspect` (Shift on a corner) the width-to-height ratio of `start` is kept; the edge that
 * moved further leads.
 */
export function resizeRect(
  start: NormalisedRect,
  handle: ResizeHandle,
  dx: number,
  dy: number,
  keepAspect: boolean,
  options: SnapOptions = defaultSnapOptions,
): SnappedRect {
  const lines = snapLines(options.margin);
  const threshold = options.enabled ? options.threshold : -1;
  let left = start.x;
  let right = start.x + start.width;
  let top = start.y;
  let bottom = start.y + start.height;

  if (movesLeft(handle)) left = snapValue(clamp(left + dx, 0, 1), lines, threshold);
  if (movesRight(handle)) right = snapValue(clamp(right + dx, 0, 1), lines, threshold);
  if (movesTop(handle)) top = snapValue(clamp(top + dy, 0, 1), lines, threshold);
  if (movesBottom(handle)) bottom = snapValue(clamp(bottom + dy, 0, 1), lines, threshold);

  // Minimum size: the moving edge gives way, never the anchored one.
  if (movesLeft(handle)) left = Math.min(left, right - minPlacementSize);
  if (movesRight(handle)) right = Math.max(right, left + minPlacementSize);
  if (movesTop(handle)) top = Math.min(top, bottom - minPlacementSize);
  if (movesBottom(handle)) bottom = Math.max(bottom, top + minPlacementSize);

  if (keepAspect && isCornerHandle(handle) && start.height > 0) {
    const aspect = start.width / start.height;
    let width = right - left;
    let height = bottom - top;
    if (width / aspect > height) height = width / aspect;
    else width = height * aspect;
    // The room the anchored corner leaves towards the moving one.
    const roomX = movesLeft(handle) ? right : 1 - left;
    const roomY = movesTop(handle) ? bottom : 1 - top;
    const fit = Math.min(1, roomX / width, roomY / height);
    width *= fit;
    height *= fit;
    const grow = Math.max(1, minPlacementSize / width, minPlacementSize / height);
    width *= grow;
    height *= grow;
    if (movesLeft(handle)) left = right - width;
    else right = left + width;
    if (movesTop(handle)) top = bottom - height;
    else bottom = top + height;
  }

  const rect = clampPlacement({ x: left, y: top, width: right - left, height: bottom - top });
  if (!options.enabled) return { rect, guides: [] };
  const xs: number[] = [];
  const ys: number[] = [];
  if (movesLeft(handle)) xs.push(rect.x);
  if (movesRight(handle)) xs.push(rect.x + rect.width);
  if (movesTop(handle)) ys.push(rect.y);
  if (movesBottom(handle)) ys.push(rect.y + rect.height);
  return { rect, guides: guidesFor(xs, ys, lines) };
}

export type ArrowKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown';

export function isArrowKey(key: string): key is ArrowKey {
  return key === 'ArrowLeft' || key === 'ArrowRight' || key === 'ArrowUp' || key === 'ArrowDown';
}

/**
 * The keyboard's move or resize: arrows move by `step`; in resize mode ←/→ narrow/widen from the
 * right edge and ↑/↓ make it shorter/taller from the bottom edge. No snapping: keys are exact.
 */
export function nudgeRect(
  rect: NormalisedRect,
  key: ArrowKey,
  step: number,
  mode: 'move' | 'resize',
): NormalisedRect {
  const dx = key === 'ArrowLeft' ? -step : key === 'ArrowRight' ? step : 0;
  const dy = key === 'ArrowUp' ? -step : key === 'ArrowDown' ? step : 0;
  if (mode === 'move') return clampPlacement({ ...rect, x: rect.x + dx, y: rect.y + dy });
  const width = clamp(rect.width + dx, minPlacementSize, 1 - rect.x);
  const height = clamp(rect.height + dy, minPlacementSize, 1 - rect.y);
  return clampPlacement({ ...rect, width, height });
}

export type CornerPreset = 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';
export const cornerPresets: readonly CornerPreset[] = [
  'bottom-right',
  'bottom-left',
  'top-right',
  'top-left',
];

/** The same size, moved into a corner, the safe margin away from both edges. */
export function cornerPlacement(
  rect: NormalisedRect,
  corner: CornerPreset,
  margin: number = defaultSafeMargin,
): NormalisedRect {
  const { width, height } = clampPlacement(rect);
  const x = corner.endsWith('right') ? 1 - margin - width : margin;
  const y = corner.startsWith('bottom') ? 1 - margin - height : margin;
  return clampPlacement({ x, y, width, height });
}

export type PipSize = 'small' | 'medium' | 'large';
export const pipSizes: readonly PipSize[] = ['small', 'medium', 'large'];
/** Picture-in-picture heights as a fraction of the output's height. */
export const pipHeights: Record<PipSize, number> = { small: 0.2, medium: 0.3, large: 0.45 };

/**
 * Picture in picture: the avatar frame's own aspect (so it fills the box exactly) at a fixed
 * share of the output's height, standing on the bottom edge with the safe margin, on the side
 * (left or right) where `current` is. Aspects are width / height in pixels.
 */
export function pipPlacement(
  current: NormalisedRect,
  size: PipSize,
  frameAspect: number,
  outputAspect: number,
  margin: number = defaultSafeMargin,
): NormalisedRect {
  let height = pipHeights[size];
  let width = (height * frameAspect) / outputAspect;
  // A very wide frame on a narrow output: shrink both to fit between the margins.
  const maxWidth = 1 - 2 * margin;
  if (width > maxWidth) {
    height *= maxWidth / width;
    width = maxWidth;
  }
  const right = current.x + current.width / 2 >= 0.5;
  const x = right ? 1 - margin - width : margin;
  return clampPlacement({ x, y: 1 - margin - height, width, height });
}

/** Placements compared at display precision: equal when no edge differs by 1e-6. */
export function samePlacement(a: NormalisedRect, b: NormalisedRect): boolean {
  return (
    Math.abs(a.x - b.x) < 1e-6 &&
    Math.abs(a.y - b.y) < 1e-6 &&
    Math.abs(a.width - b.width) < 1e-6 &&
    Math.abs(a.height - b.height) < 1e-6
  );
}

/**
 * Rounds to 1e-4 so lesson.json keeps readable numbers, then clamps again so the rounding never
 * pushes x + width over 1 (the schema's check).
 */
export function roundPlacement(rect: NormalisedRect): NormalisedRect {
  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  const width = round(rect.width);
  const height = round(rect.height);
  return {
    x: Math.min(round(rect.x), round(1 - width)),
    y: Math.min(round(rect.y), round(1 - height)),
    width,
    height,
  };
}
