import { describe, expect, it } from 'vitest';
import {
  counterCells,
  decodeCounter,
  defaultCellPx,
  patternCellCount,
  patternRect,
} from './frame-counter-pattern.ts';

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8ClampedArray;
}

/** A mid-grey frame with the pattern drawn as the publisher draws it (one fillRect per cell). */
function renderFrame(width: number, height: number, counter: number, cellPx: number): Frame {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let index = 0; index < width * height; index += 1) {
    rgba.set([128, 140, 120, 255], index * 4);
  }
  counterCells(counter).forEach((isWhite, cell) => {
    const level = isWhite ? 255 : 0;
    for (let y = 0; y < cellPx; y += 1) {
      for (let x = cell * cellPx; x < (cell + 1) * cellPx; x += 1) {
        rgba.set([level, level, level, 255], (y * width + x) * 4);
      }
    }
  });
  return { width, height, rgba };
}

/** Deterministic uniform noise of ±amplitude on every colour channel (same on R, G, B: luma). */
function addNoise(frame: Frame, amplitude: number, seed: number): Frame {
  let state = seed >>> 0;
  const next = (): number => {
    // xorshift32: reproducible, so a failure reproduces.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const rgba = new Uint8ClampedArray(frame.rgba);
  for (let pixel = 0; pixel < frame.width * frame.height; pixel += 1) {
    const delta = Math.round((next() * 2 - 1) * amplitude);
    for (let channel = 0; channel < 3; channel += 1) {
      const offset = pixel * 4 + channel;
      rgba[offset] = (rgba[offset] ?? 0) + delta;
    }
  }
  return { ...frame, rgba };
}

/** Box blur of the given radius in x then y (edges clamped). */
function blur(frame: Frame, radiusPx: number): Frame {
  const { width, height } = frame;
  const pass = (source: Uint8ClampedArray, horizontal: boolean): Uint8ClampedArray => {
    const target = new Uint8ClampedArray(source.length);
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        for (let channel = 0; channel < 4; channel += 1) {
          let sum = 0;
          for (let step = -radiusPx; step <= radiusPx; step += 1) {
            const sx = horizontal ? Math.min(width - 1, Math.max(0, x + step)) : x;
            const sy = horizontal ? y : Math.min(height - 1, Math.max(0, y + step));
            sum += source[(sy * width + sx) * 4 + channel] ?? 0;
          }
          target[(y * width + x) * 4 + channel] = sum / (2 * radiusPx + 1);
        }
      }
    }
    return target;
  };
  return { ...frame, rgba: pass(pass(frame.rgba, true), false) };
}

describe('counterCells', () => {
  it('starts with a white and a black guard, then 16 bits, most significant first', () => {
    const cells = counterCells(0b1000_0000_0000_0101);
    expect(cells).toHaveLength(patternCellCount);
    expect(cells.slice(0, 2)).toEqual([true, false]);
    expect(cells[2]).toBe(true);
    expect(cells.slice(3, 15).every((cell) => !cell)).toBe(true);
    expect(cells.slice(15)).toEqual([true, false, true]);
  });

  it('wraps at 2^16', () => {
    expect(counterCells(65_536 + 7)).toEqual(counterCells(7));
    expect(counterCells(-1)).toEqual(counterCells(65_535));
  });
});

describe('patternRect', () => {
  it('is one row of 18 cells in the top-left corner', () => {
    expect(patternRect()).toEqual({ x: 0, y: 0, width: 18 * defaultCellPx, height: 16 });
    expect(patternRect(8)).toEqual({ x: 0, y: 0, width: 144, height: 8 });
  });
});

describe('decodeCounter', () => {
  it('reads back every bit pattern it draws', () => {
    for (const counter of [0, 1, 2, 255, 256, 4660, 32_768, 43_690, 21_845, 65_535]) {
      const frame = renderFrame(640, 360, counter, defaultCellPx);
      expect(decodeCounter(frame.rgba, frame.width, defaultCellPx)).toBe(counter);
    }
  });

  it('reads a pattern cropped to its own rectangle (stride = pattern width)', () => {
    const rect = patternRect(16);
    const frame = renderFrame(rect.width, rect.height, 12_345, 16);
    expect(decodeCounter(frame.rgba, rect.width, 16)).toBe(12_345);
  });

  it('survives ±40 luma noise and a 2 px blur', () => {
    for (const [index, counter] of [0, 1, 4660, 43_690, 21_845, 65_535].entries()) {
      const clean = renderFrame(320, 32, counter, defaultCellPx);
      const damaged = blur(addNoise(clean, 40, 0x9e37_79b9 + index), 2);
      expect(decodeCounter(damaged.rgba, damaged.width, defaultCellPx)).toBe(counter);
      // The other order too: noise added after the blur is not smoothed away.
      const noisyAfterBlur = addNoise(blur(clean, 2), 40, 0x85eb_ca6b + index);
      expect(decodeCounter(noisyAfterBlur.rgba, noisyAfterBlur.width, defaultCellPx)).toBe(counter);
    }
  });

  it('survives a global brightness and contrast shift (limited-range video)', () => {
    const frame = renderFrame(320, 32, 40_000, defaultCellPx);
    // 0..255 squeezed into 16..235, as a limited-range decode shows it.
    const squeezed = frame.rgba.map((value, index) =>
      index % 4 === 3 ? value : 16 + (value * 219) / 255,
    );
    expect(decodeCounter(squeezed, frame.width, defaultCellPx)).toBe(40_000);
  });

  it('decodes with small cells as well', () => {
    const frame = renderFrame(200, 20, 999, 8);
    expect(decodeCounter(frame.rgba, frame.width, 8)).toBe(999);
  });

  it('answers null when there is no pattern', () => {
    const grey = new Uint8ClampedArray(320 * 32 * 4).fill(128);
    expect(decodeCounter(grey, 320, defaultCellPx)).toBeNull();
  });

  it('answers null when the guards are swapped (black then white)', () => {
    const frame = renderFrame(320, 32, 5, defaultCellPx);
    const swapped = new Uint8ClampedArray(frame.rgba);
    for (let y = 0; y < defaultCellPx; y += 1) {
      for (let x = 0; x < 2 * defaultCellPx; x += 1) {
        const level = x < defaultCellPx ? 0 : 255;
        swapped.set([level, level, level, 255], (y * frame.width + x) * 4);
      }
    }
    expect(decodeCounter(swapped, frame.width, defaultCellPx)).toBeNull();
  });

  it('answers null when the pixels are too small to hold the pattern', () => {
    const frame = renderFrame(320, 32, 5, defaultCellPx);
    expect(decodeCounter(frame.rgba, 200, defaultCellPx)).toBeNull();
    expect(decodeCounter(frame.rgba.subarray(0, 320 * 4 * 8), 320, defaultCellPx)).toBeNull();
  });

  it('answers null for a wrong cell size rather than a wrong number', () => {
    // Read at half the drawn size, the "guards" are both halves of the white cell.
    const frame = renderFrame(320, 32, 5, defaultCellPx);
    expect(decodeCounter(frame.rgba, frame.width, 8)).toBeNull();
  });
});
