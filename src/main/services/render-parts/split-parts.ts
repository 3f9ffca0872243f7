/**
 * Where a lesson is cut for a parallel render (`rapido render --parallel N`): at slide boundaries
 * only (a slide starts on a key frame, so the parts join without re-encoding), into contiguous
 * ranges whose longest is as short as it can be.
 */
export interface SlideRange {
  fromSlide: number;
  /** One past the last slide. */
  toSlide: number;
}

export const maxParallelParts = 8;

/**
 * Splits slides of these lengths into `parts` contiguous, non-empty ranges (fewer when there are
 * fewer slides) minimising the longest range: the parts render side by side, so the longest one
 * is the wall time. Exact (dynamic programming over the cut points): a lesson has hundreds of
 * slides at most and parts are at most eight, so it costs nothing next to a render.
 */
export function splitSlides(durationsMs: readonly number[], parts: number): SlideRange[] {
  const count = durationsMs.length;
  if (count === 0) return [];
  const partCount = Math.max(1, Math.min(Math.floor(parts), count));
  const prefix = new Float64Array(count + 1);
  durationsMs.forEach((duration, index) => {
    prefix[index + 1] = (prefix[index] ?? 0) + Math.max(0, duration);
  });
  const spanMs = (from: number, to: number) => (prefix[to] ?? 0) - (prefix[from] ?? 0);
  // best[k][i]: the least longest range for the first i slides in k ranges; cut[k][i]: where the
  // last of them starts.
  const best: Float64Array[] = [new Float64Array(count + 1).fill(Infinity)];
  const cut: Int32Array[] = [new Int32Array(count + 1)];
  best[0]?.fill(0, 0, 1);
  for (let k = 1; k <= partCount; k += 1) {
    const previous = best[k - 1] ?? new Float64Array(0);
    const row = new Float64Array(count + 1).fill(Infinity);
    const cutRow = new Int32Array(count + 1);
    for (let i = k; i <= count; i += 1) {
      for (let start = k - 1; start < i; start += 1) {
        const longest = Math.max(previous[start] ?? Infinity, spanMs(start, i));
        // Ties go to the later cut: earlier parts then carry no more than later ones.
        if (longest <= (row[i] ?? Infinity)) {
          row[i] = longest;
          cutRow[i] = start;
        }
      }
    }
    best.push(row);
    cut.push(cutRow);
  }
  const ranges: SlideRange[] = [];
  let end = count;
  for (let k = partCount; k >= 1; k -= 1) {
    const start = cut[k]?.[end] ?? 0;
    ranges.unshift({ fromSlide: start, toSlide: end });
    end = start;
  }
  return ranges;
}
