import { z } from 'zod';

/** One line per bad flag (`--port: expected a number`), for the dev servers' command lines. */
export function describeArgumentError(error: unknown): string {
  if (error instanceof z.ZodError) {
    return error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('\n');
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Parses the command line, or prints what is wrong with it and the usage and sets exit code 2:
 * null then means "stop", the dev servers' way of treating bad input.
 */
export function parseArgumentsOrReport<T>(parse: () => T, usage: string): T | null {
  try {
    return parse();
  } catch (error) {
    console.error(`${describeArgumentError(error)}\n${usage}`);
    process.exitCode = 2;
    return null;
  }
}
