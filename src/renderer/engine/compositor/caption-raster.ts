import { captionLines, captionStyle, layoutCaption, type CaptionLayout } from './caption-layout.ts';
import type { Size } from './fit-rect.ts';
import type { PixelRect } from './pixel-rect.ts';

type Context2d = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

/** A rasterised caption: box-sized pixels (premultiplied in the canvas) and where they go. */
export interface CaptionRaster {
  /** The rasteriser's own canvas: valid until its next `rasterise`. */
  readonly source: OffscreenCanvas | HTMLCanvasElement;
  readonly rect: PixelRect;
}

function createCanvas(): { canvas: OffscreenCanvas | HTMLCanvasElement; context: Context2d } {
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(1, 1);
    const context = canvas.getContext('2d');
    if (context) return { canvas, context };
  }
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2D canvas context for captions');
  return { canvas, context };
}

/**
 * Draws caption text into a box-sized 2D canvas (OffscreenCanvas where there is one), once per
 * change of text or output size: the compositor uploads the result as a texture and blends it
 * every frame that needs it, so no text is laid out per frame.
 */
export class CaptionRasteriser {
  private canvas: OffscreenCanvas | HTMLCanvasElement | null = null;
  private context: Context2d | null = null;

  /** Lays the text out for the output and draws it; null for no (or only blank) text. */
  rasterise(text: string | null, output: Size): CaptionRaster | null {
    const lines = captionLines(text);
    if (lines.length === 0) return null;
    if (!this.canvas || !this.context) {
      const created = createCanvas();
      this.canvas = created.canvas;
      this.context = created.context;
    }
    const context = this.context;
    const layout = layoutCaption(lines, output, (line, font) => {
      context.font = font;
      return context.measureText(line).width;
    });
    if (!layout) return null;
    this.draw(this.canvas, context, layout);
    return { source: this.canvas, rect: layout.box };
  }

  /** Lets go of the canvas's pixels. */
  dispose(): void {
    if (this.canvas) {
      this.canvas.width = 0;
      this.canvas.height = 0;
    }
    this.canvas = null;
    this.context = null;
  }

  private draw(
    canvas: OffscreenCanvas | HTMLCanvasElement,
    context: Context2d,
    layout: CaptionLayout,
  ): void {
    const { width, height } = layout.box;
    // Resizing also resets the context's state; an unchanged size only needs clearing.
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    } else {
      context.clearRect(0, 0, width, height);
    }
    context.fillStyle = captionStyle.boxColour;
    context.beginPath();
    context.roundRect(0, 0, width, height, layout.cornerRadiusPx);
    context.fill();
    context.fillStyle = captionStyle.textColour;
    context.font = layout.font;
    context.textAlign = 'center';
    context.textBaseline = 'middle';
    layout.lines.forEach((line, index) => {
      const y = layout.paddingYPx + (index + 0.5) * layout.lineHeightPx;
      // maxWidth: even at the smallest font no line spills past 90% of the output.
      context.fillText(line, width / 2, y, layout.maxTextWidthPx);
    });
  }
}
