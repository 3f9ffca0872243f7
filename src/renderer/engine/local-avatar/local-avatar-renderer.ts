import {
  BROW_Y,
  DESIGN_SIZE,
  EYE_CENTER_Y,
  EYE_SPACING_X,
  HEAD_PIVOT,
  LOCAL_AVATAR_PALETTE as colors,
  LOWER_LIP_DEPTH,
  MOUTH_CENTER,
  UPPER_LIP_HEIGHT,
  figureTransform,
  mouthShape,
} from './avatar-layout.ts';
import type { DesignRect, FigureTransform } from './avatar-layout.ts';
import { avatarPoseAt } from './avatar-motion.ts';
import type { AvatarPose } from './avatar-motion.ts';

export type AvatarSurface = OffscreenCanvas | HTMLCanvasElement;
type Context2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

export interface LocalAvatarRendererOptions {
  width: number;
  height: number;
  /** The flat background, e.g. the lesson's key colour "#00b140". */
  keyColor: string;
}

interface Surface2D {
  canvas: AvatarSurface;
  context: Context2D;
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

// OffscreenCanvas works on Chromium's main thread and in workers; the DOM canvas is the fallback.
function createSurface(width: number, height: number): Surface2D {
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
 * Paints `shape` and its shading on a scratch canvas, then composites the result. Shading drawn
 * with 'source-atop' only tints the shape's own pixels, so anti-aliased edges keep their true
 * coverage (clipping and painting again would leave a light fringe along every edge).
 */
function paintShaded(
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
function mirrored(context: Context2D, draw: (side: -1 | 1) => void): void {
  draw(-1);
  context.save();
  context.translate(2 * HEAD_PIVOT.x, 0);
  context.scale(-1, 1);
  draw(1);
  context.restore();
}

// ---------------------------------------------------------------------------------------------
// Static paths (design units). The figure is symmetric about x = 256 except the hair.

function facePath(): Path2D {
  const path = new Path2D();
  path.moveTo(256, 112);
  path.bezierCurveTo(214, 112, 181, 140, 180, 196);
  path.bezierCurveTo(179, 238, 186, 266, 204, 290);
  path.bezierCurveTo(220, 310, 238, 321, 256, 321);
  path.bezierCurveTo(274, 321, 292, 310, 308, 290);
  path.bezierCurveTo(326, 266, 333, 238, 332, 196);
  path.bezierCurveTo(331, 140, 298, 112, 256, 112);
  path.closePath();
  return path;
}

function neckPath(): Path2D {
  const path = new Path2D();
  path.moveTo(227, 270);
  path.lineTo(285, 270);
  path.bezierCurveTo(285, 320, 288, 346, 304, 366);
  path.lineTo(208, 366);
  path.bezierCurveTo(224, 346, 227, 320, 227, 270);
  path.closePath();
  return path;
}

function backHairPath(): Path2D {
  const path = new Path2D();
  path.moveTo(170, 330);
  path.bezierCurveTo(146, 300, 138, 220, 152, 160);
  path.bezierCurveTo(166, 110, 206, 84, 256, 84);
  path.bezierCurveTo(306, 84, 346, 110, 360, 160);
  path.bezierCurveTo(374, 220, 366, 300, 342, 330);
  path.bezierCurveTo(330, 338, 312, 334, 300, 326);
  path.lineTo(212, 326);
  path.bezierCurveTo(200, 334, 182, 338, 170, 330);
  path.closePath();
  return path;
}

/** The hair over the skull: a side part on the figure's right, a fringe swept across. */
function frontHairPath(): Path2D {
  const path = new Path2D();
  // Outer silhouette, from the left temple over the crown to the right temple.
  path.moveTo(176, 214);
  path.bezierCurveTo(166, 150, 192, 88, 256, 86);
  path.bezierCurveTo(322, 88, 348, 150, 336, 214);
  // Right temple, tucked behind the ear, up to the part.
  path.bezierCurveTo(331, 178, 322, 146, 286, 126);
  // The fringe sweeps from the part down across the forehead to the left temple.
  path.bezierCurveTo(262, 150, 218, 166, 196, 168);
  path.bezierCurveTo(188, 180, 184, 198, 176, 214);
  path.closePath();
  return path;
}

function earPath(): Path2D {
  const path = new Path2D();
  path.moveTo(186, 206);
  path.bezierCurveTo(170, 194, 160, 210, 164, 228);
  path.bezierCurveTo(167, 244, 174, 256, 190, 254);
  path.closePath();
  return path;
}

/** The blazer's silhouette: neck to shoulders to arms, past the frame's bottom and sides. */
function torsoPath(): Path2D {
  const path = new Path2D();
  path.moveTo(214, 352);
  path.bezierCurveTo(180, 372, 120, 384, 82, 398);
  path.bezierCurveTo(44, 412, 28, 448, 22, 500);
  path.lineTo(16, 700);
  path.lineTo(496, 700);
  path.lineTo(490, 500);
  path.bezierCurveTo(484, 448, 468, 412, 430, 398);
  path.bezierCurveTo(392, 384, 332, 372, 298, 352);
  path.closePath();
  return path;
}

function lapelPath(): Path2D {
  const path = new Path2D();
  path.moveTo(216, 356);
  path.lineTo(190, 376);
  path.lineTo(200, 398);
  path.lineTo(180, 410);
  path.lineTo(244, 530);
  path.lineTo(254, 530);
  path.bezierCurveTo(240, 470, 226, 420, 224, 372);
  path.closePath();
  return path;
}

function collarPath(): Path2D {
  const path = new Path2D();
  path.moveTo(222, 352);
  path.bezierCurveTo(216, 368, 212, 384, 208, 406);
  path.lineTo(236, 396);
  path.lineTo(252, 420);
  path.bezierCurveTo(246, 398, 236, 376, 232, 360);
  path.closePath();
  return path;
}

// ---------------------------------------------------------------------------------------------
// Static layers.

function paintBackHair(context: Context2D): void {
  const hair = backHairPath();
  // Darker towards the nape, where the head shades the hair.
  const depth = context.createLinearGradient(0, 150, 0, 334);
  depth.addColorStop(0, colors.hair);
  depth.addColorStop(1, colors.hairShadow);
  paintShaded(context, hair, depth, (shaded) => {
    shaded.lineCap = 'round';
    shaded.strokeStyle = colors.hairHighlight;
    shaded.globalAlpha = 0.45;
    shaded.lineWidth = 3;
    shaded.beginPath();
    shaded.moveTo(158, 180);
    shaded.bezierCurveTo(150, 230, 154, 280, 172, 322);
    shaded.stroke();
    shaded.lineWidth = 2;
    shaded.beginPath();
    shaded.moveTo(168, 200);
    shaded.bezierCurveTo(162, 240, 166, 290, 184, 326);
    shaded.stroke();
    shaded.strokeStyle = colors.hairShadow;
    shaded.globalAlpha = 0.6;
    shaded.beginPath();
    shaded.moveTo(352, 190);
    shaded.bezierCurveTo(358, 240, 354, 290, 336, 326);
    shaded.stroke();
  });
}

function paintBody(context: Context2D): void {
  // Blazer collar standing behind the neck.
  context.fillStyle = colors.blazerShadow;
  context.beginPath();
  context.moveTo(204, 376);
  context.bezierCurveTo(210, 348, 226, 332, 256, 332);
  context.bezierCurveTo(286, 332, 302, 348, 308, 376);
  context.closePath();
  context.fill();

  const torso = torsoPath();
  paintShaded(context, torso, colors.blazer, (shaded) => {
    // Soft light across the shoulders, darker towards the arms' undersides.
    const light = shaded.createLinearGradient(0, 380, 0, 520);
    light.addColorStop(0, 'rgba(131, 60, 102, 0.9)');
    light.addColorStop(1, 'rgba(131, 60, 102, 0)');
    shaded.fillStyle = light;
    shaded.fillRect(-700, 340, 1912, 400);
    // Sleeves' seams.
    shaded.strokeStyle = colors.blazerShadow;
    shaded.lineWidth = 3;
    shaded.lineCap = 'round';
    mirrored(shaded, () => {
      shaded.beginPath();
      shaded.moveTo(96, 404);
      shaded.bezierCurveTo(110, 440, 116, 480, 112, 560);
      shaded.stroke();
    });
  });

  const neck = neckPath();
  paintShaded(context, neck, colors.skin, (shaded) => {
    // The jaw's shadow on the neck, and a side shadow away from the light (upper left).
    shaded.fillStyle = colors.skinShadow;
    shaded.beginPath();
    shaded.moveTo(200, 270);
    shaded.lineTo(312, 270);
    shaded.lineTo(312, 300);
    shaded.bezierCurveTo(292, 326, 274, 338, 256, 338);
    shaded.bezierCurveTo(238, 338, 220, 326, 200, 300);
    shaded.closePath();
    shaded.fill();
    const side = shaded.createLinearGradient(262, 0, 300, 0);
    side.addColorStop(0, 'rgba(217, 150, 122, 0)');
    side.addColorStop(1, 'rgba(196, 123, 99, 0.75)');
    shaded.fillStyle = side;
    shaded.fillRect(256, 270, 60, 110);
  });

  // Blouse between the lapels, open at the neck.
  context.fillStyle = colors.blouse;
  context.beginPath();
  context.moveTo(212, 366);
  context.lineTo(300, 366);
  context.lineTo(268, 530);
  context.lineTo(244, 530);
  context.closePath();
  context.fill();
  context.fillStyle = colors.skin;
  context.beginPath();
  context.moveTo(226, 360);
  context.lineTo(286, 360);
  context.bezierCurveTo(280, 382, 266, 404, 256, 414);
  context.bezierCurveTo(246, 404, 232, 382, 226, 360);
  context.closePath();
  context.fill();
  // A small pendant on a fine chain.
  context.strokeStyle = colors.chain;
  context.lineWidth = 1.2;
  context.beginPath();
  context.moveTo(232, 362);
  context.quadraticCurveTo(256, 400, 280, 362);
  context.stroke();
  context.fillStyle = colors.pendant;
  context.beginPath();
  context.arc(256, 384, 3.2, 0, 2 * Math.PI);
  context.fill();

  mirrored(context, () => {
    // Blouse collar over the blazer, then the lapel.
    context.fillStyle = colors.blouse;
    context.fill(collarPath());
    context.strokeStyle = colors.blouseShadow;
    context.lineWidth = 1.5;
    context.lineJoin = 'round';
    context.stroke(collarPath());
    const lapel = lapelPath();
    paintShaded(context, lapel, colors.blazerShadow, (shaded) => {
      shaded.fillStyle = colors.blazerHighlight;
      shaded.beginPath();
      shaded.moveTo(180, 410);
      shaded.lineTo(244, 530);
      shaded.lineTo(226, 530);
      shaded.lineTo(176, 418);
      shaded.closePath();
      shaded.globalAlpha = 0.55;
      shaded.fill();
    });
  });
}

function paintHead(context: Context2D): void {
  const face = facePath();

  // Ears (the right one mirrored), with an inner fold.
  mirrored(context, () => {
    const ear = earPath();
    context.fillStyle = colors.skin;
    context.fill(ear);
    context.strokeStyle = colors.skinShadow;
    context.lineWidth = 2.2;
    context.lineCap = 'round';
    context.beginPath();
    context.moveTo(182, 214);
    context.bezierCurveTo(172, 208, 168, 222, 172, 232);
    context.bezierCurveTo(175, 240, 180, 242, 184, 240);
    context.stroke();
  });

  paintShaded(context, face, colors.skin, (shaded) => {
    // Shade away from the light (upper left): a crescent along the right cheek and jaw.
    const crescent = new Path2D();
    crescent.rect(150, 100, 220, 240);
    crescent.addPath(face, { a: 1, b: 0, c: 0, d: 1, e: -9, f: -5 });
    shaded.fillStyle = 'rgba(217, 150, 122, 0.75)';
    shaded.fill(crescent, 'evenodd');
    // Under the jaw line.
    const jaw = shaded.createLinearGradient(0, 292, 0, 322);
    jaw.addColorStop(0, 'rgba(217, 150, 122, 0)');
    jaw.addColorStop(1, 'rgba(217, 150, 122, 0.55)');
    shaded.fillStyle = jaw;
    shaded.fillRect(180, 292, 160, 32);
    // The hair's shadow on the forehead.
    shaded.translate(3, 7);
    shaded.fillStyle = 'rgba(196, 123, 99, 0.55)';
    shaded.fill(frontHairPath());
    shaded.translate(-3, -7);
    // Cheeks.
    mirrored(shaded, () => {
      const blush = shaded.createRadialGradient(212, 252, 2, 212, 252, 24);
      blush.addColorStop(0, 'rgba(236, 143, 134, 0.55)');
      blush.addColorStop(1, 'rgba(236, 143, 134, 0)');
      shaded.fillStyle = blush;
      shaded.fillRect(184, 224, 56, 56);
    });
  });

  // Upper-lid creases.
  context.strokeStyle = 'rgba(196, 123, 99, 0.7)';
  context.lineWidth = 1.6;
  context.lineCap = 'round';
  mirrored(context, () => {
    const centerX = HEAD_PIVOT.x - EYE_SPACING_X;
    context.beginPath();
    context.moveTo(centerX - 15, EYE_CENTER_Y - 8);
    context.quadraticCurveTo(centerX, EYE_CENTER_Y - 20, centerX + 14, EYE_CENTER_Y - 9);
    context.stroke();
  });

  // Nose: a shaded side and a soft base.
  context.strokeStyle = 'rgba(217, 150, 122, 0.9)';
  context.lineWidth = 2.2;
  context.beginPath();
  context.moveTo(263, 226);
  context.bezierCurveTo(266, 236, 269, 244, 266, 251);
  context.stroke();
  context.fillStyle = 'rgba(196, 123, 99, 0.4)';
  context.beginPath();
  context.ellipse(257, 255, 11, 4, 0, 0, 2 * Math.PI);
  context.fill();
  context.strokeStyle = colors.skinDeepShadow;
  context.lineWidth = 1.8;
  context.beginPath();
  context.moveTo(248, 253);
  context.quadraticCurveTo(256, 258, 265, 253);
  context.stroke();
}

function paintFrontHair(context: Context2D): void {
  const hair = frontHairPath();
  paintShaded(context, hair, colors.hair, (shaded) => {
    // Sheen along the crown and strands following the sweep.
    shaded.strokeStyle = colors.hairHighlight;
    shaded.lineCap = 'round';
    shaded.lineWidth = 7;
    shaded.globalAlpha = 0.55;
    shaded.beginPath();
    shaded.moveTo(196, 140);
    shaded.bezierCurveTo(214, 106, 262, 96, 296, 108);
    shaded.stroke();
    shaded.lineWidth = 2;
    shaded.globalAlpha = 0.6;
    for (const offset of [0, 12, 24]) {
      shaded.beginPath();
      shaded.moveTo(284, 118 + offset * 0.4);
      shaded.bezierCurveTo(262, 136 + offset * 0.5, 230, 150 + offset * 0.6, 196 + offset, 160);
      shaded.stroke();
    }
    shaded.globalAlpha = 1;
    shaded.strokeStyle = colors.hairShadow;
    shaded.globalAlpha = 0.7;
    shaded.lineWidth = 1.6;
    shaded.beginPath();
    shaded.moveTo(290, 90);
    shaded.quadraticCurveTo(292, 110, 286, 126);
    shaded.stroke();
  });
}

// ---------------------------------------------------------------------------------------------
// Per-frame parts: eyes, brows, mouth. Drawn in head space, on top of the cached head.

function drawEye(context: Context2D, pose: AvatarPose, side: -1 | 1): void {
  const centerX = HEAD_PIVOT.x + side * EYE_SPACING_X;
  const centerY = EYE_CENTER_Y;
  const halfWidth = 16;
  const open = Math.min(1, Math.max(0, pose.eyeOpenness));
  const outerX = centerX + side * halfWidth;
  const innerX = centerX - side * halfWidth;
  const outerY = centerY - 1;
  const innerY = centerY + 1;
  // Closed lids rest on a gentle downward arc; open ones rise into an almond.
  const lowerControlY = centerY + 8;
  const upperControlY = lowerControlY - open * 21;

  context.beginPath();
  context.moveTo(outerX, outerY);
  context.bezierCurveTo(
    outerX - side * 7,
    upperControlY,
    innerX + side * 8,
    upperControlY,
    innerX,
    innerY,
  );
  context.bezierCurveTo(
    innerX + side * 8,
    lowerControlY,
    outerX - side * 7,
    lowerControlY,
    outerX,
    outerY,
  );
  context.closePath();

  if (open > 0.04) {
    context.fillStyle = colors.eyeWhite;
    context.fill();
    context.save();
    context.clip();
    const irisX = centerX + pose.gazeX * 3.5;
    const irisY = centerY + 1 + pose.gazeY * 2;
    context.fillStyle = colors.irisDark;
    context.beginPath();
    context.arc(irisX, irisY, 9, 0, 2 * Math.PI);
    context.fill();
    context.fillStyle = colors.iris;
    context.beginPath();
    context.arc(irisX, irisY + 0.5, 7.4, 0, 2 * Math.PI);
    context.fill();
    context.fillStyle = colors.pupil;
    context.beginPath();
    context.arc(irisX, irisY + 0.3, 4.1, 0, 2 * Math.PI);
    context.fill();
    context.fillStyle = '#ffffff';
    context.beginPath();
    context.arc(irisX + 2.6, irisY - 2.8, 2.1, 0, 2 * Math.PI);
    context.fill();
    context.globalAlpha = 0.7;
    context.beginPath();
    context.arc(irisX - 2.4, irisY + 3, 1, 0, 2 * Math.PI);
    context.fill();
    context.globalAlpha = 1;
    // The upper lid's shadow on the eyeball.
    context.strokeStyle = 'rgba(120, 60, 50, 0.22)';
    context.lineWidth = 4;
    context.beginPath();
    context.moveTo(outerX, outerY + 1.5);
    context.bezierCurveTo(
      outerX - side * 7,
      upperControlY + 1.5,
      innerX + side * 8,
      upperControlY + 1.5,
      innerX,
      innerY + 1.5,
    );
    context.stroke();
    context.restore();
  }

  // Lash line along the upper lid, thicker towards the outer corner, with a small flick.
  context.strokeStyle = colors.lash;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  context.lineWidth = 2.6;
  context.beginPath();
  context.moveTo(outerX, outerY);
  context.bezierCurveTo(
    outerX - side * 7,
    upperControlY,
    innerX + side * 8,
    upperControlY,
    innerX,
    innerY,
  );
  context.stroke();
  context.lineWidth = 2.2;
  context.beginPath();
  context.moveTo(outerX - side * 1, outerY);
  context.lineTo(outerX + side * 4, outerY - 3.5);
  context.stroke();
  if (open > 0.04) {
    context.strokeStyle = 'rgba(196, 123, 99, 0.8)';
    context.lineWidth = 1.3;
    context.beginPath();
    context.moveTo(outerX - side * 2, outerY + 1.5);
    context.bezierCurveTo(
      outerX - side * 8,
      lowerControlY - 0.5,
      innerX + side * 8,
      lowerControlY - 0.5,
      innerX + side * 1,
      innerY + 0.5,
    );
    context.stroke();
  }
}

function drawBrow(context: Context2D, pose: AvatarPose, side: -1 | 1): void {
  const lift = pose.browLift * 4;
  const centerX = HEAD_PIVOT.x + side * (EYE_SPACING_X + 1);
  const innerX = centerX - side * 16;
  const outerX = centerX + side * 18;
  const baseY = BROW_Y - lift;
  context.fillStyle = colors.brow;
  context.beginPath();
  context.moveTo(innerX, baseY + 2);
  context.quadraticCurveTo(innerX + side * 2, baseY - 4, centerX, baseY - 6 - lift * 0.3);
  context.quadraticCurveTo(outerX - side * 8, baseY - 6.5, outerX, baseY + 1);
  context.quadraticCurveTo(outerX - side * 10, baseY - 3, centerX, baseY - 2.5 - lift * 0.3);
  context.quadraticCurveTo(innerX + side * 5, baseY - 1, innerX, baseY + 2);
  context.closePath();
  context.fill();
}

function drawMouth(context: Context2D, pose: AvatarPose): void {
  const { openingHeight, halfWidth, cornerY, topY, bottomY } = mouthShape(pose.mouthOpenness);
  const centerX = MOUTH_CENTER.x;
  const leftX = centerX - halfWidth;
  const rightX = centerX + halfWidth;
  const topControlY = 2 * topY - cornerY;
  const bottomControlY = 2 * bottomY - cornerY;

  // Upper lip, with a soft cupid's bow above the opening's top edge.
  context.fillStyle = colors.lips;
  context.beginPath();
  context.moveTo(leftX, cornerY);
  context.bezierCurveTo(
    leftX + 8,
    cornerY - UPPER_LIP_HEIGHT * 0.6,
    centerX - 7,
    topY - UPPER_LIP_HEIGHT - 1,
    centerX,
    topY - UPPER_LIP_HEIGHT + 1.5,
  );
  context.bezierCurveTo(
    centerX + 7,
    topY - UPPER_LIP_HEIGHT - 1,
    rightX - 8,
    cornerY - UPPER_LIP_HEIGHT * 0.6,
    rightX,
    cornerY,
  );
  context.quadraticCurveTo(centerX, topControlY, leftX, cornerY);
  context.closePath();
  context.fill();

  // Lower lip: fuller, with a highlight.
  context.beginPath();
  context.moveTo(rightX, cornerY);
  context.quadraticCurveTo(centerX, 2 * (bottomY + LOWER_LIP_DEPTH) - cornerY, leftX, cornerY);
  context.quadraticCurveTo(centerX, bottomControlY, rightX, cornerY);
  context.closePath();
  context.fill();
  context.fillStyle = colors.lipsHighlight;
  context.beginPath();
  context.ellipse(centerX - 3, bottomY + LOWER_LIP_DEPTH * 0.5, 6, 1.5, 0, 0, 2 * Math.PI);
  context.fill();

  // The line between the lips, or the opening's outline; the interior then covers its inner
  // half, so even a slightly open mouth shows dark interior rather than only outline.
  context.strokeStyle = colors.lipLine;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  context.lineWidth = 1.8;
  const opening = new Path2D();
  opening.moveTo(leftX, cornerY);
  opening.quadraticCurveTo(centerX, topControlY, rightX, cornerY);
  if (openingHeight > 0.05) {
    opening.quadraticCurveTo(centerX, bottomControlY, leftX, cornerY);
    opening.closePath();
  }
  context.stroke(opening);

  if (openingHeight > 0.05) {
    context.fillStyle = colors.mouthInterior;
    context.fill(opening);
    context.save();
    context.clip(opening);
    // Upper teeth under the lip and the tongue below, both growing with the opening.
    const teethDepth = Math.min(3.5, 0.2 * openingHeight);
    context.fillStyle = colors.teeth;
    context.beginPath();
    context.moveTo(centerX - halfWidth * 0.66, topY - 5);
    context.lineTo(centerX + halfWidth * 0.66, topY - 5);
    context.lineTo(centerX + halfWidth * 0.66, topY + teethDepth * 0.4);
    context.quadraticCurveTo(
      centerX,
      topY + teethDepth * 1.6,
      centerX - halfWidth * 0.66,
      topY + teethDepth * 0.4,
    );
    context.closePath();
    context.fill();
    context.fillStyle = colors.tongue;
    context.beginPath();
    context.ellipse(
      centerX,
      bottomY + 0.12 * openingHeight,
      halfWidth * 0.6,
      0.38 * openingHeight,
      0,
      0,
      2 * Math.PI,
    );
    context.fill();
    context.restore();
  }

  // Darker corners.
  context.lineWidth = 2.2;
  for (const side of [-1, 1] as const) {
    const cornerX = side < 0 ? leftX : rightX;
    context.beginPath();
    context.moveTo(cornerX - side * 1.5, cornerY + 0.3);
    context.lineTo(cornerX + side * 1.5, cornerY - 1.2);
    context.stroke();
  }
}

// ---------------------------------------------------------------------------------------------

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
