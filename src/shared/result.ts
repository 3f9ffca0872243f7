import { z } from 'zod';

/**
 * Expected failures cross every boundary as values, never as throws: a throw through IPC loses
 * everything but its message. The code is a closed union so callers can switch on it.
 */
export const errorCodeSchema = z.enum([
  'invalid-request',
  'lesson-invalid',
  'lesson-not-found',
  'path-outside-lesson',
  /** A path the page named lies outside every folder the user chose through main. */
  'path-not-chosen',
  'asset-not-found',
  'speech-failed',
  'recording-failed',
  'export-failed',
  'io-failed',
  'not-available',
  'cancelled',
  'internal',
]);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const rapidoErrorSchema = z.object({
  code: errorCodeSchema,
  /** One sentence a user can read: what went wrong. */
  message: z.string(),
  /** What the user can do next, when there is something. */
  hint: z.string().optional(),
  /** Itemised problems, e.g. one line per invalid lesson field. */
  details: z.array(z.string()).optional(),
});
export type RapidoError = z.infer<typeof rapidoErrorSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: RapidoError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err<T = never>(
  code: ErrorCode,
  message: string,
  extra: { hint?: string; details?: string[] } = {},
): Result<T> {
  return { ok: false, error: { code, message, ...extra } };
}

export function resultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: rapidoErrorSchema }),
  ]);
}

/** The message of anything thrown (an Error's message, else the value as text). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A one-paragraph rendering of an error for terminals and status lines. */
export function formatError(error: RapidoError): string {
  const lines = [error.message, ...(error.details ?? []).map((d) => `  - ${d}`)];
  if (error.hint) lines.push(error.hint);
  return lines.join('\n');
}
