import { z } from 'zod';

/**
 * A render job of the farm (issue 18): what the API puts on the queue, what a worker reads back,
 * and what clients see of it. The queue is an outside boundary (Redis can hold anything another
 * version wrote), so a worker parses job data with these schemas before it acts on it.
 */

/** How a job renders: the same three ways as `rapido render` (export, --realtime, --live). */
export const renderJobOptionsSchema = z.strictObject({
  mode: z.enum(['export', 'realtime', 'live']).default('export'),
  /** LiveKit room for `live` (the render command's --room rule). */
  room: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'room: use letters, digits, ".", "_" and "-" only')
    .optional(),
  /** Parts rendered in parallel and joined (`rapido render --parallel N`); 1 renders whole. */
  parallel: z.number().int().min(1).max(8).default(1),
});
export type RenderJobOptions = z.infer<typeof renderJobOptionsSchema>;

/** Where the lesson came from, for the job's view and logs (the worker reads `lessonDir`). */
export const renderJobSourceSchema = z.enum(['folder', 'archive', 'slide-data']);
export type RenderJobSource = z.infer<typeof renderJobSourceSchema>;

/** What goes on the queue. `lessonDir` is absolute and was checked to lie under the lesson root. */
export const renderJobDataSchema = z.strictObject({
  lessonId: z.string().min(1).max(200),
  lessonDir: z.string().min(1).max(4096),
  source: renderJobSourceSchema,
  options: renderJobOptionsSchema,
  /** Who submitted it (the token's subject), for listing and rate limits. */
  submittedBy: z.string().min(1).max(200),
  submittedAtMs: z.number().int().nonnegative(),
});
export type RenderJobData = z.infer<typeof renderJobDataSchema>;

export const renderJobStates = ['queued', 'active', 'completed', 'failed', 'cancelled'] as const;
export const renderJobStateSchema = z.enum(renderJobStates);
export type RenderJobState = z.infer<typeof renderJobStateSchema>;

/** The finished files of a job, each renamed into place only when whole. */
export const jobFileKinds = ['video', 'captions', 'chapters'] as const;
export const jobFileKindSchema = z.enum(jobFileKinds);
export type JobFileKind = z.infer<typeof jobFileKindSchema>;

/** A job's progress as a worker reports it (the render's own progress, plus who renders it). */
export const renderJobProgressSchema = z.strictObject({
  /** 0..1 over the whole job. */
  fraction: z.number().min(0).max(1),
  /** What it is doing: 'preparing', 'rendering', 'joining', 'finishing'. */
  stage: z.string().min(1).max(40),
  /** One readable line, as the CLI prints it. */
  message: z.string().max(500),
  etaMs: z.number().nonnegative().nullable(),
  worker: z.string().max(200).nullable(),
});
export type RenderJobProgress = z.infer<typeof renderJobProgressSchema>;

export const renderJobErrorSchema = z.strictObject({
  code: z.string().min(1).max(60),
  message: z.string().max(2000),
});

/** What the API answers for a job. */
export const renderJobViewSchema = z.strictObject({
  id: z.string(),
  lessonId: z.string(),
  source: renderJobSourceSchema,
  options: renderJobOptionsSchema,
  state: renderJobStateSchema,
  progress: renderJobProgressSchema.nullable(),
  submittedBy: z.string(),
  submittedAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  /** Times a worker took it up (more than 1 after a worker died mid-render). */
  attempts: z.number().int().nonnegative(),
  error: renderJobErrorSchema.nullable(),
  /** The finished files present (only whole ones). */
  files: z.array(jobFileKindSchema),
});
export type RenderJobView = z.infer<typeof renderJobViewSchema>;

/** What the progress WebSockets send, one JSON object per message. */
export const renderJobEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('state'),
    jobId: z.string(),
    lessonId: z.string(),
    state: renderJobStateSchema,
    error: renderJobErrorSchema.nullable(),
  }),
  z.strictObject({
    type: z.literal('progress'),
    jobId: z.string(),
    lessonId: z.string(),
    progress: renderJobProgressSchema,
  }),
]);
export type RenderJobEvent = z.infer<typeof renderJobEventSchema>;
