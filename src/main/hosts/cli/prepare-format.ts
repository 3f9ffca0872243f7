import type { PrepareProgressInfo } from '../../../shared/ipc/contract.ts';
import { formatClock } from '../../../shared/format-units.ts';

/** What `rapido prepare` prints, as plain functions of the run's progress (tested alone). */

/** A line per slide and phase, and while frames come, at most one per this many ms. */
const lineIntervalMs = 2000;

export function isNotablePrepareProgress(
  last: PrepareProgressInfo | null,
  next: PrepareProgressInfo,
): boolean {
  if (!last) return true;
  if (next.state !== 'running') return false; // the summary says it
  if (next.slideIndex !== last.slideIndex || next.phase !== last.phase) return true;
  return next.elapsedMs - last.elapsedMs >= lineIntervalMs;
}

/** "[ 45%] slide 3/11 avatar · 00:12 left" */
export function prepareProgressLine(progress: PrepareProgressInfo): string {
  const percent = String(Math.floor(progress.fraction * 100)).padStart(3, ' ');
  const slide = Math.min(progress.slideIndex + 1, progress.slidesTotal);
  const left =
    progress.etaMs === null ? 'estimating time left' : `${formatClock(progress.etaMs)} left`;
  return `[${percent}%] slide ${slide}/${progress.slidesTotal} ${progress.phase} · ${left}`;
}

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

/** The closing line, and one line per failure or warning (for stderr). */
export function prepareSummary(progress: PrepareProgressInfo): {
  line: string;
  problems: string[];
} {
  const counts =
    `speech ${progress.speechCached} from cache, ` +
    `avatar ${progress.avatarMade} made / ${progress.avatarCached} from cache`;
  const head =
    progress.state === 'cancelled'
      ? `Interrupted after ${progress.slidesDone} of ${progress.slidesTotal} slides`
      : `${progress.slidesReady} of ${progress.slidesTotal} slides ready`;
  const line = `${head} (${progress.slidesFromCache} from cache; ${counts}) in ${seconds(progress.elapsedMs)}`;
  const problems = [
    ...progress.failures.map(
      (f) => `slide ${f.slideNumber} (${f.part}): ${f.message}${f.hint ? ` ${f.hint}` : ''}`,
    ),
    ...progress.warnings.map((w) => `slide ${w.slideNumber}: ${w.message}`),
  ];
  return { line, problems };
}
