import type { PrepareProgressInfo as PregenerateProgress } from '../../../shared/ipc/contract.ts';
import { formatClock } from '../../../shared/format-units.ts';

/** What the Prepare panel says, as plain functions of the run's progress (tested alone). */

/** "3.2 s" under a minute, else "01:12". */
export function formatDuration(ms: number): string {
  return ms < 60_000 ? `${(Math.max(0, ms) / 1000).toFixed(1)} s` : formatClock(ms);
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "Slide 4 of 11 · speech · 00:12 left" while it runs. */
export function statusLine(progress: PregenerateProgress): string {
  const slide = Math.min(progress.slideIndex + 1, progress.slidesTotal);
  const phase = progress.phase === 'avatar' ? 'avatar' : 'speech';
  const left =
    progress.etaMs === null ? 'estimating time left' : `${formatClock(progress.etaMs)} left`;
  return `Slide ${slide} of ${progress.slidesTotal} · ${phase} · ${left}`;
}

/** "Speech 00:45 of ~03:10 · 3 from cache" under the status line. */
export function detailLine(progress: PregenerateProgress): string {
  const parts = [
    `Speech ${formatClock(progress.speechMsDone)} of ~${formatClock(progress.speechMsTotalEstimate)}`,
  ];
  if (progress.slidesFromCache > 0) parts.push(`${progress.slidesFromCache} from cache`);
  if (progress.avatarMade > 0) parts.push(`${plural(progress.avatarMade, 'avatar segment')} made`);
  if (progress.failures.length > 0) parts.push(`${progress.failures.length} failed`);
  return parts.join(' · ');
}

/**
 * "11 slides ready (8 from cache) in 3.2 s" once done; with failures, how many of how many;
 * cancelled, how far it got.
 */
export function summaryLine(progress: PregenerateProgress): string {
  const fromCache = `${progress.slidesFromCache} from cache`;
  const took = formatDuration(progress.elapsedMs);
  if (progress.state === 'cancelled') {
    return `Cancelled after ${progress.slidesDone} of ${plural(progress.slidesTotal, 'slide')} (${progress.slidesReady} ready, ${fromCache}) in ${took}`;
  }
  if (progress.failures.length === 0) {
    return `${plural(progress.slidesReady, 'slide')} ready (${fromCache}) in ${took}`;
  }
  const failedSlides = new Set(progress.failures.map((f) => f.slideIndex)).size;
  return `${progress.slidesReady} of ${plural(progress.slidesTotal, 'slide')} ready (${fromCache}), ${failedSlides} failed, in ${took}`;
}

/** One line per failure: "Slide 3 (speech): the provider's message. What to do." */
export function failureLines(progress: PregenerateProgress): string[] {
  return progress.failures.map(
    (f) => `Slide ${f.slideNumber} (${f.part}): ${f.message}${f.hint ? ` ${f.hint}` : ''}`,
  );
}

export function warningLines(progress: PregenerateProgress): string[] {
  return progress.warnings.map((w) => `Slide ${w.slideNumber}: ${w.message}`);
}
