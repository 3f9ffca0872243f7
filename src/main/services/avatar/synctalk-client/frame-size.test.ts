import { describe, expect, test } from 'vitest';
import {
  checkFrameSize,
  describeFrameBytes,
  frameByteLength,
  inferSquareFrameSize,
} from './frame-size.ts';

describe('frame size', () => {
  test('accepts frames whose length matches the configured size, square or not', () => {
    expect(checkFrameSize(512 * 512 * 3, { width: 512, height: 512 }, 'alin')).toEqual({
      ok: true,
      value: { width: 512, height: 512 },
    });
    const wide = { width: 640, height: 360 };
    expect(checkFrameSize(frameByteLength(wide), wide, 'alin')).toEqual({ ok: true, value: wide });
  });

  test('a mismatch names both sizes', () => {
    const result = checkFrameSize(350 * 350 * 3, { width: 512, height: 512 }, 'alin');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain('350x350');
    expect(result.error.message).toContain('367500 bytes');
    expect(result.error.message).toContain('512x512 (786432 bytes)');
    expect(result.error.message).toContain('"alin"');
    expect(result.error.hint).toMatch(/frame size/);
  });

  test('without a configured size only square frames are inferred', () => {
    expect(checkFrameSize(350 * 350 * 3, undefined, 'alin')).toEqual({
      ok: true,
      value: { width: 350, height: 350 },
    });
    const wide = checkFrameSize(600 * 400 * 3, undefined, 'alin');
    expect(wide.ok).toBe(false);
    if (wide.ok) return;
    expect(wide.error.message).toContain('720000 bytes (not a square RGB frame)');
    expect(wide.error.message).toMatch(/no frame size is set/);
  });

  test('inference rejects lengths that are not RGB squares', () => {
    expect(inferSquareFrameSize(0)).toBeNull();
    expect(inferSquareFrameSize(10)).toBeNull();
    expect(inferSquareFrameSize(3 * 99)).toBeNull();
    expect(inferSquareFrameSize(3 * 100)).toEqual({ width: 10, height: 10 });
    expect(describeFrameBytes(3 * 4)).toBe('12 bytes (2x2 RGB)');
  });
});
