import { z } from 'zod';
import type { Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { formatError } from '../../../shared/result.ts';
import type { Environment } from '../../services/platform/config/environment.ts';
import { maxParallelParts } from '../../services/render-parts/split-parts.ts';
import { cliSettings } from './cli-support.ts';
import { renderProgressReporter } from './render-progress.ts';
import { renderInParts } from './render-parallel.ts';

/**
 * `rapido render --parallel N`: the option and its command-line face (kept apart from
 * render-command.ts, which only parses it and hands over). N = 1 is the ordinary export.
 */
export const parallelOption = z
  .string()
  .optional()
  .transform((text, context) => {
    if (text === undefined) return 1;
    const parts = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isInteger(parts) || parts < 1 || parts > maxParallelParts) {
      context.addIssue({
        code: 'custom',
        message: `--parallel: a whole number of parts from 1 to ${maxParallelParts}`,
      });
      return z.NEVER;
    }
    return parts;
  });

/** Why --parallel cannot be used with these options, or null when it can. */
export function parallelProblem(
  given: string | undefined,
  options: { realtime: boolean; live: boolean },
): string | null {
  if (given === undefined || (!options.realtime && !options.live)) return null;
  const other = options.live ? '--live' : '--realtime';
  return `--parallel cannot be used with ${other}: real time cannot be split (only the export can)`;
}

export async function renderParallelCommand(options: {
  env: Environment;
  lesson: { lesson: Lesson; dir: string };
  outPath: string;
  parallel: number;
}): Promise<number> {
  const { lesson, dir } = options.lesson;
  process.stdout.write(
    `Rendering "${lesson.title}" (${lesson.slides.length} slides, ` +
      `${lesson.output.width}x${lesson.output.height} @ ${lesson.output.fps} fps) to ${options.outPath} ` +
      `in ${options.parallel} parallel parts\n`,
  );
  const progress = renderProgressReporter();
  try {
    const result = await renderInParts({
      environment: options.env,
      lesson,
      lessonDir: dir,
      outPath: options.outPath,
      parts: options.parallel,
      consoleLog: cliSettings.verbose,
      onProgress: (report) => progress.report(report),
    });
    progress.stop();
    if (!result.ok) {
      process.stderr.write(`rapido: rendering failed: ${formatError(result.error)}\n`);
      return 1;
    }
    const seconds = (result.value.wallMs / 1000).toFixed(1);
    const parts = result.value.ranges
      .map((range) => `${range.fromSlide + 1}-${range.toSlide}`)
      .join(', ');
    process.stdout.write(`[100%] done: slides ${parts} joined in ${seconds} s\n`);
    process.stdout.write(`Wrote ${result.value.outPath}\n`);
    return 0;
  } finally {
    progress.stop();
  }
}
