import { z } from 'zod';

/**
 * The command line's `rapido import` job (launch mode 'import', issue 16): what main asks the
 * page to import, and the progress it reports back. The source's bytes come from
 * `import:read-source` (the page never names the path); a predecessor file is read by main
 * (`lesson:read-predecessor`) by the path main granted at launch.
 */
export const importJobSchema = z.object({
  kind: z.enum(['pdf', 'pptx', 'predecessor']),
  /** The source's file name (for the title and messages). */
  fileName: z.string(),
  /** predecessor only: the data file, as main resolved and granted it. */
  file: z.string(),
  /** The new lesson's folder (granted at launch). */
  lessonDir: z.string(),
  title: z.string().nullable(),
  output: z.object({
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    fps: z.number().int().positive(),
  }),
  /** predecessor only: keep each slide's recorded narration (audioUrl + tokens). */
  keepRecordedNarration: z.boolean(),
  /** predecessor only: slide pictures by position or id. */
  imagesDir: z.string().nullable(),
});
export type ImportJobInfo = z.infer<typeof importJobSchema>;

export const importJobProgressSchema = z.object({
  phase: z.enum([
    'converting',
    'opening',
    'reading',
    'fetching',
    'drawing',
    'rendering',
    'saving',
    'done',
    'failed',
  ]),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  message: z.string().max(5000),
  /** phase 'done': what was made, and what to tell the user (narration sources, substitutions). */
  result: z
    .object({
      dir: z.string(),
      slides: z.number().int().nonnegative(),
      notes: z.array(z.string().max(2000)).max(1000),
      missing: z.array(z.string().max(2000)).max(10_000),
    })
    .optional(),
  /** phase 'failed': whether the source was at fault (exit 2) or the work failed (exit 1). */
  badInput: z.boolean().optional(),
});
export type ImportJobProgress = z.infer<typeof importJobProgressSchema>;
