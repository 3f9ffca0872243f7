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
