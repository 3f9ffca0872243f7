/**
 * The bench's unit of reporting: one measured quantity over several runs, with its unit, so a
 * reader sees the spread next to the median and never a single lucky number. A ratio is formed
 * inside each run (numerator and denominator measured side by side, under the same load) and
 * only then summarised: a ratio of two medians taken at different times would hide that.
 */
export interface Figure {
  readonly unit: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** max - min over the runs. */
  readonly spread: number;
  /** One value per run, in run order. */
  readonly runs: readonly number[];
}

/** A part of the bench that could not measure, and why (never a made-up number). */
export interface Skipped {
  readonly skipped: string;
}

/** Four significant digits below 1000, whole numbers above: enough for any figure here. */
export function roundFigure(value: number): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 1000) return Math.round(value);
  if (value === 0) return 0;
  return Number(value.toPrecision(4));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle];
  if (upper === undefined) return Number.NaN;
  if (sorted.length % 2 === 1) return upper;
  return ((sorted[middle - 1] ?? upper) + upper) / 2;
}

/** The value at `fraction` (0..1) by nearest rank: p95 of frame times and the like. */
export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** A Figure from one sample per run. Non-finite samples are refused: a run that measured nothing. */
export function figure(unit: string, runs: readonly number[]): Figure {
  if (runs.length === 0) throw new Error(`no runs to summarise (${unit})`);
  const bad = runs.find((value) => !Number.isFinite(value));
  if (bad !== undefined) throw new Error(`a run measured ${String(bad)} ${unit}`);
  const min = Math.min(...runs);
  const max = Math.max(...runs);
  return {
    unit,
    median: roundFigure(median(runs)),
    min: roundFigure(min),
    max: roundFigure(max),
    spread: roundFigure(max - min),
    runs: runs.map(roundFigure),
  };
}

/** A Figure from the runs that measured something (null = that run could not), or null if none did. */
export function figureOf(unit: string, runs: readonly (number | null)[]): Figure | null {
  const measured = runs.filter(
    (value): value is number => value !== null && Number.isFinite(value),
  );
  return measured.length === 0 ? null : figure(unit, measured);
}

/**
 * numerator[i] / denominator[i] for each run i, then summarised. A run where either side is
 * missing or the denominator is not positive is left out (a ratio against nothing means nothing).
 */
export function ratioFigure(
  numerators: readonly (number | null)[],
  denominators: readonly (number | null)[],
  unit = 'ratio',
): Figure | null {
  if (numerators.length !== denominators.length) {
    throw new Error(
      `a ratio needs both sides from the same runs (${numerators.length} vs ${denominators.length})`,
    );
  }
  const ratios = numerators.map((numerator, index) => {
    const denominator = denominators[index];
    if (numerator === null || denominator === null || denominator === undefined) return null;
    return denominator > 0 ? numerator / denominator : null;
  });
  return figureOf(unit, ratios);
}

export function isFigure(value: unknown): value is Figure {
  if (typeof value !== 'object' || value === null) return false;
  return (
    'unit' in value &&
    typeof value.unit === 'string' &&
    'median' in value &&
    typeof value.median === 'number' &&
    'runs' in value &&
    Array.isArray(value.runs)
  );
}

export function isSkipped(value: unknown): value is Skipped {
  return (
    typeof value === 'object' &&
    value !== null &&
    'skipped' in value &&
    typeof value.skipped === 'string'
  );
}
