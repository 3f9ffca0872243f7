import type { DrawingTransform } from '../../../../shared/lesson/predecessor-import.ts';

/**
 * The CSS `transform` the predecessor's editor wrote on each slide object (its documents,
 * alin-anjum/agent_streaming_backend rapido_system/data/slideData/*.json, inside
 * `stringifiedDocJson`): `translate(x px, y px) rotate(a deg) scale(sx, sy)`, often only the
 * `translate(…)` part. Real documents also hold `translate(NaNpx, NaNpx)` (an object never
 * placed), which reads as `not-placed` so the caller can skip that object with a note.
 *
 * A hand-written reader, one pass left to right (no regular expression that could backtrack on
 * a crafted value). Functions must come in the editor's order, translate → rotate → scale (any
 * may be left out or repeated): only then is the result one translate, one rotate and one scale,
 * which is what the drawer applies. Repeats compose as CSS does (translations and angles add,
 * scales multiply).
 */

export type CssTransformResult =
  | { kind: 'ok'; transform: DrawingTransform }
  | { kind: 'not-placed'; reason: string }
  | { kind: 'invalid'; reason: string };

/** Longer than any transform the editor writes; anything beyond is not one. */
const maxLength = 1000;
const maxLengthPx = 100_000;
const maxDegrees = 100_000;
const maxScale = 1000;

type Unit = 'px' | 'deg' | 'rad' | 'turn' | 'grad' | '';

interface Argument {
  value: number;
  unit: Unit;
  /** The text as written, for messages. */
  text: string;
}

function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f';
}

function isLetter(char: string | undefined): boolean {
  return char !== undefined && ((char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z'));
}

const knownFunctions: ReadonlySet<string> = new Set([
  'translate',
  'translatex',
  'translatey',
  'rotate',
  'scale',
  'scalex',
  'scaley',
]);

const units: readonly Unit[] = ['px', 'deg', 'rad', 'turn', 'grad', ''];

function parseArgument(raw: string): Argument | null {
  const text = raw.trim();
  // What the editor writes for an object it never placed: `NaNpx` (all letters, so first).
  const nan = /^[+-]?NaN/.exec(text);
  if (nan !== null) {
    const unit = units.find((candidate) => candidate === text.slice(nan[0].length).toLowerCase());
    return unit === undefined ? null : { value: Number.NaN, unit, text };
  }
  let end = text.length;
  while (end > 0 && isLetter(text[end - 1])) end -= 1;
  const unitText = text.slice(end).toLowerCase();
  const unit = units.find((candidate) => candidate === unitText);
  if (unit === undefined) return null;
  const numberText = text.slice(0, end).trim();
  // Number() accepts hex, "Infinity", empty strings: only decimal numbers are CSS numbers.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(numberText)) return null;
  return { value: Number(numberText), unit, text };
}

function degrees(argument: Argument): number | null {
  switch (argument.unit) {
    case 'deg':
      return argument.value;
    case 'rad':
      return (argument.value * 180) / Math.PI;
    case 'turn':
      return argument.value * 360;
    case 'grad':
      return argument.value * 0.9;
    case '':
      // CSS allows a unitless zero angle only.
      return argument.value === 0 ? 0 : null;
    default:
      return null;
  }
}

function lengthPx(argument: Argument): number | null {
  if (argument.unit === 'px') return argument.value;
  if (argument.unit === '' && argument.value === 0) return 0;
  return null;
}

/** Reads `text` as a CSS transform of translate/rotate/scale functions. */
export function parseCssTransform(text: string): CssTransformResult {
  if (text.length > maxLength) {
    return { kind: 'invalid', reason: `is ${text.length} characters long, not a transform` };
  }
  const transform: DrawingTransform = { xPx: 0, yPx: 0, rotateDeg: 0, scaleX: 1, scaleY: 1 };
  let index = 0;
  let notPlaced: string | null = null;
  let stage = 0;
  while (index < text.length) {
    while (isSpace(text[index])) index += 1;
    if (index >= text.length) break;
    const nameStart = index;
    while (isLetter(text[index])) index += 1;
    const name = text.slice(nameStart, index);
    if (name.length === 0 || text[index] !== '(') {
      return {
        kind: 'invalid',
        reason: `expected a function such as translate(10px, 20px) at character ${nameStart + 1}`,
      };
    }
    if (!knownFunctions.has(name.toLowerCase())) {
      return {
        kind: 'invalid',
        reason: `${name}() is not supported (translate, rotate and scale are)`,
      };
    }
    const close = text.indexOf(')', index);
    if (close < 0) return { kind: 'invalid', reason: `${name}( is not closed` };
    const inner = text.slice(index + 1, close);
    index = close + 1;
    const parts = inner.split(',');
    const args = parts.map(parseArgument);
    if (args.some((arg) => arg === null) || parts.length > 2) {
      return { kind: 'invalid', reason: `cannot read ${name}(${inner})` };
    }
    const [first, second] = args as Argument[];
    if (first === undefined) return { kind: 'invalid', reason: `${name}() has no value` };
    if (args.some((arg) => arg !== null && !Number.isFinite(arg.value))) {
      notPlaced ??= `${name}(${inner}) is not a number`;
      continue;
    }
    const lower = name.toLowerCase();
    const nameStage = lower.startsWith('translate') ? 0 : lower === 'rotate' ? 1 : 2;
    if (nameStage < stage) {
      return {
        kind: 'invalid',
        reason: `${name}() after a later function (order: translate, rotate, scale)`,
      };
    }
    stage = nameStage;
    const applied = apply(transform, lower, first, second);
    if (applied !== null) return { kind: 'invalid', reason: applied };
  }
  if (notPlaced !== null) return { kind: 'not-placed', reason: notPlaced };
  const bounded =
    Math.abs(transform.xPx) <= maxLengthPx &&
    Math.abs(transform.yPx) <= maxLengthPx &&
    Math.abs(transform.rotateDeg) <= maxDegrees &&
    Math.abs(transform.scaleX) <= maxScale &&
    Math.abs(transform.scaleY) <= maxScale;
  if (!bounded) return { kind: 'invalid', reason: 'has values far outside any slide' };
  return { kind: 'ok', transform };
}

/** Applies one function; returns why it cannot, or null. */
function apply(
  transform: DrawingTransform,
  name: string,
  first: Argument,
  second: Argument | undefined,
): string | null {
  switch (name) {
    case 'translate':
    case 'translatex':
    case 'translatey': {
      const x = lengthPx(first);
      const y = second === undefined ? 0 : lengthPx(second);
      if (x === null || y === null) return `${name} needs lengths in px`;
      if (name === 'translatey') {
        if (second !== undefined) return 'translateY takes one length';
        transform.yPx += x;
      } else {
        if (name === 'translatex' && second !== undefined) return 'translateX takes one length';
        transform.xPx += x;
        transform.yPx += y;
      }
      return null;
    }
    case 'rotate': {
      const angle = degrees(first);
      if (angle === null || second !== undefined) return 'rotate needs one angle (deg)';
      transform.rotateDeg += angle;
      return null;
    }
    case 'scale':
    case 'scalex':
    case 'scaley': {
      if (first.unit !== '' || (second !== undefined && second.unit !== '')) {
        return `${name} takes plain numbers`;
      }
      if (name === 'scaley') {
        if (second !== undefined) return 'scaleY takes one number';
        transform.scaleY *= first.value;
      } else if (name === 'scalex') {
        if (second !== undefined) return 'scaleX takes one number';
        transform.scaleX *= first.value;
      } else {
        transform.scaleX *= first.value;
        transform.scaleY *= second?.value ?? first.value;
      }
      return null;
    }
    default:
      return `${name}() is not supported (translate, rotate and scale are)`;
  }
}
