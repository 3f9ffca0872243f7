import type { AvatarPose } from './avatar-motion.ts';

/**
 * Where the local avatar's parts sit. The figure is drawn in a square design space of
 * DESIGN_SIZE units and scaled to the frame, so any frame size works; the numbers live here,
 * DOM-free, so tests can reason about them (e.g. that the mouth rectangle covers idle motion).
 */
export const DESIGN_SIZE = 512;

export interface DesignPoint {
  x: number;
  y: number;
}

export interface DesignRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A rectangle in fractions of the frame (0..1), like the lesson's placement rectangles. */
export interface NormalisedFrameRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The head turns around the top of the neck. */
export const HEAD_PIVOT: DesignPoint = { x: 256, y: 318 };

export const EYE_CENTER_Y = 212;
export const EYE_SPACING_X = 35;
export const BROW_Y = 187;

export const MOUTH_CENTER: DesignPoint = { x: 256, y: 279 };
export const MOUTH_HALF_WIDTH = 19;
/** How much wider each corner gets when fully open. */
export const MOUTH_WIDEN = 3;
/** The opening's height at openness 1. */
export const MOUTH_MAX_OPENING = 22;
/** Lips around the opening: the lower lip hangs this far below the opening at most. */
export const LOWER_LIP_DEPTH = 5.5;
export const UPPER_LIP_HEIGHT = 6;

/**
 * Colours. All stay far from green keys in CbCr (see avatar-layout.test.ts), so the figure
 * survives the chroma key: warm skin, chestnut hair, a plum blazer, a blush blouse.
 */
export const LOCAL_AVATAR_PALETTE = {
  skin: '#f0bf9b',
  skinShadow: '#d9967a',
  skinDeepShadow: '#c47b63',
  skinHighlight: '#f8d6ba',
  blush: '#ec8f86',
  lips: '#cf6f72',
  lipsHighlight: '#e08d8c',
  lipLine: '#8f3d45',
  mouthInterior: '#4a1010',
  tongue: '#c2505c',
  teeth: '#fbf1ec',
  hair: '#7b4a34',
  hairShadow: '#623e2e',
  hairHighlight: '#9a6243',
  brow: '#5e3a2a',
  eyeWhite: '#fbf5f1',
  iris: '#7a4526',
  irisDark: '#4a2516',
  pupil: '#1f0d0a',
  lash: '#2b120d',
  blazer: '#6b2d52',
  blazerShadow: '#521f3e',
  blazerHighlight: '#833c66',
  blouse: '#f9e0dc',
  blouseShadow: '#e8c1c0',
  pendant: '#eeb45c',
  chain: '#d39a52',
} as const;

/** The frame-size-specific mapping from design units to pixels: pixel = offset + scale * unit. */
export interface FigureTransform {
  scale: number;
  offsetX: number;
  offsetY: number;
}

/**
 * Square frames show the whole design box. Wider frames scale by height and centre the figure
 * (the shoulders extend sideways); taller ones scale by width and stand the figure on the bottom.
 */
export function figureTransform(width: number, height: number): FigureTransform {
  const scale = Math.min(width, height) / DESIGN_SIZE;
  return {
    scale,
    offsetX: (width - DESIGN_SIZE * scale) / 2,
    offsetY: height - DESIGN_SIZE * scale,
  };
}

/** Maps a point of the head (design units) through the pose's head motion. */
export function headPointAt(pose: AvatarPose, point: DesignPoint): DesignPoint {
  const cos = Math.cos(pose.headTiltRad);
  const sin = Math.sin(pose.headTiltRad);
  const dx = point.x - HEAD_PIVOT.x;
  const dy = point.y - HEAD_PIVOT.y;
  return {
    x: HEAD_PIVOT.x + dx * cos - dy * sin + pose.headOffsetX * DESIGN_SIZE,
    y: HEAD_PIVOT.y + dx * sin + dy * cos + pose.headOffsetY * DESIGN_SIZE,
  };
}

export interface MouthShape {
  /** The opening's height at its middle; 0 = closed lips. */
  openingHeight: number;
  halfWidth: number;
  /** Where the corners sit, and the middle of the opening's top and bottom edges. */
  cornerY: number;
  topY: number;
  bottomY: number;
}

/** The mouth's outline (design units, head space) at an openness. */
export function mouthShape(openness: number): MouthShape {
  const clamped = Number.isFinite(openness) ? Math.min(1, Math.max(0, openness)) : 0;
  const openingHeight = clamped * MOUTH_MAX_OPENING;
  // The top edge lifts a little; the bottom edge drops with the jaw.
  return {
    openingHeight,
    halfWidth: MOUTH_HALF_WIDTH + MOUTH_WIDEN * clamped,
    cornerY: MOUTH_CENTER.y - 1.5,
    topY: MOUTH_CENTER.y + 1.5 - 0.22 * openingHeight,
    bottomY: MOUTH_CENTER.y + 1.5 + 0.78 * openingHeight,
  };
}

/** The lips' extent (with their outlines) when fully open, before head motion. */
export function mouthExtent(): DesignRect {
  const open = mouthShape(1);
  // The cupid's bow peaks a little above the upper lip's nominal height; outlines add ~1 unit.
  const top = open.topY - UPPER_LIP_HEIGHT - 2;
  const bottom = open.bottomY + LOWER_LIP_DEPTH + 2;
  return {
    x: MOUTH_CENTER.x - open.halfWidth - 3,
    y: top,
    width: 2 * (open.halfWidth + 3),
    height: bottom - top,
  };
}

// Idle motion never moves the mouth more than this (design units); checked by tests.
const MOUTH_MOTION_MARGIN = 6;

function designRectToFrame(rect: DesignRect, width: number, height: number): NormalisedFrameRect {
  const transform = figureTransform(width, height);
  const left = Math.max(0, (transform.offsetX + rect.x * transform.scale) / width);
  const top = Math.max(0, (transform.offsetY + rect.y * transform.scale) / height);
  const right = Math.min(1, (transform.offsetX + (rect.x + rect.width) * transform.scale) / width);
  const bottom = Math.min(
    1,
    (transform.offsetY + (rect.y + rect.height) * transform.scale) / height,
  );
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/**
 * The region of a width x height frame that holds the mouth in every pose (normalised), so tests
 * can count mouth-interior pixels in recorded video.
 */
export function localAvatarMouthRect(width: number, height: number): NormalisedFrameRect {
  const extent = mouthExtent();
  return designRectToFrame(
    {
      x: extent.x - MOUTH_MOTION_MARGIN,
      y: extent.y - MOUTH_MOTION_MARGIN,
      width: extent.width + 2 * MOUTH_MOTION_MARGIN,
      height: extent.height + 2 * MOUTH_MOTION_MARGIN,
    },
    width,
    height,
  );
}

/** The mouth region of a square frame (the default 512 x 512 and any other square size). */
export const LOCAL_AVATAR_MOUTH_RECT: NormalisedFrameRect = localAvatarMouthRect(
  DESIGN_SIZE,
  DESIGN_SIZE,
);

export interface MouthInteriorCountOptions {
  /** 4 for RGBA (canvas ImageData), 3 for packed RGB (e.g. ffmpeg -pix_fmt rgb24). */
  channels?: 3 | 4;
  /** The region to search, normalised; defaults to the mouth rectangle for this frame size. */
  rect?: NormalisedFrameRect;
  /** Largest RGB distance (0..255 units) from the interior colour that still counts. */
  tolerance?: number;
}

function hexChannels(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

const MOUTH_INTERIOR_RGB = hexChannels(LOCAL_AVATAR_PALETTE.mouthInterior);

/**
 * Counts pixels of the mouth's dark-red interior in a frame (rows top-down): about 0 while the
 * lips are closed, growing as the mouth opens. The default tolerance survives video compression;
 * nothing else in the figure comes within it.
 */
export function countMouthInteriorPixels(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  options: MouthInteriorCountOptions = {},
): number {
  const channels = options.channels ?? 4;
  const rect = options.rect ?? localAvatarMouthRect(width, height);
  const tolerance = options.tolerance ?? 48;
  const left = Math.max(0, Math.floor(rect.x * width));
  const right = Math.min(width, Math.ceil((rect.x + rect.width) * width));
  const top = Math.max(0, Math.floor(rect.y * height));
  const bottom = Math.min(height, Math.ceil((rect.y + rect.height) * height));
  const limit = tolerance * tolerance;
  let count = 0;
  for (let row = top; row < bottom; row++) {
    for (let column = left; column < right; column++) {
      const offset = (row * width + column) * channels;
      const red = (pixels[offset] ?? 0) - MOUTH_INTERIOR_RGB[0];
      const green = (pixels[offset + 1] ?? 0) - MOUTH_INTERIOR_RGB[1];
      const blue = (pixels[offset + 2] ?? 0) - MOUTH_INTERIOR_RGB[2];
      if (red * red + green * green + blue * blue <= limit) count++;
    }
  }
  return count;
}
