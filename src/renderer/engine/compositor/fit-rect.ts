/** A rectangle in any one unit system (pixels, or normalised 0..1 of one axis each), y down. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

export type FitMode = 'contain';
/** 'center' centres both ways; 'bottom' centres horizontally and sits on the bottom edge. */
export type FitAlign = 'center' | 'bottom';

/** Scale factor from source to fitted size, per mode (only 'contain' so far). */
const fitScales: Record<FitMode, (source: Size, target: Rect) => number> = {
  contain: (source, target) => Math.min(target.width / source.width, target.height / source.height),
};

/**
 * The largest rectangle with the source's aspect ratio inside `target` (contain). Source and
 * target must be in the same units: fitting a pixel-sized source into a normalised rectangle of a
 * non-square output would distort it, so convert the target to pixels first.
 */
export function fitRect(source: Size, target: Rect, mode: FitMode, align: FitAlign): Rect {
  if (!(source.width > 0 && source.height > 0 && target.width > 0 && target.height > 0)) {
    // Nothing to show: an empty rectangle where the content would be anchored.
    const y = align === 'bottom' ? target.y + target.height : target.y + target.height / 2;
    return { x: target.x + target.width / 2, y, width: 0, height: 0 };
  }
  const scale = fitScales[mode](source, target);
  const width = source.width * scale;
  const height = source.height * scale;
  const x = target.x + (target.width - width) / 2;
  const y =
    align === 'bottom'
      ? target.y + target.height - height
      : target.y + (target.height - height) / 2;
  return { x, y, width, height };
}

/**
 * Where an avatar frame lands in the output, in output pixels: fitted into its normalised
 * placement (converted to pixels first) and standing on the placement's bottom edge.
 */
export function placeAvatar(avatar: Size, placement: Rect, output: Size): Rect {
  return fitRect(
    avatar,
    {
      x: placement.x * output.width,
      y: placement.y * output.height,
      width: placement.width * output.width,
      height: placement.height * output.height,
    },
    'contain',
    'bottom',
  );
}

/** A rectangle in output pixels as fractions of the output (what the shaders take). */
export function toNormalised(rect: Rect, output: Size): Rect {
  return {
    x: rect.x / output.width,
    y: rect.y / output.height,
    width: rect.width / output.width,
    height: rect.height / output.height,
  };
}
