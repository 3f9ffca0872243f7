import { z } from 'zod';

/** One line per bad flag (`--port: expected a number`), for the dev servers' command lines. */
export function describeArgumentError(error: unknown): string {
  if (error instanceof z.ZodError) {
    return error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('\n');
  }
  return error instanceof Error ? error.message : String(error);
}
