import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { jobFileKindSchema, type JobFileKind, type RenderJobOptions } from '../jobs/render-job.ts';
import {
  ApiError,
  apiHeaders,
  describeIssues,
  mediaType,
  readBody,
  readJsonBody,
  sendJson,
} from './api-http.ts';
import type { Route, RouteContext } from './api-context.ts';
import {
  archiveQuerySchema,
  idempotencyKeySchema,
  jobIdSchema,
  listJobsQuerySchema,
  submitJobRequestSchema,
} from './api-schemas.ts';
import { archiveLesson, folderLesson, type ReadyLesson } from './lesson-source.ts';
import { openApiDocument } from './openapi.ts';

/** The versioned API for new clients: /v1/jobs and its children, and /openapi.json. */

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ApiError(400, 'invalid-request', describeIssues(parsed.error.issues));
  }
  return parsed.data;
}

/** Query parameters as an object; a parameter given twice is refused (which one would count?). */
export function queryObject(url: URL): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of url.searchParams) {
    if (key === 'access_token') continue;
    if (key in out) throw new ApiError(400, 'invalid-request', `${key}: given more than once`);
    out[key] = value;
  }
  return { ...out };
}

/** The `Idempotency-Key` header, checked like the body's field. */
export function idempotencyHeader(request: IncomingMessage): string | undefined {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  if (Array.isArray(header)) {
    throw new ApiError(400, 'invalid-request', 'Idempotency-Key: given more than once');
  }
  const parsed = idempotencyKeySchema.safeParse(header);
  if (!parsed.success) {
    throw new ApiError(
      400,
      'invalid-request',
      `Idempotency-Key: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  }
  return parsed.data;
}

/** A lesson id from a folder name: the characters the job's id rules allow. */
export function lessonIdFrom(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 100);
  return cleaned.length > 0 ? cleaned : 'lesson';
}

export async function submitLesson(
  context: RouteContext,
  lesson: ReadyLesson,
  job: {
    lessonId: string;
    source: 'folder' | 'archive' | 'slide-data';
    options: RenderJobOptions;
    idempotencyKey: string | undefined;
  },
) {
  const { queue, now } = context.services;
  const removeOwned = async () => {
    if (lesson.owned !== null) await rm(lesson.owned, { recursive: true, force: true });
  };
  try {
    const submitted = await queue.submit(
      {
        lessonId: job.lessonId,
        lessonDir: lesson.dir,
        source: job.source,
        options: job.options,
        submittedBy: context.claims?.subject ?? 'anonymous',
        submittedAtMs: now(),
      },
      job.idempotencyKey === undefined ? {} : { idempotencyKey: job.idempotencyKey },
    );
    // The key named a job queued before, with its own lesson: this copy serves nothing.
    if (!submitted.created) await removeOwned();
    return submitted;
  } catch (error) {
    await removeOwned();
    throw error;
  }
}

async function submitJob(context: RouteContext): Promise<void> {
  const { request, services } = context;
  const headerKey = idempotencyHeader(request);
  const type = mediaType(request);
  if (type === 'application/zip') {
    const query = parseOrThrow(archiveQuerySchema, queryObject(context.url));
    const bytes = await readBody(request, services.limits.archiveBodyBytes);
    const lesson = await archiveLesson(services.lessons, bytes);
    const options: RenderJobOptions = {
      mode: query.mode,
      parallel: query.parallel,
      ...(query.room === undefined ? {} : { room: query.room }),
    };
    const submitted = await submitLesson(context, lesson, {
      lessonId: query.lessonId ?? lessonIdFrom(lesson.name),
      source: 'archive',
      options,
      idempotencyKey: headerKey ?? query.idempotencyKey,
    });
    sendJson(context.response, submitted.created ? 201 : 200, submitted);
    return;
  }
  if (type !== 'application/json') {
    throw new ApiError(
      415,
      'unsupported-media-type',
      'Send application/json ({ lessonPath, options }) or application/zip (a lesson archive).',
    );
  }
  const body = parseOrThrow(
    submitJobRequestSchema,
    await readJsonBody(request, services.limits.jsonBodyBytes),
  );
  const lesson = await folderLesson(services.lessons.lessonRoot, body.lessonPath);
  const submitted = await submitLesson(context, lesson, {
    lessonId: body.lessonId ?? lessonIdFrom(lesson.name),
    source: 'folder',
    options: body.options,
    idempotencyKey: headerKey ?? body.idempotencyKey,
  });
  sendJson(context.response, submitted.created ? 201 : 200, submitted);
}

function jobId(context: RouteContext): string {
  const parsed = jobIdSchema.safeParse(context.params.id);
  if (!parsed.success) throw new ApiError(404, 'job-not-found', 'There is no such job.');
  return parsed.data;
}

async function existingJob(context: RouteContext) {
  const job = await context.services.queue.get(jobId(context));
  if (job === null) throw new ApiError(404, 'job-not-found', 'There is no such job.');
  return job;
}

const fileTypes: Record<JobFileKind, { type: string; extension: string }> = {
  video: { type: 'video/mp4', extension: 'mp4' },
  captions: { type: 'text/vtt; charset=utf-8', extension: 'vtt' },
  chapters: { type: 'application/json; charset=utf-8', extension: 'json' },
};

async function downloadFile(context: RouteContext): Promise<void> {
  const job = await existingJob(context);
  const kind = jobFileKindSchema.safeParse(context.params.kind);
  if (!kind.success) {
    throw new ApiError(404, 'file-not-found', 'Files are video, captions and chapters.');
  }
  const path = await context.services.queue.filePath(job.id, kind.data);
  const size = path === null ? null : (await stat(path).catch(() => null))?.size;
  if (path === null || size === null || size === undefined) {
    throw new ApiError(
      404,
      'file-not-ready',
      `The job's ${kind.data} is not whole yet (or never will be).`,
    );
  }
  const { type, extension } = fileTypes[kind.data];
  context.response.writeHead(200, {
    ...apiHeaders(),
    'content-type': type,
    'content-length': String(size),
    'content-disposition': `attachment; filename="${job.id}.${extension}"`,
  });
  await pipeline(createReadStream(path), context.response);
}

export const jobRoutes: Route[] = [
  { method: 'POST', pattern: '/v1/jobs', scope: 'jobs:submit', submits: true, handle: submitJob },
  {
    method: 'GET',
    pattern: '/v1/jobs',
    scope: 'jobs:read',
    async handle(context) {
      const query = parseOrThrow(listJobsQuerySchema, queryObject(context.url));
      const jobs = await context.services.queue.list({
        limit: query.limit,
        ...(query.state === undefined ? {} : { state: query.state }),
      });
      sendJson(context.response, 200, { jobs });
    },
  },
  {
    method: 'GET',
    pattern: '/v1/jobs/:id',
    scope: 'jobs:read',
    async handle(context) {
      sendJson(context.response, 200, await existingJob(context));
    },
  },
  {
    method: 'DELETE',
    pattern: '/v1/jobs/:id',
    scope: 'jobs:cancel',
    async handle(context) {
      const id = jobId(context);
      const outcome = await context.services.queue.cancel(id);
      if (outcome === 'not-found')
        throw new ApiError(404, 'job-not-found', 'There is no such job.');
      if (outcome === 'finished') {
        throw new ApiError(
          409,
          'job-finished',
          'The job has finished; there is nothing to cancel.',
        );
      }
      sendJson(context.response, 200, await existingJob(context));
    },
  },
  { method: 'GET', pattern: '/v1/jobs/:id/files/:kind', scope: 'jobs:read', handle: downloadFile },
  {
    method: 'GET',
    pattern: '/openapi.json',
    scope: null,
    handle(context) {
      sendJson(context.response, 200, openApiDocument());
      return Promise.resolve();
    },
  },
];
