import { describe, expect, test } from 'vitest';
import { FramePainter, markerSquareFor, mouthOpeningFor, parseKeyColour } from './frame-painter.ts';

function constant(value: number): Int16Array {
  return new Int16Array(640).fill(value);
}

function countPixels(image: Uint8Array, colour: readonly number[]): number {
  let total = 0;
  for (let offset = 0; offset < image.length; offset += 3) {
    if (
      image[offset] === colour[0] &&
      image[offset + 1] === colour[1] &&
      image[offset + 2] === colour[2]
    )
      total++;
  }
  return total;
}

describe('FramePainter', () => {
  test('the marker square follows the -40 dBFS threshold; nothing else white or black', () => {
    const painter = new FramePainter(96, 80, '#089831');
    const above = painter.paint(constant(340)).slice();
    const below = painter.paint(constant(320)).slice();
    expect(countPixels(above, [255, 255, 255])).toBe(16 * 16);
    expect(countPixels(above, [0, 0, 0])).toBe(0);
    expect(countPixels(below, [0, 0, 0])).toBe(16 * 16);
    expect(countPixels(below, [255, 255, 255])).toBe(0);
  });

  test('the mouth opens with loudness and closes again for silence', () => {
    const painter = new FramePainter(128, 128, '#beffba');
    const mouth = [120, 24, 40];
    const closed = countPixels(painter.paint(constant(0)), mouth);
    const medium = countPixels(painter.paint(constant(2000)), mouth);
    const loud = countPixels(painter.paint(constant(12000)), mouth);
    const closedAgain = countPixels(painter.paint(constant(0)), mouth);
    expect(closed).toBeGreaterThan(0);
    expect(medium).toBeGreaterThan(closed);
    expect(loud).toBeGreaterThan(medium);
    expect(closedAgain).toBe(closed);
    expect(mouthOpeningFor(constant(320))).toBe(0);
    expect(mouthOpeningFor(constant(32767))).toBe(1);
  });

  test('the silhouette sits on the key colour and uses none of it', () => {
    const painter = new FramePainter(350, 300, '#089831');
    const image = painter.paint(constant(0));
    const key = parseKeyColour('#089831');
    const keyed = countPixels(image, key);
    expect(keyed).toBeGreaterThan(350 * 300 * 0.4);
    expect(keyed).toBeLessThan(350 * 300 * 0.9);
    expect(image.length).toBe(350 * 300 * 3);
  });

  test('rejects bad sizes and colours; the marker shrinks only for tiny frames', () => {
    expect(() => new FramePainter(4, 4, '#089831')).toThrow(RangeError);
    expect(() => new FramePainter(64, 64, 'green')).toThrow(RangeError);
    expect(markerSquareFor(512, 512)).toEqual({ x: 0, y: 0, sizePx: 16 });
    expect(markerSquareFor(12, 40)).toEqual({ x: 0, y: 0, sizePx: 12 });
  });
});
