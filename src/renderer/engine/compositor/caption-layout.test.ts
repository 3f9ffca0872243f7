import { describe, expect, it } from 'vitest';
import { captionLines, layoutCaption, type MeasureTextWidth } from './caption-layout.ts';

/** A monospace stand-in for measureText: each character is 0.5 em wide. */
const halfEmPerCharacter: MeasureTextWidth = (line, font) => {
  const sizePx = Number(/(\d+)px/u.exec(font)?.[1] ?? Number.NaN);
  return line.length * sizePx * 0.5;
};

describe('captionLines', () => {
  it('splits on newlines, trims and drops blank lines', () => {
    expect(captionLines(' one \r\n\ntwo\rthree ')).toEqual(['one', 'two', 'three']);
    expect(captionLines('   ')).toEqual([]);
    expect(captionLines(null)).toEqual([]);
  });
});

describe('layoutCaption', () => {
  const hd = { width: 1280, height: 720 };

  it('sets 30 px text at 720p in a centred box 5% above the bottom', () => {
    const layout = layoutCaption(['Hello there', 'general'], hd, halfEmPerCharacter);
    expect(layout?.fontSizePx).toBe(30);
    expect(layout?.lineHeightPx).toBe(38);
    // 11 characters at 15 px, plus 15 px of padding each side; two lines plus 8 px each side.
    expect(layout?.box).toEqual({ x: 542, y: 592, width: 195, height: 92 });
    const box = layout?.box ?? { x: 0, y: 0, width: 0, height: 0 };
    expect(box.y + box.height).toBe(720 - 36);
    expect(Math.abs(box.x + box.width / 2 - 640)).toBeLessThanOrEqual(1);
  });

  it('shrinks the font until the text fits 90% of the width', () => {
    const line = 'x'.repeat(100); // 1500 px at 30 px: far wider than 1152.
    const layout = layoutCaption([line], hd, halfEmPerCharacter);
    expect(layout?.fontSizePx).toBe(23);
    expect(halfEmPerCharacter(line, layout?.font ?? '')).toBeLessThanOrEqual(1152);
    expect(layout?.box.width).toBeLessThanOrEqual(1280);
  });

  it('never goes below the minimum size, and keeps the box inside a tiny output', () => {
    const tiny = { width: 64, height: 36 };
    const layout = layoutCaption(['a very long caption line indeed'], tiny, halfEmPerCharacter);
    expect(layout?.fontSizePx).toBe(8);
    const box = layout?.box ?? { x: -1, y: -1, width: 0, height: 0 };
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(64);
    expect(box.y + box.height).toBeLessThanOrEqual(36);
  });

  it('has nothing to lay out for no lines', () => {
    expect(layoutCaption([], hd, halfEmPerCharacter)).toBeNull();
  });
});
