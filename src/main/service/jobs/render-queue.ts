import { join } from 'node:path';
import type {
  JobFileKind,
  RenderJobData,
  RenderJobEvent,
  RenderJobState,
  RenderJobView,
} from './render-job.ts';

/**
 * The farm's queue as the API sees it. The product implements it on BullMQ/Redis
 * (service/queue/); tests of the API alone may use an in-memory double from testing/farm/.
 */
export interface RenderQueue {
  /**
   * Queues a job. With an idempotency key the same key always names the same job: a second
   * submit answers the first job (`created: false`) and queues nothing.
   */
  submit(
    data: RenderJobData,
    options?: { idempotencyKey?: string },
  ): Promise<{ job: RenderJobView; created: boolean }>;
  get(jobId: string): Promise<RenderJobView | null>;
  /** Newest first. */
  list(filter: { state?: RenderJobState; limit: number }): Promise<RenderJobView[]>;
  /** A queued job is removed, an active one aborted by its worker; a finished one is left. */
  cancel(jobId: string): Promise<'cancelled' | 'not-found' | 'finished'>;
  counts(): Promise<Record<RenderJobState, number>>;
  /** Workers connected to the queue now (BullMQ's worker list), with their names. */
  workers(): Promise<{ name: string; concurrency: number | null }[]>;
  /** Every state change and progress report of every job; returns the unsubscribe. */
  subscribe(listener: (event: RenderJobEvent) => void): () => void;
  /** The path of a finished file, or null while it is not whole (or never will be). */
  filePath(jobId: string, kind: JobFileKind): Promise<string | null>;
  close(): Promise<void>;
}

/** Where the farm keeps things under RAPIDO_DATA_DIR (shared by every API and worker). */
export function farmPaths(dataDir: string) {
  const root = join(dataDir, 'farm');
  return {
    root,
    /** A job's folder: its finished files, and part files while it renders. */
    jobDir: (jobId: string) => join(root, 'jobs', jobId),
    /** Lessons unpacked from uploaded archives or imported from slide data. */
    lessonsDir: join(root, 'lessons'),
    /** File names of the finished files inside the job's folder. */
    fileName: {
      video: 'lesson.mp4',
      captions: 'lesson.vtt',
      chapters: 'chapters.json',
    } satisfies Record<JobFileKind, string>,
  };
}
