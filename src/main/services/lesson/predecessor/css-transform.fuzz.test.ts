import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { awkwardText, expectPlainData, fuzz } from '../../../../../testing/fuzz.ts';
import { drawingTransformSchema } from '../../../../shared/lesson/predecessor-import.ts';
import { parseCssTransform } from './css-transform.ts';

const number = fc.oneof(
  fc.double({ noNaN: false }),
  fc.integer({ min: -5000, max: 5000 }),
  fc.constantFrom(Number.NaN, 0, -0, 1e21),
);
const unit = fc.constantFrom('px', 'deg', 'rad', 'turn', '', '%', 'em', 'PX');
const argument = fc.tuple(number, unit).map(([value, suffix]) => `${value}${suffix}`);
const call = fc
  .tuple(
    fc.constantFrom('translate', 'rotate', 'scale', 'translateX', 'scaleY', 'matrix', 'skew', ''),
    fc.array(argument, { minLength: 0, maxLength: 3 }),
    fc.constantFrom(')', '', '))'),
  )
  .map(([name, args, close]) => `${name}(${args.join(', ')}${close}`);
const transformText = fc.oneof(
  fc.array(call, { maxLength: 5 }).map((calls) => calls.join(' ')),
  awkwardText(60),
  fc.string({ maxLength: 2000 }),
);

describe('css transform (properties)', () => {
  fuzz(
    'css transform: any text reads as a bounded transform, not placed, or a reason',
    transformText,
    (text) => {
      const result = parseCssTransform(text);
      expectPlainData(result);
      if (result.kind === 'ok') {
        expect(drawingTransformSchema.safeParse(result.transform).success).toBe(true);
      } else {
        expect(result.reason.length).toBeGreaterThan(0);
      }
    },
  );

  fuzz(
    "css transform: the editor's own form reads back exactly",
    fc.tuple(
      fc.double({ min: -5000, max: 5000, noNaN: true }),
      fc.double({ min: -5000, max: 5000, noNaN: true }),
      fc.double({ min: -360, max: 360, noNaN: true }),
      fc.double({ min: 0.01, max: 10, noNaN: true }),
      fc.double({ min: 0.01, max: 10, noNaN: true }),
    ),
    ([x, y, angle, sx, sy]) => {
      const result = parseCssTransform(
        `translate(${x}px, ${y}px) rotate(${angle}deg) scale(${sx}, ${sy})`,
      );
      expect(result).toEqual({
        kind: 'ok',
        transform: { xPx: x + 0, yPx: y + 0, rotateDeg: angle + 0, scaleX: sx, scaleY: sy },
      });
    },
  );
});
