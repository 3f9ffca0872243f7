import type { NormalisedRect } from '../../../../shared/lesson/lesson-schema.ts';

/**
 * The predecessor's `presenterConfig` (`{scaleX, scaleY, top, left, display?, visible?, …}`, in
 * the document's canvas pixels) as Rapido's avatar placement (0..1 of the output).
 *
 * How the predecessor placed its presenter, from its source
 * (alin-anjum/agent_streaming_backend, rapido_system/api_backup_20250917_082854/rapido_main.py,
 * the composition loop that reads `self.presenter_map` and `self.doc_canvas_size`):
 * - the presenter is a square of `base_avatar_px = 400` canvas pixels ("400x400 at 1080p",
 *   scaled by output height / canvas height);
 * - its top-left corner is `left / canvas_w`, `top / canvas_h` of the output, nudged down by
 *   24 px at 720p (`y_nudge = 24 * out_h / 720`, i.e. 24/720 of the output height);
 * - then clamped so the square stays inside the output.
 * That code ignores `scaleX`/`scaleY`; every real document has 0.2 (rapido_system/data/slideData/
 * and parsed_slideData/), where the editor's presenter is 0.2 × 2048 = 409.6 px (inferred from
 * 22b8e86d…json: top 670.4 + 409.6 = 1080 and left 755.2 + 204.8 = 960, a presenter centred on
 * the bottom edge), within 2.4 % of the predecessor's 400. So at 0.2 this is exactly the
 * predecessor's composition, and another scale grows the square in proportion (an inference:
 * no real document has one).
 */

export interface CanvasSize {
  widthPx: number;
  heightPx: number;
}

export interface PredecessorPresenter {
  /** Null when the config gives no position (then the lesson's placement applies). */
  placement: NormalisedRect | null;
  hidden: boolean;
}

export type PresenterConfigResult =
  | { ok: true; presenter: PredecessorPresenter }
  | { ok: false; key: string | null; message: string };

/** The predecessor's presenter edge at its scale, in canvas pixels (rapido_main.py). */
export const presenterEdgePx = 400;
/** The scale every real document has, at which the edge is exactly `presenterEdgePx`. */
export const referenceScale = 0.2;
/**
 * The smallest scale read: a presenter a twentieth of the usual size (20 canvas px). Below it the
 * square would round to nothing (a fuzzed 5e-324 did); no real document comes near it.
 */
export const minScale = 0.01;
/** The predecessor's downward nudge, as a share of the output height (24 px at 720p). */
export const presenterNudge = 24 / 720;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function readNumber(
  config: Record<string, unknown>,
  key: string,
  fallback: number,
): number | { key: string; message: string } {
  if (!Object.hasOwn(config, key) || config[key] === null || config[key] === undefined) {
    return fallback;
  }
  const value = config[key];
  const number = typeof value === 'number' ? value : Number.NaN;
  if (!Number.isFinite(number)) {
    return { key, message: `expected a number of canvas pixels, got ${JSON.stringify(value)}` };
  }
  return number;
}

/**
 * `config` as the predecessor stored it: an object, or `""`/null where the slide has none
 * (parsed slide data writes `""` for slides that are not canvas slides).
 */
export function presenterFromConfig(config: unknown, canvas: CanvasSize): PresenterConfigResult {
  if (config === '' || config === null || config === undefined) {
    return { ok: true, presenter: { placement: null, hidden: false } };
  }
  if (!isRecord(config)) {
    return {
      ok: false,
      key: null,
      message: `expected {"scaleX", "scaleY", "top", "left"} or "", got ${JSON.stringify(config).slice(0, 40)}`,
    };
  }
  // `display: false` / `visible: false`: the editor's "hide presenter" (true in every real one).
  const hidden = config.display === false || config.visible === false;
  const hasPosition = Object.hasOwn(config, 'top') || Object.hasOwn(config, 'left');
  const values: Record<string, number> = {};
  for (const [key, fallback] of [
    ['left', 0],
    ['top', 0],
    ['scaleX', referenceScale],
    ['scaleY', referenceScale],
  ] as const) {
    const read = readNumber(config, key, fallback);
    if (typeof read !== 'number') return { ok: false, ...read };
    values[key] = read;
  }
  const scaleX = values.scaleX ?? referenceScale;
  const scaleY = values.scaleY ?? referenceScale;
  for (const [key, scale] of [
    ['scaleX', scaleX],
    ['scaleY', scaleY],
  ] as const) {
    if (!(scale >= minScale) || scale > 100) {
      return {
        ok: false,
        key,
        message: `expected a scale from ${minScale} to 100 (0.2 is usual), got ${scale}`,
      };
    }
  }
  if (!hasPosition) return { ok: true, presenter: { placement: null, hidden } };
  const width = Math.min(1, (presenterEdgePx * (scaleX / referenceScale)) / canvas.widthPx);
  const height = Math.min(1, (presenterEdgePx * (scaleY / referenceScale)) / canvas.heightPx);
  const x = (values.left ?? 0) / canvas.widthPx;
  const y = (values.top ?? 0) / canvas.heightPx + presenterNudge;
  const roundedWidth = round(width);
  const roundedHeight = round(height);
  return {
    ok: true,
    presenter: {
      hidden,
      placement: {
        x: round(Math.min(Math.max(0, x), 1 - roundedWidth)),
        y: round(Math.min(Math.max(0, y), 1 - roundedHeight)),
        width: roundedWidth,
        height: roundedHeight,
      },
    },
  };
}
