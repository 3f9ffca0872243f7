import { describe, expect, it } from 'vitest';
import { gradientLine, isCssColor, parsePaint, splitTopLevel } from './paint.ts';

describe('parsePaint', () => {
  it('reads colours, transparent and null', () => {
    expect(parsePaint('#ffffff')).toEqual({ kind: 'color', color: '#ffffff' });
    expect(parsePaint('rgb(0,0,0)')).toEqual({ kind: 'color', color: 'rgb(0,0,0)' });
    expect(parsePaint('rgba(10, 20, 30, 0.5)')).toEqual({
      kind: 'color',
      color: 'rgba(10, 20, 30, 0.5)',
    });
    expect(parsePaint('white')).toEqual({ kind: 'color', color: 'white' });
    expect(parsePaint('transparent')).toEqual({ kind: 'none' });
    expect(parsePaint(null)).toEqual({ kind: 'none' });
  });

  it('refuses what a browser would not draw', () => {
    expect(parsePaint('#ggg')).toBeNull();
    expect(parsePaint('url(x.png)')).toBeNull();
    expect(parsePaint('rgb(1,2)')).toBeNull();
    expect(parsePaint('linear-gradient(90deg, #fff 0%)')).toBeNull();
    expect(parsePaint('linear-gradient(90deg, nope( 0%, #fff)')).toBeNull();
  });

  it('reads the real documents’ gradients', () => {
    expect(parsePaint('linear-gradient(90deg, #fc5a54 0%, #8b2d56 100%)')).toEqual({
      kind: 'linear-gradient',
      direction: { kind: 'angle', deg: 90 },
      stops: [
        { color: '#fc5a54', offset: 0 },
        { color: '#8b2d56', offset: 1 },
      ],
    });
    expect(parsePaint('linear-gradient(to right, rgb(1, 2, 3), #000 40%, #fff)')).toEqual({
      kind: 'linear-gradient',
      direction: { kind: 'angle', deg: 90 },
      stops: [
        { color: 'rgb(1, 2, 3)', offset: 0 },
        { color: '#000', offset: 0.4 },
        { color: '#fff', offset: 1 },
      ],
    });
  });

  it('spreads stops without positions and never lets them go back', () => {
    const paint = parsePaint('linear-gradient(red, green, blue 20%, white 10%, black)');
    expect(paint?.kind).toBe('linear-gradient');
    if (paint?.kind !== 'linear-gradient') return;
    expect(paint.direction).toEqual({ kind: 'angle', deg: 180 });
    expect(paint.stops.map((s) => s.offset)).toEqual([0, 0.1, 0.2, 0.2, 1]);
  });
});

describe('gradientLine', () => {
  it('runs left to right across the box at 90deg and top to bottom at 180deg', () => {
    const right = gradientLine({ kind: 'angle', deg: 90 }, 200, 50);
    expect(right.x0).toBeCloseTo(0);
    expect(right.x1).toBeCloseTo(200);
    expect(right.y0).toBeCloseTo(25);
    const down = gradientLine({ kind: 'angle', deg: 180 }, 200, 50);
    expect(down.y0).toBeCloseTo(0);
    expect(down.y1).toBeCloseTo(50);
  });

  it('reaches the corners at 45deg and for `to top right`', () => {
    const line = gradientLine({ kind: 'angle', deg: 45 }, 100, 100);
    expect(line.x0).toBeCloseTo(0);
    expect(line.y0).toBeCloseTo(100);
    expect(line.x1).toBeCloseTo(100);
    expect(line.y1).toBeCloseTo(0);
    const corner = gradientLine({ kind: 'corner', vertical: 'top', horizontal: 'right' }, 100, 100);
    expect(corner.x1).toBeCloseTo(100);
    expect(corner.y1).toBeCloseTo(0);
  });
});

describe('helpers', () => {
  it('splits at top-level commas', () => {
    expect(splitTopLevel('a(1, 2), b , c(d(e,f))')).toEqual(['a(1, 2)', 'b', 'c(d(e,f))']);
  });
  it('tells colours from other values', () => {
    expect(isCssColor('#d1be92')).toBe(true);
    expect(isCssColor('hsl(120deg 50% 50%)')).toBe(true);
    expect(isCssColor('12px')).toBe(false);
  });
});
