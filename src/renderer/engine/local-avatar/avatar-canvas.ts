import { HEAD_PIVOT } from './avatar-layout.ts';

/** The 2D canvases the local avatar paints on, and the painting helpers its parts share. */

export type AvatarSurface = OffscreenCanvas | HTMLCanvasElement;
export type Context2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

export interface Surface2D {
  canvas: AvatarSurface;
  context: Context2D;
}

// OffscreenCanvas works on Chromium's main thread and in workers; the DOM canvas is the fallback.
export function createSurface(width: number, height: number): Surface2D {
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('OffscreenCanvas 2D context unavailable');
    return { canvas, context };
  }
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (context === null) throw new Error('canvas 2D context unavailable');
  return { canvas, context };
}

/**
 * Paints `shape` and its shading on a scratch canvas, then composites the result. Shading drawn
 * with 'source-atop' only tints the shape's own pixels, so anti-aliased edges keep their true
 * coverage (clipping and painting again would leave a light fringe along every edge).
 */
export function paintShaded(
  context: Context2D,
  shape: Path2D,
  fill: string | CanvasGradient,
  shade: (shaded: Context2D) => void,
): void {
  const scratch = createSurface(context.canvas.width, context.canvas.height);
  const shaded = scratch.context;
  shaded.setTransform(context.getTransform());
  shaded.fillStyle = fill;
  shaded.fill(shape);
  shaded.globalCompositeOperation = 'source-atop';
  shade(shaded);
  context.save();
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.drawImage(scratch.canvas, 0, 0);
  context.restore();
  scratch.canvas.width = 0;
  scratch.canvas.height = 0;
}

/** Mirrors a path drawn for the figure's left side onto its right side. */
export function mirrored(context: Context2D, draw: (side: -1 | 1) => void): void {
  draw(-1);
  context.save();
  context.translate(2 * HEAD_PIVOT.x, 0);
  context.scale(-1, 1);
  draw(1);
  context.restore();
}

// ---------------------------------------------------------------------------------------------
// Static paths (design units). The figure is symmetric about x = 256 except the hair.
