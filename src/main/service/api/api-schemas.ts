import { z } from 'zod';
import {
  renderJobEventSchema,
  renderJobOptionsSchema,
  renderJobStateSchema,
  renderJobViewSchema,
} from '../jobs/render-job.ts';

/**
 * The API's request and answer bodies as zod schemas: the server parses with them and
 * /openapi.json is generated from them (openapi.ts), so the document cannot drift from the code.
 */

/** Up to 200 printable characters: a platform's own request id, uuid or hash. */
export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'use 1-200 printable ASCII characters, no spaces');

/** `POST /v1/jobs` with a JSON body: a lesson folder under RAPIDO_LESSON_ROOT. */
export const submitJobRequestSchema = z.strictObject({
  /** Relative to the lesson root (or absolute, inside it). */
  lessonPath: z.string().min(1).max(4096),
  options: renderJobOptionsSchema.default({ mode: 'export', parallel: 1 }),
  idempotencyKey: idempotencyKeySchema.optional(),
  /** Names the job in listings and progress events; defaults to the folder's name. */
  lessonId: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'use letters, digits, ".", "_" and "-" only')
    .optional(),
});
export type SubmitJobRequest = z.infer<typeof submitJobRequestSchema>;

/**
 * `POST /v1/jobs` with `Content-Type: application/zip`: the options travel in the query, the
 * idempotency key in the query or the `Idempotency-Key` header.
 */
export const archiveQuerySchema = z.strictObject({
  mode: renderJobOptionsSchema.shape.mode,
  room: renderJobOptionsSchema.shape.room,
  parallel: z.coerce.number().int().min(1).max(8).default(1),
  idempotencyKey: idempotencyKeySchema.optional(),
  lessonId: submitJobRequestSchema.shape.lessonId,
});

export const listJobsQuerySchema = z.strictObject({
  state: renderJobStateSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const jobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/);

export const submitJobResponseSchema = z.strictObject({
  job: renderJobViewSchema,
  /** false when the idempotency key named a job already queued: nothing new was queued. */
  created: z.boolean(),
});

export const listJobsResponseSchema = z.strictObject({ jobs: z.array(renderJobViewSchema) });

export const errorResponseSchema = z.object({
  error: z.strictObject({ code: z.string(), message: z.string() }),
  /** The predecessor's routes also say it where FastAPI did. */
  detail: z.string().optional(),
});

/**
 * The predecessor's `POST /process_lesson` body, field for field (ProcessLessonRequest,
 * rapido/src/rapido_api_refactored.py:59-64 at 534b6f6), with its lesson id rule
 * (core/security.py:42: `^[a-zA-Z0-9_-]{1,64}$`). `slide_data_path` was optional there (the
 * config's input file stood in); a service has no such default, so it is required here.
 */
export const processLessonRequestSchema = z.object({
  lesson_id: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'use 1-64 letters, digits, "_" or "-"'),
  slide_data_path: z.string().min(1).max(4096),
  enable_tts: z.boolean().default(true),
  enable_synctalk: z.boolean().default(true),
  enable_livekit: z.boolean().default(true),
});
export type ProcessLessonRequest = z.infer<typeof processLessonRequestSchema>;

/**
 * Its answer (ProcessLessonResponse, rapido_api_refactored.py:66-74). The predecessor answered
 * when the lesson had streamed; here the lesson is queued, so `processing_time` and
 * `audio_segments` are null, `session_id` is the job's id (watch it at /v1/jobs/{id} or
 * /ws/lesson/{lesson_id}), and `job_id` / `state` say so plainly.
 */
export const processLessonResponseSchema = z.object({
  success: z.boolean(),
  lesson_id: z.string(),
  processing_time: z.number().nullable(),
  slides_processed: z.number().int().nullable(),
  audio_segments: z.number().int().nullable(),
  error: z.string().nullable(),
  error_type: z.string().nullable(),
  session_id: z.string().nullable(),
  job_id: z.string(),
  state: renderJobStateSchema,
  /** `live` when enable_livekit and LIVEKIT_URL is set, else `export` (predecessor-routes.ts). */
  mode: renderJobOptionsSchema.shape.mode,
});

const serviceReachabilitySchema = z.object({
  state: z.enum(['ok', 'off', 'problem']),
  reachable: z.boolean(),
});

/**
 * `GET /status` (StatusResponse, rapido_api_refactored.py:76-83), its fields kept, with the
 * farm's own beside them: the queue's depth by state and the workers alive. `services_status`
 * holds each provider's reachability only (this route needs no token: no URLs, no key hints).
 */
export const statusResponseSchema = z.object({
  status: z.enum(['operational', 'degraded']),
  application_initialized: z.boolean(),
  is_processing: z.boolean(),
  current_lesson_id: z.string().nullable(),
  services_status: z.record(z.string(), serviceReachabilitySchema),
  processing_stats: z.object({
    lessons_processed: z.number().int(),
    errors_encountered: z.number().int(),
  }),
  queue: z.object({
    depth: z.number().int(),
    counts: z.record(renderJobStateSchema, z.number().int()),
  }),
  workers: z.object({
    alive: z.number().int(),
    names: z.array(z.string()),
  }),
  timestamp: z.iso.datetime(),
});
export type StatusResponse = z.infer<typeof statusResponseSchema>;

/**
 * What `ws://…/ws/lesson/{lesson_id}` sends: the predecessor's envelope (`type`, `lesson_id`,
 * `data`, `timestamp`; rapido_api_refactored.py:338-360), `status` first with the lesson's jobs,
 * then an `update` for every state change and progress report of one of them.
 */
export const lessonSocketMessageSchema = z.object({
  type: z.enum(['status', 'update']),
  lesson_id: z.string(),
  data: z.object({
    is_processing: z.boolean(),
    current_lesson_id: z.string().nullable(),
    jobs: z.array(renderJobViewSchema).optional(),
    event: renderJobEventSchema.optional(),
  }),
  timestamp: z.iso.datetime(),
});
