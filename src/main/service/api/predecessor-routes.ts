import { readJsonBody, sendJson } from './api-http.ts';
import type { ApiServices, Route } from './api-context.ts';
import { processLessonRequestSchema, type StatusResponse } from './api-schemas.ts';
import { idempotencyHeader, parseOrThrow, submitLesson } from './job-routes.ts';
import { slideDataLesson } from './lesson-source.ts';

/**
 * The predecessor's HTTP calls, as its FastAPI service answered them
 * (rapido/src/rapido_api_refactored.py in alin-anjum/agent_streaming_backend at 534b6f6; its
 * README's "API Usage"), now on the farm's queue: a lesson is queued and answered at once rather
 * than streamed before the answer, and the WebSocket (job-sockets.ts) says how it goes.
 */

/**
 * `POST /process_lesson` (rapido_api_refactored.py:203-277). The predecessor handed only
 * `lesson_id` and `slide_data_path` on (lines 241-244): `enable_tts` and `enable_synctalk` were
 * accepted and unused, and are here too (the lesson's own voice and avatar settings decide, as
 * its config did). Its orchestrator streamed to LiveKit whenever LiveKit was configured, so
 * `enable_livekit` (default true) renders `live` into the room named by the lesson id when
 * LIVEKIT_URL is set, and exports an MP4 otherwise; the answer's `mode` says which.
 */
const processLesson: Route = {
  method: 'POST',
  pattern: '/process_lesson',
  scope: 'jobs:submit',
  submits: true,
  predecessor: true,
  async handle(context) {
    const { services } = context;
    const key = idempotencyHeader(context.request);
    const body = parseOrThrow(
      processLessonRequestSchema,
      await readJsonBody(context.request, services.limits.jsonBodyBytes),
    );
    const { lesson, source } = await slideDataLesson(services.lessons, body.slide_data_path);
    const live = body.enable_livekit && services.liveKitConfigured;
    const { job } = await submitLesson(context, lesson, {
      lessonId: body.lesson_id,
      source,
      options: live
        ? { mode: 'live', room: body.lesson_id, parallel: 1 }
        : { mode: 'export', parallel: 1 },
      idempotencyKey: key,
    });
    sendJson(context.response, 200, {
      success: true,
      lesson_id: body.lesson_id,
      processing_time: null,
      slides_processed: lesson.slides,
      audio_segments: null,
      error: null,
      error_type: null,
      session_id: job.id,
      job_id: job.id,
      state: job.state,
      mode: job.options.mode,
    });
  },
};

/**
 * `GET /status` (rapido_api_refactored.py:179-200, StatusResponse at 76-83): its fields, with
 * the farm's queue depth and live workers beside them. `processing_stats` keeps the
 * orchestrator's counter names (services/orchestrator_service.py:48-55) for the two the queue
 * knows: completed and failed jobs.
 */
export async function farmStatus(services: ApiServices): Promise<StatusResponse> {
  const [counts, workers, providers, active] = await Promise.all([
    services.queue.counts(),
    services.queue.workers(),
    services.providers.current(),
    services.queue.list({ state: 'active', limit: 1 }),
  ]);
  const servicesStatus: StatusResponse['services_status'] = {};
  for (const provider of providers) {
    servicesStatus[provider.name] = { state: provider.state, reachable: provider.state === 'ok' };
  }
  return {
    status: providers.some((p) => p.state === 'problem') ? 'degraded' : 'operational',
    application_initialized: true,
    is_processing: counts.active > 0,
    current_lesson_id: active[0]?.lessonId ?? null,
    services_status: servicesStatus,
    processing_stats: { lessons_processed: counts.completed, errors_encountered: counts.failed },
    queue: { depth: counts.queued, counts },
    workers: { alive: workers.length, names: workers.map((worker) => worker.name) },
    timestamp: new Date(services.now()).toISOString(),
  };
}

const status: Route = {
  method: 'GET',
  pattern: '/status',
  scope: null,
  predecessor: true,
  async handle(context) {
    sendJson(context.response, 200, await farmStatus(context.services));
  },
};

export const predecessorRoutes: Route[] = [processLesson, status];
