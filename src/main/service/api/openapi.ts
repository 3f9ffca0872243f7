import { z } from 'zod';
import { renderJobEventSchema, renderJobStates, renderJobViewSchema } from '../jobs/render-job.ts';
import { apiScopes } from '../auth/api-token.ts';
import {
  errorResponseSchema,
  listJobsResponseSchema,
  processLessonRequestSchema,
  processLessonResponseSchema,
  statusResponseSchema,
  submitJobRequestSchema,
  submitJobResponseSchema,
} from './api-schemas.ts';

/**
 * `GET /openapi.json`: an OpenAPI 3.1 document whose schemas are the server's own zod schemas
 * turned into JSON Schema (2020-12, OpenAPI 3.1's dialect) by zod 4's `z.toJSONSchema`; only the
 * paths are written here. Requests are described as they are accepted (defaults optional),
 * answers as they are sent.
 */
type JsonObject = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  // Each schema sits inside the document, whose dialect OpenAPI 3.1 fixes: no `$schema` each.
  const generated: JsonObject = { ...z.toJSONSchema(schema, { io, unrepresentable: 'any' }) };
  delete generated.$schema;
  return generated;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ 'application/json': { schema: ref(name) } });

const errorAnswers = (...statuses: number[]): JsonObject =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: errorDescriptions[status] ?? 'Error', content: json('Error') },
    ]),
  );

const errorDescriptions: Record<number, string> = {
  400: 'Invalid request: malformed JSON, a field that fails validation, an invalid lesson',
  401: 'No token, or a token that is invalid or expired',
  403: 'The token lacks the scope, or the lesson path lies outside the lesson root',
  404: 'No such job (or file not yet whole)',
  409: 'The job has finished and cannot be cancelled',
  413: 'The body is over its cap',
  415: 'The body is not of the media type the route takes',
  429: 'Rate limited: see Retry-After',
};

const secured = (scope: string) => [{ bearer: [scope] }];
const jobIdParameter = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$' },
};

let built: JsonObject | null = null;

/** The document (built once: the schemas do not change while the server runs). */
export function openApiDocument(): JsonObject {
  built ??= buildDocument();
  return built;
}

function buildDocument(): JsonObject {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Rapido API',
      version: '1.0.0',
      description:
        'Render lessons on a farm of workers. Every route but /status and /openapi.json needs a bearer JWT (HS256, scopes in its `scope` claim). WebSockets (/ws/lesson/{lesson_id}, /v1/jobs/{id}/events) take the token as `?access_token=` or in Sec-WebSocket-Protocol as `rapido-jwt, <token>`.',
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `Scopes: ${apiScopes.join(', ')}`,
        },
      },
      schemas: {
        SubmitJobRequest: schemaOf(submitJobRequestSchema, 'input'),
        SubmitJobResponse: schemaOf(submitJobResponseSchema, 'output'),
        Job: schemaOf(renderJobViewSchema, 'output'),
        JobList: schemaOf(listJobsResponseSchema, 'output'),
        JobEvent: schemaOf(renderJobEventSchema, 'output'),
        Error: schemaOf(errorResponseSchema, 'output'),
        ProcessLessonRequest: schemaOf(processLessonRequestSchema, 'input'),
        ProcessLessonResponse: schemaOf(processLessonResponseSchema, 'output'),
        Status: schemaOf(statusResponseSchema, 'output'),
      },
    },
    paths: {
      '/v1/jobs': {
        post: {
          summary:
            'Submit a render job: a lesson folder under the lesson root, or a lesson archive',
          security: secured('jobs:submit'),
          parameters: [
            { name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } },
            ...['mode', 'room', 'parallel', 'idempotencyKey', 'lessonId'].map((name) => ({
              name,
              in: 'query',
              description: 'For an archive upload only (a JSON body carries them itself)',
              schema: { type: name === 'parallel' ? 'integer' : 'string' },
            })),
          ],
          requestBody: {
            required: true,
            content: {
              ...json('SubmitJobRequest'),
              'application/zip': {
                schema: { type: 'string', contentMediaType: 'application/zip' },
              },
            },
          },
          responses: {
            '201': { description: 'Queued', content: json('SubmitJobResponse') },
            '200': {
              description: 'The idempotency key named a job already queued; nothing new queued',
              content: json('SubmitJobResponse'),
            },
            ...errorAnswers(400, 401, 403, 413, 415, 429),
          },
        },
        get: {
          summary: 'List jobs, newest first',
          security: secured('jobs:read'),
          parameters: [
            { name: 'state', in: 'query', schema: { type: 'string', enum: [...renderJobStates] } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } },
          ],
          responses: {
            '200': { description: 'Jobs', content: json('JobList') },
            ...errorAnswers(400, 401, 403, 429),
          },
        },
      },
      '/v1/jobs/{id}': {
        parameters: [jobIdParameter],
        get: {
          summary: 'Read a job',
          security: secured('jobs:read'),
          responses: {
            '200': { description: 'The job', content: json('Job') },
            ...errorAnswers(401, 403, 404, 429),
          },
        },
        delete: {
          summary: 'Cancel a job (a queued one is removed, an active one aborted)',
          security: secured('jobs:cancel'),
          responses: {
            '200': { description: 'Cancelled', content: json('Job') },
            ...errorAnswers(401, 403, 404, 409, 429),
          },
        },
      },
      '/v1/jobs/{id}/files/{kind}': {
        parameters: [
          jobIdParameter,
          {
            name: 'kind',
            in: 'path',
            required: true,
            schema: { type: 'string', enum: ['video', 'captions', 'chapters'] },
          },
        ],
        get: {
          summary: "Download a finished job's MP4, captions (WebVTT) or chapters (JSON)",
          security: secured('jobs:read'),
          responses: {
            '200': {
              description: 'The whole file',
              content: {
                'video/mp4': { schema: { type: 'string', contentMediaType: 'video/mp4' } },
                'text/vtt': { schema: { type: 'string' } },
                'application/json': { schema: {} },
              },
            },
            ...errorAnswers(401, 403, 404, 429),
          },
        },
      },
      '/v1/jobs/{id}/events': {
        parameters: [jobIdParameter],
        get: {
          summary:
            "WebSocket: the job's state first, then each state change and progress report (JobEvent per message)",
          security: secured('jobs:read'),
          responses: {
            '101': { description: 'Switching to WebSocket', content: json('JobEvent') },
            ...errorAnswers(401, 403, 404, 429),
          },
        },
      },
      '/process_lesson': {
        post: {
          summary:
            "The predecessor's call: queue a lesson from its slide data or a Rapido lesson folder",
          security: secured('jobs:submit'),
          requestBody: { required: true, content: json('ProcessLessonRequest') },
          responses: {
            '200': { description: 'Queued', content: json('ProcessLessonResponse') },
            ...errorAnswers(400, 401, 403, 413, 415, 429),
          },
        },
      },
      '/status': {
        get: {
          summary: 'Queue depth, workers alive, each provider reachable or not (no token needed)',
          security: [],
          responses: {
            '200': { description: 'Status', content: json('Status') },
            ...errorAnswers(429),
          },
        },
      },
      '/ws/lesson/{lesson_id}': {
        parameters: [{ name: 'lesson_id', in: 'path', required: true, schema: { type: 'string' } }],
        get: {
          summary: "WebSocket, the predecessor's: the lesson's jobs, then an update per event",
          security: secured('jobs:read'),
          responses: {
            '101': { description: 'Switching to WebSocket' },
            ...errorAnswers(401, 403, 429),
          },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This document',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1' } },
        },
      },
    },
  };
}
