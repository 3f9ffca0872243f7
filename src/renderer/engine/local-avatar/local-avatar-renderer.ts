import { DESIGN_SIZE, HEAD_PIVOT, figureTransform } from './avatar-layout.ts';
import type { DesignRect, FigureTransform } from './avatar-layout.ts';
import { avatarPoseAt } from './avatar-motion.ts';
import type { AvatarPose } from './avatar-motion.ts';
import {
  createSurface,
  type AvatarSurface,
  type Context2D,
  type Surface2D,
} from './avatar-canvas.ts';
import { drawBrow, drawEye, drawMouth } from './avatar-face.ts';
import { paintBackHair, paintBody, paintFrontHair, paintHead } from './avatar-figure.ts';

export type { AvatarSurface };

export interface LocalAvatarRendererOptions {
  width: number;
  height: number;
  /** The flat background, e.g. the lesson's key colour "#00b140". */
  keyColor: string;
}

/** A pre-rendered, transparent part of the figure and where it sits. */
interface Layer {
  surface: Surface2D;
  /** The design-space box it covers (for drawing it under the head's transform). */
  bounds: DesignRect;
  /** Its top-left frame pixel (for copying it unmoved). */
  pixelLeft: number;
  pixelTop: number;
}

/** The parts of the figure that never change shape, rendered once per frame size. */
interface Layers {
  backHair: Layer;
  /** The body at BODY_SUBPIXEL_STEPS vertical sub-pixel offsets, so breathing is a plain copy. */
  bodySteps: Layer[];
  head: Layer;
}

/** Quarter-pixel steps: smooth enough for breathing, and each frame copies whole pixels only. */
const BODY_SUBPIXEL_STEPS = 4;

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/**
 * Renders `paint` (which draws in design units) into a canvas covering `bounds`, snapped to
 * whole frame pixels so an unmoved layer is copied without resampling; `subpixelOffsetY` bakes
 * a fraction of a pixel of downward shift into the pixels.
 */
function renderLayer(
  bounds: DesignRect,
  transform: FigureTransform,
  paint: (context: Context2D) => void,
  subpixelOffsetY = 0,
): Layer {
  const { scale, offsetX, offsetY } = transform;
  const left = Math.floor(offsetX + bounds.x * scale);
  const top = Math.floor(offsetY + bounds.y * scale);
  const right = Math.ceil(offsetX + (bounds.x + bounds.width) * scale);
  const bottom = Math.ceil(offsetY + (bounds.y + bounds.height) * scale + subpixelOffsetY);
  const surface = createSurface(Math.max(1, right - left), Math.max(1, bottom - top));
  const snapped: DesignRect = {
    x: (left - offsetX) / scale,
    y: (top - offsetY) / scale,
    width: surface.canvas.width / scale,
    height: surface.canvas.height / scale,
  };
  surface.context.setTransform(
    scale,
    0,
    0,
    scale,
    -snapped.x * scale,
    -snapped.y * scale + subpixelOffsetY,
  );
  paint(surface.context);
  return { surface, bounds: snapped, pixelLeft: left, pixelTop: top };
}

function drawLayer(context: Context2D, layer: Layer): void {
  const { x, y, width, height } = layer.bounds;
  context.drawImage(layer.surface.canvas, x, y, width, height);
}

/**
 * Draws Rapido's built-in presenter on a flat key-colour background, one pose per call. Static
 * parts (body, hair, face) are pre-rendered once per size; a frame is four image copies plus the
 * eyes, brows and mouth, so it stays cheap enough to upload as a texture every frame.
 */
export class LocalAvatarRenderer {
  readonly canvas: AvatarSurface;
  readonly width: number;
  readonly height: number;
  private readonly context: Context2D;
  private readonly transform: FigureTransform;
  private keyColor: string;
  private layers: Layers | undefined;

  /** The frame as last drawn (green screen and all), for the eyedropper and key detection. */
  snapshot(): ImageData {
    return this.context.getImageData(0, 0, this.canvas.width, this.canvas.height);
  }

  constructor(options: LocalAvatarRendererOptions) {
    const { width, height } = options;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 16 || height < 16) {
      throw new RangeError(
        `frame size must be whole pixels, at least 16x16 (got ${width}x${height})`,
      );
    }
    this.width = width;
    this.height = height;
    const surface = createSurface(width, height);
    this.canvas = surface.canvas;
    this.context = surface.context;
    this.transform = figureTransform(width, height);
    this.keyColor = checkedColor(options.keyColor);
    this.layers = renderLayers(this.transform, width, height);
  }

  /** Changes the background; takes effect on the next draw. */
  setKeyColor(hex: string): void {
    this.keyColor = checkedColor(hex);
  }

  draw(pose: AvatarPose): void {
    const layers = this.layers;
    if (layers === undefined) throw new Error('LocalAvatarRenderer.draw called after dispose');
    const context = this.context;
    const { scale, offsetX, offsetY } = this.transform;

    context.setTransform(1, 0, 0, 1, 0, 0);
    context.fillStyle = this.keyColor;
    context.fillRect(0, 0, this.width, this.height);

    // Resampling a layer costs far more than copying it, so only the head (which turns) is
    // drawn through a transform; the body moves in whole pixels between pre-shifted copies.
    const setHeadTransform = (): void => {
      context.setTransform(scale, 0, 0, scale, offsetX, offsetY);
      context.translate(
        HEAD_PIVOT.x + pose.headOffsetX * DESIGN_SIZE,
        HEAD_PIVOT.y + pose.headOffsetY * DESIGN_SIZE,
      );
      context.rotate(pose.headTiltRad);
      context.translate(-HEAD_PIVOT.x, -HEAD_PIVOT.y);
    };

    setHeadTransform();
    drawLayer(context, layers.backHair);

    const shiftPx = -pose.breathLift * DESIGN_SIZE * scale;
    let wholePx = Math.floor(shiftPx);
    let step = Math.round((shiftPx - wholePx) * BODY_SUBPIXEL_STEPS);
    if (step === BODY_SUBPIXEL_STEPS) {
      wholePx += 1;
      step = 0;
    }
    const body = layers.bodySteps[step];
    if (body !== undefined) {
      context.setTransform(1, 0, 0, 1, 0, 0);
      context.drawImage(body.surface.canvas, body.pixelLeft, body.pixelTop + wholePx);
    }

    setHeadTransform();
    drawLayer(context, layers.head);
    // The face's moving parts; none of them reaches the hair, so they can go on top.
    drawEye(context, pose, -1);
    drawEye(context, pose, 1);
    drawBrow(context, pose, -1);
    drawBrow(context, pose, 1);
    drawMouth(context, pose);
  }

  /** Releases the cached layers' pixel memory; the renderer cannot draw afterwards. */
  dispose(): void {
    if (this.layers === undefined) return;
    const { backHair, bodySteps, head } = this.layers;
    for (const layer of [backHair, head, ...bodySteps]) {
      layer.surface.canvas.width = 0;
      layer.surface.canvas.height = 0;
    }
    this.layers = undefined;
  }
}

function checkedColor(hex: string): string {
  if (!HEX_COLOR.test(hex)) throw new RangeError(`expected a colour like #00b140 (got ${hex})`);
  return hex;
}

function renderLayers(transform: FigureTransform, width: number, height: number): Layers {
  // The body spans the visible width and runs a little below the frame (breathing lifts it).
  const visibleLeft = -transform.offsetX / transform.scale;
  const visibleTop = -transform.offsetY / transform.scale;
  const visibleRight = (width - transform.offsetX) / transform.scale;
  const visibleBottom = (height - transform.offsetY) / transform.scale;
  // From just above the top of the neck, which hides under the jaw.
  const bodyTop = Math.max(visibleTop, 262);
  const bodyBounds: DesignRect = {
    x: visibleLeft,
    y: bodyTop,
    width: visibleRight - visibleLeft,
    height: visibleBottom + 8 - bodyTop,
  };
  return {
    backHair: renderLayer({ x: 130, y: 76, width: 252, height: 266 }, transform, paintBackHair),
    bodySteps: Array.from({ length: BODY_SUBPIXEL_STEPS }, (_, step) =>
      renderLayer(bodyBounds, transform, paintBody, step / BODY_SUBPIXEL_STEPS),
    ),
    head: renderLayer({ x: 156, y: 80, width: 200, height: 248 }, transform, (context) => {
      paintHead(context);
      paintFrontHair(context);
    }),
  };
}

/**
 * Poses and draws one frame: the hook the compositor, exporter and browser tests share.
 * Returns the pose that was drawn.
 */
export function renderAvatarFrame(
  renderer: LocalAvatarRenderer,
  timeMs: number,
  mouthOpen: number,
  seed = 0,
): AvatarPose {
  const pose = avatarPoseAt(timeMs, mouthOpen, seed);
  renderer.draw(pose);
  return pose;
}
