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
  const prefix = [0];
  for (const duration of durationsMs)
    prefix.push(prefix[prefix.length - 1]! + Math.max(0, duration));
  const spanMs = (from: number, to: number) => prefix[to]! - prefix[from]!;
  // best[k][i]: the least longest range for the first i slides in k ranges; cut[k][i]: where the
  // last of them starts.
  const best: number[][] = [Array.from({ length: count + 1 }, (_, i) => (i === 0 ? 0 : Infinity))];
  const cut: number[][] = [Array.from({ length: count + 1 }, () => 0)];
  for (let k = 1; k <= partCount; k += 1) {
    const row = Array.from({ length: count + 1 }, () => Infinity);
    const cutRow = Array.from({ length: count + 1 }, () => 0);
    for (let i = k; i <= count; i += 1) {
      for (let start = k - 1; start < i; start += 1) {
        const longest = Math.max(best[k - 1]![start]!, spanMs(start, i));
        // Ties go to the later cut: earlier parts then carry no more than later ones.
        if (longest <= row[i]!) {
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
    const start = cut[k]![end]!;
    ranges.unshift({ fromSlide: start, toSlide: end });
    end = start;
  }
  return ranges;
}
