import { formatClock } from '../../../shared/format-units.ts';
import type { RenderProgress } from '../../../shared/ipc/contract.ts';

/** One line per state worth telling: phase, percent, slide, program clock, speed and time left. */
export function formatProgressLine(progress: RenderProgress): string {
  const percent = `${String(Math.round(progress.fraction * 100)).padStart(3)}%`;
  const slide = progress.slideIndex === null ? '' : ` slide ${progress.slideIndex + 1}`;
  const clock =
    progress.totalMs === null
      ? formatClock(progress.programMs)
      : `${formatClock(progress.programMs)} / ${formatClock(progress.totalMs)}`;
  const message = progress.message ? ` ${progress.message}` : '';
  const speed =
    progress.realtimeFactor === null || progress.realtimeFactor === undefined
      ? ''
      : ` ${progress.realtimeFactor.toFixed(1)}x real time`;
  const eta =
    progress.etaMs === null || progress.etaMs === undefined
      ? ''
      : `, ${formatClock(progress.etaMs)} left`;
  return `[${percent}] ${progress.phase}${slide} ${clock}${speed}${eta}${message}`;
}

/**
 * Whether a progress report is worth a new line: phase or slide changed, or another 5 % done.
 * Keeps a CI log readable while still showing that the render moves.
 */
export function isNotableProgress(previous: RenderProgress | null, next: RenderProgress): boolean {
  if (previous === null) return true;
  if (previous.phase !== next.phase || previous.slideIndex !== next.slideIndex) return true;
  return Math.floor(next.fraction * 20) !== Math.floor(previous.fraction * 20);
}
