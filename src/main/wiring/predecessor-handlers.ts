import { err, ok, type Result } from '../../shared/result.ts';
import type { Logger } from '../services/logging/logger.ts';
import { fetchPlanAssets, type FetchLimits } from '../services/lesson/predecessor/plan-assets.ts';
import {
  createPlanStore,
  defaultPlanStoreSize,
} from '../services/lesson/predecessor/plan-store.ts';
import { readPredecessorFile } from '../services/lesson/predecessor/read-predecessor.ts';
import { sniffAudioExtension } from '../services/lesson/predecessor/asset-types.ts';
import { readFileInsideFolder } from '../services/platform/file-inside-folder.ts';
import { imageSniffLength, sniffImageType } from '../../shared/lesson/lesson-paths.ts';
import type { EmitToClient } from '../services/avatar/synctalk-avatar-service.ts';
import type { InvokeHandlersOf } from './host-abilities.ts';

type PredecessorChannels =
  | 'lesson:read-predecessor'
  | 'lesson:fetch-plan-assets'
  | 'lesson:read-plan-asset'
  | 'lesson:fetch-plan-cancel';

/** Where a plan's last fetch put its ready assets: the real lesson folder, and each key's path. */
interface FetchedPlan {
  realDir: string;
  paths: ReadonlyMap<string, string>;
}

/**
 * What the page may read back of one asset: the largest picture or recording the fetcher keeps,
 * less room for framing in the headless host's 64 MiB WebSocket message.
 */
const maxReadBackBytes = 60 * 1024 * 1024;

/** The MIME type of a fetched asset's bytes (the fetcher checked them when it kept them). */
function assetMimeType(bytes: Uint8Array): string | null {
  const audio = sniffAudioExtension(bytes);
  if (audio !== null) return audio === 'mp3' ? 'audio/mpeg' : `audio/${audio}`;
  return sniffImageType(bytes.subarray(0, imageSniffLength))?.mimeType ?? null;
}

/**
 * The predecessor's channels: main reads a file into a plan (kept here by plan id) and later
 * fetches that plan's assets into a lesson folder. The page names files and folders that are
 * checked against the user's chosen folders (as `lesson:save` checks), and a plan id, never a
 * URL or a path to fetch.
 */
export function createPredecessorHandlers(options: {
  /** The lesson handlers' check of a page-named path against the folders the user chose. */
  allow: (path: string, what: string) => Promise<Result<string>>;
  slideFramesPath: string | undefined;
  emit: EmitToClient;
  logger: Logger;
  limits?: Partial<FetchLimits>;
}): Pick<InvokeHandlersOf<'lesson'>, PredecessorChannels> {
  const { allow, emit, logger } = options;
  const plans = createPlanStore();
  // The last fetch of each of the latest plans fetched (as many as the plan store keeps).
  const fetchedPlans = new Map<string, FetchedPlan>();
  // Runs by client and run id: a page can stop only its own.
  const runs = new Map<string, AbortController>();

  return {
    'lesson:read-predecessor': async (request) => {
      const file = await allow(request.file, 'The predecessor data file');
      if (!file.ok) return file;
      const imagesDir =
        request.imagesDir === undefined
          ? undefined
          : await allow(request.imagesDir, 'The images folder');
      if (imagesDir?.ok === false) return imagesDir;
      const read = await readPredecessorFile({
        file: file.value,
        ...(imagesDir === undefined ? {} : { imagesDir: imagesDir.value }),
        ...(options.slideFramesPath === undefined
          ? {}
          : { slideFramesPath: options.slideFramesPath }),
      });
      if (!read.ok) {
        logger.warn(`predecessor data not read: ${read.error.message}`, {
          event_type: 'predecessor_read_failed',
          file: file.value,
          details: read.error.details ?? [],
        });
        return read;
      }
      plans.put(read.value);
      const { plan } = read.value;
      logger.info(`predecessor data read: ${file.value}`, {
        event_type: 'predecessor_read',
        form: plan.form,
        slide_count: plan.slides.length,
        asset_count: plan.assets.length,
      });
      return ok(plan);
    },
    'lesson:fetch-plan-assets': async ({ planId, lessonDir, runId, kinds }, context) => {
      const stored = plans.get(planId);
      if (stored === null) {
        return err('invalid-request', `No plan ${planId} is known (main keeps the last few read)`, {
          hint: 'Read the predecessor file again, then fetch its assets.',
        });
      }
      const dir = await allow(lessonDir, 'The lesson folder');
      if (!dir.ok) return dir;
      const key = `${context.clientId}\u0000${runId}`;
      if (runs.has(key)) return err('invalid-request', `A fetch with run id ${runId} is running`);
      const controller = new AbortController();
      runs.set(key, controller);
      try {
        const wanted = new Set(kinds ?? ['image', 'audio']);
        const fetched = await fetchPlanAssets({
          stored: {
            plan: {
              ...stored.plan,
              assets: stored.plan.assets.filter((asset) => wanted.has(asset.kind)),
            },
            assets: new Map([...stored.assets].filter(([, asset]) => wanted.has(asset.kind))),
          },
          lessonDir: dir.value,
          allowLocal: (path) => allow(path, 'A file the predecessor data names'),
          signal: controller.signal,
          onProgress: (progress) =>
            emit(context.clientId, 'lesson:fetch-plan-progress', { runId, ...progress }),
          ...(options.limits === undefined ? {} : { limits: options.limits }),
        });
        if (fetched.ok) {
          const paths = new Map<string, string>();
          for (const asset of fetched.value.assets) {
            if (asset.state === 'ready') paths.set(asset.key, asset.path);
          }
          fetchedPlans.delete(planId);
          fetchedPlans.set(planId, { realDir: dir.value, paths });
          while (fetchedPlans.size > defaultPlanStoreSize) {
            const oldest = fetchedPlans.keys().next().value;
            if (oldest === undefined) break;
            fetchedPlans.delete(oldest);
          }
          const missing = fetched.value.assets.filter((asset) => asset.state === 'missing');
          logger.info(`predecessor assets fetched into ${dir.value}`, {
            event_type: 'predecessor_assets_fetched',
            asset_count: fetched.value.assets.length,
            missing_count: missing.length,
          });
        }
        return fetched;
      } finally {
        runs.delete(key);
      }
    },
    // By plan id and key only: the page never names the path, and main reads only what its own
    // fetch wrote (still checked inside the folder, links resolved, and bounded).
    'lesson:read-plan-asset': async ({ planId, key }) => {
      const fetchedPlan = fetchedPlans.get(planId);
      const path = fetchedPlan?.paths.get(key);
      if (fetchedPlan === undefined || path === undefined) {
        return err('asset-not-found', `Asset ${key} of plan ${planId} was not fetched`, {
          hint: 'Fetch the plan’s assets first; a missing asset cannot be read back.',
        });
      }
      const read = await readFileInsideFolder(fetchedPlan.realDir, path, {
        what: 'An imported asset',
        maxBytes: maxReadBackBytes,
      });
      if (!read.ok) return read;
      const mimeType = assetMimeType(read.value.bytes);
      if (mimeType === null) {
        return err('invalid-request', `${path} is no longer a picture or a recording`);
      }
      return ok({ bytes: read.value.bytes, mimeType });
    },
    'lesson:fetch-plan-cancel': ({ runId }, context) => {
      runs.get(`${context.clientId}\u0000${runId}`)?.abort();
      return Promise.resolve(ok({}));
    },
  };
}
