import { writeSync } from 'node:fs';
import { z } from 'zod';
import { progressSchema, type RenderProgress } from '../../../shared/ipc/contract.ts';

/**
 * How `rapido render` tells a farm worker its progress: one JSON object per line on a file
 * descriptor of its own (RAPIDO_PROGRESS_FD, which the worker opens as a pipe), so the terminal
 * lines on stdout stay exactly what a person or script reads, and nothing has to be parsed back
 * out of them.
 */
export const progressFdVariable = 'RAPIDO_PROGRESS_FD';

const pipeLineSchema = z.object({ progress: progressSchema, line: z.string() });
export type ProgressPipeLine = z.infer<typeof pipeLineSchema>;

/** The writer for the render command, or null when no worker asked for one. */
export function progressPipeFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): ((progress: RenderProgress, line: string) => void) | null {
  const fd = Number(env[progressFdVariable] ?? Number.NaN);
  if (!Number.isInteger(fd) || fd < 3) return null;
  let open = true;
  return (progress, line) => {
    if (!open) return;
    try {
      writeSync(fd, `${JSON.stringify({ progress, line } satisfies ProgressPipeLine)}\n`);
    } catch {
      // The worker is gone (EPIPE) or closed its end: the render goes on, unreported.
      open = false;
    }
  };
}

/** Splits the pipe's bytes into parsed lines; a bad line is skipped (and counted). */
export function progressPipeReader(onLine: (line: ProgressPipeLine) => void) {
  let buffered = '';
  let skipped = 0;
  return {
    push(chunk: string): void {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const text = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        let parsed: ReturnType<typeof pipeLineSchema.safeParse>;
        try {
          parsed = pipeLineSchema.safeParse(JSON.parse(text));
        } catch {
          skipped += 1;
          continue;
        }
        if (parsed.success) onLine(parsed.data);
        else skipped += 1;
      }
    },
    get skipped(): number {
      return skipped;
    },
  };
}
