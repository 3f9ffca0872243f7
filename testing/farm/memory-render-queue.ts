import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  renderJobStates,
  type JobFileKind,
  type RenderJobData,
  type RenderJobEvent,
  type RenderJobProgress,
  type RenderJobState,
  type RenderJobView,
} from '../../src/main/service/jobs/render-job.ts';
import { farmPaths, type RenderQueue } from '../../src/main/service/jobs/render-queue.ts';

/**
 * Test double of the farm's queue: the RenderQueue contract kept in memory, for tests of the
 * API alone (the product's queue is BullMQ on Redis, service/queue/). A test plays the worker
 * through `start`, `report`, `finish`: each emits the events a real worker's would, and
 * `filePath` answers a file only once the test has written it into the job's folder, as a
 * worker renames a whole file into place.
 */
export interface MemoryRenderQueue extends RenderQueue {
  /** Every job's data as submitted, in order (what a worker would have received). */
  readonly submitted: RenderJobData[];
  start(jobId: string, worker?: string): void;
  report(jobId: string, progress: RenderJobProgress): void;
  finish(
    jobId: string,
    outcome: 'completed' | 'failed',
    error?: { code: string; message: string },
  ): void;
  setWorkers(workers: { name: string; concurrency: number | null }[]): void;
}

interface Entry {
  view: RenderJobView;
  data: RenderJobData;
}

export function createMemoryRenderQueue(dataDir: string): MemoryRenderQueue {
  const jobs = new Map<string, Entry>();
  const byKey = new Map<string, string>();
  const listeners = new Set<(event: RenderJobEvent) => void>();
  const submitted: RenderJobData[] = [];
  let workers: { name: string; concurrency: number | null }[] = [];
  const paths = farmPaths(dataDir);

  function emit(event: RenderJobEvent): void {
    for (const listener of [...listeners]) listener(event);
  }

  function entryOf(jobId: string): Entry {
    const entry = jobs.get(jobId);
    if (!entry) throw new Error(`no job ${jobId}`);
    return entry;
  }

  function setState(entry: Entry, state: RenderJobState, error: RenderJobView['error'] = null) {
    entry.view = { ...entry.view, state, error };
    emit({ type: 'state', jobId: entry.view.id, lessonId: entry.view.lessonId, state, error });
  }

  async function filesOf(jobId: string): Promise<JobFileKind[]> {
    const kinds: JobFileKind[] = ['video', 'captions', 'chapters'];
    const present = await Promise.all(
      kinds.map(async (kind) =>
        (await stat(join(paths.jobDir(jobId), paths.fileName[kind])).catch(() => null))?.isFile()
          ? kind
          : null,
      ),
    );
    return present.filter((kind): kind is JobFileKind => kind !== null);
  }

  async function withFiles(view: RenderJobView): Promise<RenderJobView> {
    return view.state === 'completed' ? { ...view, files: await filesOf(view.id) } : view;
  }

  return {
    submitted,
    async submit(data, options = {}) {
      const key = options.idempotencyKey;
      const existing = key === undefined ? undefined : byKey.get(key);
      if (existing !== undefined) {
        return { job: await withFiles(entryOf(existing).view), created: false };
      }
      const id = randomUUID();
      const view: RenderJobView = {
        id,
        lessonId: data.lessonId,
        source: data.source,
        options: data.options,
        state: 'queued',
        progress: null,
        submittedBy: data.submittedBy,
        submittedAt: new Date(data.submittedAtMs).toISOString(),
        startedAt: null,
        finishedAt: null,
        attempts: 0,
        error: null,
        files: [],
      };
      jobs.set(id, { view, data });
      if (key !== undefined) byKey.set(key, id);
      submitted.push(data);
      emit({ type: 'state', jobId: id, lessonId: data.lessonId, state: 'queued', error: null });
      return { job: view, created: true };
    },
    async get(jobId) {
      const entry = jobs.get(jobId);
      return entry ? withFiles(entry.view) : null;
    },
    async list(filter) {
      const views = [...jobs.values()]
        .map((entry) => entry.view)
        .filter((view) => filter.state === undefined || view.state === filter.state)
        .reverse()
        .slice(0, filter.limit);
      return Promise.all(views.map(withFiles));
    },
    cancel(jobId) {
      const entry = jobs.get(jobId);
      if (!entry) return Promise.resolve('not-found' as const);
      if (entry.view.state !== 'queued' && entry.view.state !== 'active') {
        return Promise.resolve('finished' as const);
      }
      entry.view = { ...entry.view, finishedAt: new Date().toISOString() };
      setState(entry, 'cancelled');
      return Promise.resolve('cancelled' as const);
    },
    counts() {
      const counts = Object.fromEntries(renderJobStates.map((state) => [state, 0])) as Record<
        RenderJobState,
        number
      >;
      for (const entry of jobs.values()) counts[entry.view.state] += 1;
      return Promise.resolve(counts);
    },
    workers() {
      return Promise.resolve(workers);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async filePath(jobId, kind) {
      const entry = jobs.get(jobId);
      if (!entry || entry.view.state !== 'completed') return null;
      const path = join(paths.jobDir(jobId), paths.fileName[kind]);
      return (await stat(path).catch(() => null))?.isFile() ? path : null;
    },
    close() {
      listeners.clear();
      return Promise.resolve();
    },
    start(jobId, worker = 'memory-worker') {
      const entry = entryOf(jobId);
      entry.view = {
        ...entry.view,
        startedAt: new Date().toISOString(),
        attempts: entry.view.attempts + 1,
        progress: { fraction: 0, stage: 'preparing', message: 'starting', etaMs: null, worker },
      };
      setState(entry, 'active');
    },
    report(jobId, progress) {
      const entry = entryOf(jobId);
      entry.view = { ...entry.view, progress };
      emit({ type: 'progress', jobId, lessonId: entry.view.lessonId, progress });
    },
    finish(jobId, outcome, error) {
      const entry = entryOf(jobId);
      entry.view = { ...entry.view, finishedAt: new Date().toISOString() };
      setState(entry, outcome, outcome === 'failed' ? (error ?? null) : null);
    },
    setWorkers(list) {
      workers = list;
    },
  };
}
