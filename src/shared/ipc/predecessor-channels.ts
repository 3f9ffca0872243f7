import { z } from 'zod';
import { fetchedAssetSchema, predecessorPlanSchema } from '../lesson/predecessor-import.ts';
import { resultSchema } from '../result.ts';

/**
 * The predecessor's channels (issue 16): main reads one of its files into a plan, then fetches
 * that plan's assets by plan id; the page draws the slides and saves the lesson. Spread into the
 * one contract (contract.ts), which stays the allowlist; kept here so the contract stays short.
 */

/** As contract.ts's (which spreads this file in, so cannot be imported from here). */
const bytesSchema = z.instanceof(Uint8Array);

/** Renderer → main, answered with a Result. */
export const predecessorInvokeChannels = {
  /**
   * Reads one of the predecessor's files (parsed slide data or a video-job document, told apart
   * by shape) into a plan; writes nothing. `imagesDir` supplies pictures for parsed slide data
   * (by position or slide id; default SLIDE_FRAMES_PATH). Bad input: `invalid-request` with one
   * detail per problem naming the field and line (and the inner path inside `stringifiedDocJson`).
   */
  'lesson:read-predecessor': {
    request: z.object({
      file: z.string().min(1).max(4000),
      imagesDir: z.string().min(1).max(4000).optional(),
    }),
    response: resultSchema(predecessorPlanSchema),
  },
  /**
   * Fetches (URLs) or copies (local files in chosen folders) the assets of a plan main read into
   * `<lessonDir>/sources/`; `lesson:fetch-plan-progress` events carry `runId` meanwhile. Each
   * asset comes back ready (a lesson-relative path) or missing (why). Cancelled: `cancelled`,
   * and nothing of the run is kept.
   */
  'lesson:fetch-plan-assets': {
    request: z.object({
      planId: z.string().min(1).max(200),
      lessonDir: z.string().min(1).max(4000),
      runId: z.string().min(1).max(100),
      /** Only these kinds (e.g. no recordings when they will not be kept); default: all. */
      kinds: z
        .array(z.enum(['image', 'audio']))
        .max(2)
        .optional(),
    }),
    response: resultSchema(z.object({ assets: z.array(fetchedAssetSchema) })),
  },
  /**
   * The bytes of an asset the last fetch of this plan made ready, by plan id and key: the page
   * reads back what main fetched (to draw pictures, to decode recordings) without naming a path,
   * and before the new lesson exists.
   */
  'lesson:read-plan-asset': {
    request: z.object({ planId: z.string().min(1).max(200), key: z.string().min(1).max(200) }),
    response: resultSchema(z.object({ bytes: bytesSchema, mimeType: z.string().max(100) })),
  },
  /** Stops a `lesson:fetch-plan-assets` run (it answers `cancelled` soon after). */
  'lesson:fetch-plan-cancel': {
    request: z.object({ runId: z.string().min(1).max(100) }),
    response: resultSchema(z.object({})),
  },
} as const;

/** Main → renderer. */
export const predecessorEventChannels = {
  /** Progress of a `lesson:fetch-plan-assets` run: assets done of total, bytes, what now. */
  'lesson:fetch-plan-progress': z.object({
    runId: z.string().max(100),
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    bytesDone: z.number().nonnegative(),
    current: z.string().max(4000).nullable(),
  }),
} as const;
