import type { RgbaImageLike } from './detect-key-color.ts';
import { rgbToHex } from './detect-key-color.ts';

/**
 * The eyedropper's colour: the mean of a (2·radius+1)² square around (x, y), clipped to the
 * image, so one noisy or anti-aliased pixel does not decide the key. Coordinates are pixels
 * (fractions are floored); outside the image, the nearest edge pixel's square is used.
 */
export function averageColorAt(image: RgbaImageLike, x: number, y: number, radius = 2): string {
  const { width, height, data } = image;
  const centreX = Math.min(width - 1, Math.max(0, Math.floor(x)));
  const centreY = Math.min(height - 1, Math.max(0, Math.floor(y)));
  let red = 0;
  let green = 0;
  let blue = 0;
  let count = 0;
  for (
    let row = Math.max(0, centreY - radius);
    row <= Math.min(height - 1, centreY + radius);
    row += 1
  ) {
    for (
      let column = Math.max(0, centreX - radius);
      column <= Math.min(width - 1, centreX + radius);
      column += 1
    ) {
      const offset = (row * width + column) * 4;
      red += data[offset] ?? 0;
      green += data[offset + 1] ?? 0;
      blue += data[offset + 2] ?? 0;
      count += 1;
    }
  }
  if (count === 0) return '#000000';
  return rgbToHex(red / count, green / count, blue / count);
}
