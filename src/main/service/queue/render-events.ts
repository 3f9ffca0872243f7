import { QueueEvents, type ConnectionOptions } from 'bullmq';
import {
  renderJobProgressSchema,
  type RenderJobEvent,
  type RenderJobState,
} from '../jobs/render-job.ts';
import { cancelledCode, parseFailureReason, renderQueueName } from './farm-keys.ts';

/**
 * BullMQ's events of the render queue, in order, as Rapido's (RenderJobEvent). BullMQ's carry
 * only the job id: `lessonIdOf` finds the lesson, and one promise chain keeps a slow lookup from
 * reordering them.
 */
export function watchRenderEvents(options: {
  connection: ConnectionOptions;
  prefix: string;
  lessonIdOf: (jobId: string) => Promise<string | null>;
  emit: (event: RenderJobEvent) => void;
}): QueueEvents {
  const { lessonIdOf, emit } = options;
  // From now, not from the first read: events between this and the first XREAD are kept.
  const created = new QueueEvents(renderQueueName, {
    connection: options.connection,
    prefix: options.prefix,
    lastEventId: `${Date.now()}-0`,
  });
  let chain = Promise.resolve();
  const enqueue = (jobId: string, make: (lessonId: string) => RenderJobEvent | null): void => {
    chain = chain
      .then(async () => {
        const lessonId = await lessonIdOf(jobId);
        const event = lessonId === null ? null : make(lessonId);
        if (event !== null) emit(event);
      })
      .catch(() => undefined);
  };
  const state =
    (value: RenderJobState, failedReason?: string) =>
    (jobId: string, lessonId: string): RenderJobEvent => ({
      type: 'state',
      jobId,
      lessonId,
      state: value,
      error: failedReason === undefined ? null : parseFailureReason(failedReason),
    });
  created.on('waiting', ({ jobId }) => enqueue(jobId, (l) => state('queued')(jobId, l)));
  created.on('active', ({ jobId }) => enqueue(jobId, (l) => state('active')(jobId, l)));
  created.on('completed', ({ jobId }) => enqueue(jobId, (l) => state('completed')(jobId, l)));
  created.on('failed', ({ jobId, failedReason }) => {
    const code = parseFailureReason(failedReason).code;
    const value = code === cancelledCode ? 'cancelled' : 'failed';
    enqueue(jobId, (l) => state(value, failedReason)(jobId, l));
  });
  // Only a cancel removes a job (finished ones are kept).
  created.on('removed', ({ jobId }) =>
    enqueue(jobId, (lessonId) => ({
      type: 'state',
      jobId,
      lessonId,
      state: 'cancelled',
      error: { code: cancelledCode, message: 'Cancelled before a worker took it up' },
    })),
  );
  created.on('progress', ({ jobId, data }) => {
    const progress = renderJobProgressSchema.safeParse(data);
    if (!progress.success) return;
    enqueue(jobId, (lessonId) => ({ type: 'progress', jobId, lessonId, progress: progress.data }));
  });
  // Connection trouble is retried by ioredis; an unhandled 'error' would end the process.
  created.on('error', () => undefined);
  return created;
}
