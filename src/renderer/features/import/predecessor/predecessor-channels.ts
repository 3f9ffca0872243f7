import type { RapidoApi } from '../../../../shared/ipc/rapido-api.ts';
import type {
  FetchedAsset,
  PredecessorPlan,
} from '../../../../shared/lesson/predecessor-import.ts';
import { err, type Result } from '../../../../shared/result.ts';

/**
 * The only place the renderer calls main's predecessor channels (`lesson:read-predecessor`,
 * `lesson:fetch-plan-assets`, the `lesson:fetch-plan-progress` event, `lesson:fetch-plan-cancel`,
 * and `lesson:read-plan-asset` for what they fetched),
 * so their names and shapes are adapted here alone. The api methods are looked up on
 * `api.lesson` by name: a main without them (an older build) answers `not-available` instead of
 * the page throwing.
 */

export interface ReadPredecessorRequest {
  /** The predecessor's JSON file: parsed slide data or a video-job document. */
  file: string;
  /** A folder of slide pictures (by position or slide id) for parsed slide data. */
  imagesDir?: string;
}

export interface FetchPlanAssetsRequest {
  planId: string;
  /** The new lesson's folder: assets land in its `sources/` folder. */
  lessonDir: string;
  runId: string;
  /** Only these kinds of asset; default all. */
  kinds?: ('image' | 'audio')[];
}

export interface FetchPlanProgress {
  runId: string;
  done: number;
  total: number;
  bytesDone: number;
  /** What is being fetched now (a file name), when anything is. */
  current: string | null;
}

export interface PredecessorChannels {
  /**
   * The bytes of an asset main's last fetch of the plan made ready, pictures and recordings
   * alike, named by plan id and key (`lesson:read-plan-asset`): never by a path.
   */
  readFetchedAsset(
    planId: string,
    key: string,
  ): Promise<Result<{ bytes: Uint8Array<ArrayBuffer>; mimeType: string }>>;
  readPredecessor(request: ReadPredecessorRequest): Promise<Result<PredecessorPlan>>;
  fetchPlanAssets(request: FetchPlanAssetsRequest): Promise<Result<{ assets: FetchedAsset[] }>>;
  /** Returns the unsubscribe function. */
  onFetchPlanProgress(listener: (progress: FetchPlanProgress) => void): () => void;
  cancelFetchPlan(runId: string): void;
}

/** The methods as main's api names them (H2's `rapido.lesson.*`). */
interface LessonPredecessorMethods {
  readPredecessor: PredecessorChannels['readPredecessor'];
  fetchPlanAssets: PredecessorChannels['fetchPlanAssets'];
  onFetchPlanProgress: PredecessorChannels['onFetchPlanProgress'];
  cancelFetchPlan: (runId: string) => unknown;
}

function notAvailable<T>(): Result<T> {
  return err(
    'not-available',
    'This Rapido cannot read the predecessor’s files: its main process lacks the predecessor importer',
    { hint: 'Update Rapido, then import again.' },
  );
}

export function predecessorChannels(api: RapidoApi): PredecessorChannels {
  // Widened on purpose: before the channels exist in the api type this still compiles, and a
  // main process without them is reported, not crashed on.
  const lesson = api.lesson as Partial<LessonPredecessorMethods>;
  return {
    readFetchedAsset: (planId, key) => api.lesson.readPlanAsset({ planId, key }),
    readPredecessor: (request) =>
      lesson.readPredecessor ? lesson.readPredecessor(request) : Promise.resolve(notAvailable()),
    fetchPlanAssets: (request) =>
      lesson.fetchPlanAssets ? lesson.fetchPlanAssets(request) : Promise.resolve(notAvailable()),
    onFetchPlanProgress: (listener) =>
      lesson.onFetchPlanProgress ? lesson.onFetchPlanProgress(listener) : () => undefined,
    cancelFetchPlan: (runId) => {
      // Send or invoke: whatever main answers is not waited for (cancelling is best effort; the
      // fetch itself answers when it stopped).
      const answer = lesson.cancelFetchPlan?.(runId);
      if (answer instanceof Promise) answer.catch(() => undefined);
    },
  };
}
