import { err, ok, type Result } from '../../shared/result.ts';
import type { Logger } from '../services/logging/logger.ts';
import { fetchPlanAssets, type FetchLimits } from '../services/lesson/predecessor/plan-assets.ts';
import { createPlanStore } from '../services/lesson/predecessor/plan-store.ts';
import { readPredecessorFile } from '../services/lesson/predecessor/read-predecessor.ts';
import type { EmitToClient } from '../services/avatar/synctalk-avatar-service.ts';
import type { InvokeHandlersOf } from './host-abilities.ts';

type PredecessorChannels =
  'lesson:read-predecessor' | 'lesson:fetch-plan-assets' | 'lesson:fetch-plan-cancel';

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
    'lesson:fetch-plan-assets': async ({ planId, lessonDir, runId }, context) => {
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
        const fetched = await fetchPlanAssets({
          stored,
          lessonDir: dir.value,
          allowLocal: (path) => allow(path, 'A file the predecessor data names'),
          signal: controller.signal,
          onProgress: (progress) =>
            emit(context.clientId, 'lesson:fetch-plan-progress', { runId, ...progress }),
          ...(options.limits === undefined ? {} : { limits: options.limits }),
        });
        if (fetched.ok) {
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
    'lesson:fetch-plan-cancel': ({ runId }, context) => {
      runs.get(`${context.clientId}\u0000${runId}`)?.abort();
      return Promise.resolve(ok({}));
    },
  };
}
