import {
  renderJobDataSchema,
  renderJobProgressSchema,
  type JobFileKind,
  type RenderJobData,
  type RenderJobState,
  type RenderJobView,
} from '../jobs/render-job.ts';
import { cancelledCode, parseFailureReason } from './farm-keys.ts';

/**
 * What a BullMQ job looks like to the API: its state in Rapido's words and its view. Pure, so
 * the mapping is tested without Redis; the queue gathers the inputs.
 */

/** The fields of a BullMQ job the view needs (a Job has them all). */
export interface StoredJob {
  id?: string | undefined;
  data: unknown;
  progress: unknown;
  failedReason?: string | undefined;
  processedOn?: number | undefined;
  finishedOn?: number | undefined;
  attemptsStarted?: number | undefined;
  attemptsMade: number;
}

/** BullMQ's job states, as Job.getState() and the getters name them. */
export type BullState =
  | 'waiting'
  | 'wait'
  | 'delayed'
  | 'prioritized'
  | 'paused'
  | 'waiting-children'
  | 'active'
  | 'completed'
  | 'failed'
  | 'unknown';

/**
 * Rapido's state of a BullMQ state. Waiting, delayed (a retry's back-off) and prioritized are
 * all "queued" to a client; a failed job whose reason says cancelled is "cancelled".
 */
export function renderJobState(
  state: BullState,
  failedReason: string | undefined,
): RenderJobState | null {
  switch (state) {
    case 'waiting':
    case 'wait':
    case 'delayed':
    case 'prioritized':
    case 'paused':
    case 'waiting-children':
      return 'queued';
    case 'active':
      return 'active';
    case 'completed':
      return 'completed';
    case 'failed':
      return parseFailureReason(failedReason ?? '').code === cancelledCode ? 'cancelled' : 'failed';
    case 'unknown':
      return null;
  }
}

/** The job's data as ours, or null (a job another program put on the queue). */
export function jobData(job: Pick<StoredJob, 'data'>): RenderJobData | null {
  const parsed = renderJobDataSchema.safeParse(job.data);
  return parsed.success ? parsed.data : null;
}

function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) || ms <= 0 ? null : new Date(ms).toISOString();
}

export function renderJobView(
  id: string,
  data: RenderJobData,
  job: StoredJob,
  state: RenderJobState,
  files: JobFileKind[],
): RenderJobView {
  const progress = renderJobProgressSchema.safeParse(job.progress);
  const finished = state === 'completed' || state === 'failed' || state === 'cancelled';
  // A job handed back after a worker died keeps its old processedOn: queued again, not started.
  const started = state === 'active' || finished;
  return {
    id,
    lessonId: data.lessonId,
    source: data.source,
    options: data.options,
    state,
    progress: progress.success ? progress.data : null,
    submittedBy: data.submittedBy,
    submittedAt: new Date(data.submittedAtMs).toISOString(),
    startedAt: started ? isoOrNull(job.processedOn) : null,
    finishedAt: finished ? isoOrNull(job.finishedOn) : null,
    attempts: job.attemptsStarted ?? job.attemptsMade,
    error:
      state === 'failed' || state === 'cancelled'
        ? parseFailureReason(job.failedReason ?? '')
        : null,
    files: state === 'completed' ? files : [],
  };
}

/** The view of a job cancelled while queued (removed from BullMQ, kept as this record). */
export function cancelledWhileQueuedView(
  id: string,
  data: RenderJobData,
  nowMs: number,
): RenderJobView {
  return {
    id,
    lessonId: data.lessonId,
    source: data.source,
    options: data.options,
    state: 'cancelled',
    progress: null,
    submittedBy: data.submittedBy,
    submittedAt: new Date(data.submittedAtMs).toISOString(),
    startedAt: null,
    finishedAt: new Date(nowMs).toISOString(),
    attempts: 0,
    error: { code: cancelledCode, message: 'Cancelled before a worker took it up' },
    files: [],
  };
}
