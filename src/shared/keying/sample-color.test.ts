import { describe, expect, it } from 'vitest';
import { averageColorAt } from './sample-color.ts';

/** 10x10: left half pure green, right half pure red, one white speck at (2, 2). */
function image() {
  const width = 10;
  const height = 10;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offset = (y * width + x) * 4;
      const speck = x === 2 && y === 2;
      data[offset] = speck ? 255 : x < 5 ? 0 : 255;
      data[offset + 1] = speck ? 255 : x < 5 ? 250 : 0;
      data[offset + 2] = speck ? 255 : 0;
      data[offset + 3] = 255;
    }
  }
  return { data, width, height };
}

describe('averageColorAt', () => {
  it('averages a 5x5 square, so one speck moves the colour by only 1/25', () => {
    // 24 x (0,250,0) + (255,255,255), over 25.
    expect(averageColorAt(image(), 2, 2)).toBe('#0afa0a');
  });

  it('mixes across an edge inside the square', () => {
    // Columns 3..7 at row 7: two green, three red.
    expect(averageColorAt(image(), 5, 7)).toBe('#996400');
  });

  it('clips the square at the image border and clamps points outside', () => {
    expect(averageColorAt(image(), 9.7, 9.9)).toBe('#ff0000');
    expect(averageColorAt(image(), -5, 8)).toBe('#00fa00');
  });

  it('reads a single pixel with radius 0', () => {
    expect(averageColorAt(image(), 2.5, 2.5, 0)).toBe('#ffffff');
  });
});
