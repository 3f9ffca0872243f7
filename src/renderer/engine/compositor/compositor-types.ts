/** What the compositor draws and tells: its inputs, its stats and its GL context's needs. */

export interface CompositorStats {
  readonly framesRendered: number;
  /** CPU time of the last `render` call (submission; the GPU may still be working). */
  readonly lastRenderMs: number;
  /** How many times caption text was laid out, drawn and uploaded (once per change). */
  readonly captionRasterisations: number;
  /** CPU time of the last of those (layout, 2D drawing and texture upload). */
  readonly lastCaptionRasteriseMs: number;
}

/** The compositor's GL context: usable, lost (waiting for a restore), or given up for good. */
export type CompositorState = 'ready' | 'lost' | 'disposed';

export interface CompositorLogger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

export interface CompositorOptions {
  /** Where lifecycle events go; defaults to the console. */
  readonly logger?: CompositorLogger;
}

/** Raw RGB24 pixels, row-major (SyncTalk frames): uploaded as they are, no decode or canvas. */
export interface RgbPixels {
  readonly rgb: Uint8Array;
}

export interface AvatarFrame {
  readonly source: TexImageSource | RgbPixels;
  readonly width: number;
  readonly height: number;
}

export function isRgbPixels(source: TexImageSource | RgbPixels): source is RgbPixels {
  return 'rgb' in source;
}

/** The program canvas's context: opaque output, premultiplied blending, readable after present. */
export const compositorContextAttributes: WebGLContextAttributes = {
  alpha: false,
  premultipliedAlpha: true,
  // Also what lets a frame redraw only the avatar's rectangles: the rest stays from before.
  preserveDrawingBuffer: true,
  antialias: false,
  depth: false,
  stencil: false,
};

/** Lifecycle events go to the console unless the caller gives a logger. */
export const consoleLogger: CompositorLogger = {
  info(message, details) {
    console.info(`[compositor] ${message}`, details ?? {});
  },
  warn(message, details) {
    console.warn(`[compositor] ${message}`, details ?? {});
  },
};
