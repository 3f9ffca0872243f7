import type { Rect, Size } from './fit-rect.ts';

/** Whole pixels, y down, inside the output. */
export interface PixelRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The output pixels a quad over `rect` (output-normalised) can touch: rounded outwards plus a
 * one-pixel margin, so that no rasterisation or rounding detail can leave a stale pixel behind,
 * and clipped to the output. Null when none of it is inside.
 */
export function coveredPixels(rect: Rect, output: Size): PixelRect | null {
  const left = Math.max(0, Math.floor(rect.x * output.width) - 1);
  const top = Math.max(0, Math.floor(rect.y * output.height) - 1);
  const right = Math.min(output.width, Math.ceil((rect.x + rect.width) * output.width) + 1);
  const bottom = Math.min(output.height, Math.ceil((rect.y + rect.height) * output.height) + 1);
  if (!(right > left && bottom > top)) return null;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

function contains(outer: PixelRect, inner: PixelRect): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

function samePixels(a: PixelRect, b: PixelRect): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

/**
 * Where the background must be drawn again before this frame's avatar: under the last frame's
 * avatar, so nothing of it stays behind, and under this one if it blends over what is there. An
 * opaque avatar rewrites every pixel of its quad, but not its rectangle's rounding margin, so the
 * last rectangle is restored whenever it differs at all. A rectangle that contains the other is
 * drawn once.
 */
export function regionsToRestore(
  previous: PixelRect | null,
  current: PixelRect | null,
  currentIsOpaque: boolean,
): PixelRect[] {
  if (currentIsOpaque)
    return previous && !(current && samePixels(previous, current)) ? [previous] : [];
  if (!previous) return current ? [current] : [];
  if (!current || contains(previous, current)) return [previous];
  if (contains(current, previous)) return [current];
  return [previous, current];
}

/** The smallest rectangle holding both. */
export function unionPixels(a: PixelRect, b: PixelRect): PixelRect {
  const left = Math.min(a.x, b.x);
  const top = Math.min(a.y, b.y);
  const right = Math.max(a.x + a.width, b.x + b.width);
  const bottom = Math.max(a.y + a.height, b.y + b.height);
  return { x: left, y: top, width: right - left, height: bottom - top };
}

export function pixelsIntersect(a: PixelRect, b: PixelRect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * Where the background must be drawn again so that the caption, blended over the finished frame,
 * lands on clean pixels (blending it over itself would darken the box): the union of the old and
 * new caption when the caption changed (appeared, changed or went away), or the caption itself
 * when anything else this frame draws (`touched`: restored regions, the avatar) reaches into it.
 * Null when the caption already on the canvas stays as it is. Whenever the answer is not null
 * and there is a caption, the caption must be drawn again after the avatar.
 */
export function captionRegionToRestore(
  drawn: PixelRect | null,
  current: PixelRect | null,
  changed: boolean,
  touched: readonly PixelRect[],
): PixelRect | null {
  if (changed) return drawn && current ? unionPixels(drawn, current) : (drawn ?? current);
  if (!current) return null;
  return touched.some((region) => pixelsIntersect(region, current)) ? current : null;
}
