import { describe, expect, it } from 'vitest';
import { parseCssTransform } from './css-transform.ts';

describe('parseCssTransform', () => {
  it("reads the editor's full transform", () => {
    expect(
      parseCssTransform('translate(805.71px, 1026.39px) rotate(0deg) scale(1.96, 1.96)'),
    ).toEqual({
      kind: 'ok',
      transform: { xPx: 805.71, yPx: 1026.39, rotateDeg: 0, scaleX: 1.96, scaleY: 1.96 },
    });
  });

  it('reads a translate alone, negative and exponent numbers, and other angle units', () => {
    expect(parseCssTransform('translate(-6.050000000000022px, -0.14622824999999973px)')).toEqual({
      kind: 'ok',
      transform: {
        xPx: -6.050000000000022,
        yPx: -0.14622824999999973,
        rotateDeg: 0,
        scaleX: 1,
        scaleY: 1,
      },
    });
    expect(parseCssTransform('translate(1e2px) rotate(0.25turn) scale(2)')).toEqual({
      kind: 'ok',
      transform: { xPx: 100, yPx: 0, rotateDeg: 90, scaleX: 2, scaleY: 2 },
    });
    expect(parseCssTransform('')).toEqual({
      kind: 'ok',
      transform: { xPx: 0, yPx: 0, rotateDeg: 0, scaleX: 1, scaleY: 1 },
    });
  });

  it('says an object that was never placed (NaN) is not placed', () => {
    expect(parseCssTransform('translate(NaNpx, NaNpx)')).toEqual({
      kind: 'not-placed',
      reason: 'translate(NaNpx, NaNpx) is not a number',
    });
  });

  it('refuses what is not such a transform, saying why', () => {
    for (const [text, reason] of [
      ['matrix(1, 0, 0, 1, 0, 0)', /matrix\(\) is not supported/],
      ['translate(10%, 5px)', /cannot read translate/],
      ['translate(10em, 5px)', /cannot read translate/],
      ['rotate(10px)', /rotate needs one angle/],
      ['scale(2px)', /takes plain numbers/],
      ['translate(1px', /is not closed/],
      ['rotate(5deg) translate(1px, 2px)', /order: translate, rotate, scale/],
      ['translate(0x10px, 1px)', /cannot read/],
      ['translate(1e9px, 0px)', /far outside/],
      ['garbage', /expected a function/],
    ] as const) {
      const result = parseCssTransform(text);
      expect(result.kind, text).toBe('invalid');
      if (result.kind === 'invalid') expect(result.reason, text).toMatch(reason);
    }
  });
});
