import type { RenderProgress } from '../../../shared/ipc/contract.ts';
import { progressPipeFromEnv } from '../../service/worker/progress-pipe.ts';
import { formatProgressLine, isNotableProgress } from '../headless/progress-format.ts';
import { createProgressDisplay } from './progress-display.ts';

/**
 * Where a render's progress goes, whole or split: the terminal (a bar on one, the notable lines
 * off one) and, when a farm worker runs the render, every report as JSON on the worker's pipe.
 */
export function renderProgressReporter(): {
  report(progress: RenderProgress): void;
  stop(): void;
} {
  const display = createProgressDisplay();
  const progressPipe = progressPipeFromEnv();
  let lastShown: RenderProgress | null = null;
  return {
    report(progress) {
      const line = formatProgressLine(progress);
      progressPipe?.(progress, line);
      const notable = isNotableProgress(lastShown, progress);
      if (notable) lastShown = progress;
      display.update(
        {
          fraction: progress.fraction,
          label: line.replace(/^\[\s*\d+%\] /, ''),
          etaMs: progress.etaMs ?? null,
        },
        notable ? line : null,
      );
    },
    stop: () => display.stop(),
  };
}
