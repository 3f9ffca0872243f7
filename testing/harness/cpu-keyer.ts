import type { NormalisedRect } from '../../src/shared/lesson/lesson-schema.ts';
import {
  fitRect,
  placeAvatar,
  type Rect,
  type Size,
} from '../../src/renderer/engine/compositor/fit-rect.ts';

/**
 * A model of the predecessor's compositor, for comparison only: Canvas2D, the avatar drawn into a
 * work canvas, `getImageData`, a per-pixel binary RGB-distance threshold that sets alpha to 0,
 * `putImageData`, then slide and avatar drawn onto the output. It keys at the avatar's displayed
 * size (its cheapest fair form: the same pixel count the GPU keys).
 */
export class CpuThresholdKeyer {
  private readonly outputContext: CanvasRenderingContext2D;
  private readonly workCanvas: OffscreenCanvas;
  private readonly workContext: OffscreenCanvasRenderingContext2D;
  private readonly avatarRect: Rect;
  private readonly slideRect: Rect;
  private readonly keyRgb: readonly [number, number, number];
  private readonly thresholdSquared: number;

  constructor(
    outputCanvas: HTMLCanvasElement,
    output: Size,
    options: {
      slideSize: Size;
      avatarSize: Size;
      placement: NormalisedRect;
      keyRgb: readonly [number, number, number];
      rgbThreshold: number;
    },
  ) {
    outputCanvas.width = output.width;
    outputCanvas.height = output.height;
    const outputContext = outputCanvas.getContext('2d', { alpha: false });
    if (!outputContext) throw new Error('no 2D context');
    this.outputContext = outputContext;
    const placement = options.placement;
    const fitted = placeAvatar(options.avatarSize, placement, output);
    this.avatarRect = {
      x: Math.round(fitted.x),
      y: Math.round(fitted.y),
      width: Math.max(1, Math.round(fitted.width)),
      height: Math.max(1, Math.round(fitted.height)),
    };
    this.slideRect = fitRect(
      options.slideSize,
      { x: 0, y: 0, width: output.width, height: output.height },
      'contain',
      'center',
    );
    this.workCanvas = new OffscreenCanvas(this.avatarRect.width, this.avatarRect.height);
    // willReadFrequently keeps the work canvas in CPU memory: the fastest path for getImageData.
    const workContext = this.workCanvas.getContext('2d', { willReadFrequently: true });
    if (!workContext) throw new Error('no 2D context');
    this.workContext = workContext;
    this.keyRgb = options.keyRgb;
    this.thresholdSquared = options.rgbThreshold * options.rgbThreshold;
  }

  render(slide: CanvasImageSource, avatar: CanvasImageSource): void {
    const { width, height } = this.avatarRect;
    this.workContext.clearRect(0, 0, width, height);
    this.workContext.drawImage(avatar, 0, 0, width, height);
    const frame = this.workContext.getImageData(0, 0, width, height);
    const data = frame.data;
    const [keyRed, keyGreen, keyBlue] = this.keyRgb;
    for (let index = 0; index < data.length; index += 4) {
      const red = (data[index] ?? 0) - keyRed;
      const green = (data[index + 1] ?? 0) - keyGreen;
      const blue = (data[index + 2] ?? 0) - keyBlue;
      if (red * red + green * green + blue * blue < this.thresholdSquared) data[index + 3] = 0;
    }
    this.workContext.putImageData(frame, 0, 0);

    const context = this.outputContext;
    context.fillStyle = '#000';
    context.fillRect(0, 0, context.canvas.width, context.canvas.height);
    const slideRect = this.slideRect;
    context.drawImage(slide, slideRect.x, slideRect.y, slideRect.width, slideRect.height);
    context.drawImage(this.workCanvas, this.avatarRect.x, this.avatarRect.y);
  }

  /** Waits for the raster work by reading one pixel back. */
  finish(): void {
    this.outputContext.getImageData(0, 0, 1, 1);
  }
}
