/**
 * A frame counter drawn into the top-left corner of a video frame, so a subscriber can tell which
 * published frame it is looking at (glass-to-glass latency, dropped frames). One row of square
 * cells: a white and a black guard cell, then the 16 bits of the counter, most significant first
 * (white = 1). Cells are large (16 px by default) so the pattern survives 360p H.264/VP8
 * compression; the decoder samples only each cell's centre and thresholds against the guards, so
 * blur at cell edges and brightness shifts from the codec do not matter.
 */

export const counterBits = 16;
export const guardCellCount = 2;
export const patternCellCount = guardCellCount + counterBits;
export const defaultCellPx = 16;
/** Counters wrap here (2^16). */
export const counterModulo = 2 ** counterBits;

/** A guard pair whose luma differs by less than this (0..255) is not a pattern. */
const minimumGuardContrast = 96;
/** Side of the square sampled at each cell's centre, averaged. */
const samplePx = 4;

export interface PatternRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Every cell of the pattern, left to right: the two guards (true = white, false = black), then
 * the counter's bits, most significant first. The counter is taken modulo 2^16.
 */
export function counterCells(counter: number): boolean[] {
  const value = ((Math.trunc(counter) % counterModulo) + counterModulo) % counterModulo;
  const cells = [true, false];
  for (let bit = counterBits - 1; bit >= 0; bit -= 1) cells.push(((value >> bit) & 1) === 1);
  return cells;
}

/** Where the pattern sits in the frame, in pixels, y down. */
export function patternRect(cellPx: number = defaultCellPx): PatternRect {
  return { x: 0, y: 0, width: patternCellCount * cellPx, height: cellPx };
}

/** BT.601 luma of the `samplePx`-square (or whole-cell when smaller) centre of one cell. */
function cellLuma(rgba: Uint8ClampedArray, width: number, cellPx: number, cell: number): number {
  const side = Math.min(samplePx, cellPx);
  const left = cell * cellPx + Math.floor((cellPx - side) / 2);
  const top = Math.floor((cellPx - side) / 2);
  let sum = 0;
  for (let y = top; y < top + side; y += 1) {
    for (let x = left; x < left + side; x += 1) {
      const offset = (y * width + x) * 4;
      sum +=
        0.299 * (rgba[offset] ?? 0) +
        0.587 * (rgba[offset + 1] ?? 0) +
        0.114 * (rgba[offset + 2] ?? 0);
    }
  }
  return sum / (side * side);
}

/**
 * Reads the counter back from RGBA pixels (rows top-down, `width` pixels per row) whose top-left
 * corner holds the pattern. Null when the pixels are too small to hold it or the guards are not
 * clearly a white cell followed by a black one (no pattern, or a frame too damaged to trust).
 */
export function decodeCounter(
  rgba: Uint8ClampedArray,
  width: number,
  cellPx: number = defaultCellPx,
): number | null {
  const rect = patternRect(cellPx);
  if (cellPx < 1 || width < rect.width || rgba.length < width * rect.height * 4) return null;
  const white = cellLuma(rgba, width, cellPx, 0);
  const black = cellLuma(rgba, width, cellPx, 1);
  if (white - black < minimumGuardContrast) return null;
  const threshold = (white + black) / 2;
  let value = 0;
  for (let bit = 0; bit < counterBits; bit += 1) {
    const isSet = cellLuma(rgba, width, cellPx, guardCellCount + bit) > threshold;
    value = value * 2 + (isSet ? 1 : 0);
  }
  return value;
}
