/**
 * The document's fills and colours as its web page took them (CSS): a colour (`#rrggbb`,
 * `rgb(…)`, a name), `transparent`, or a `linear-gradient(…)` (the shapes' headers and rules in
 * the real documents are gradients). Parsed here into what a Canvas 2D can draw; anything else is
 * `null`, drawn as nothing (as the browser ignores a value it cannot parse).
 */

export interface GradientStop {
  color: string;
  /** 0..1 along the gradient line. */
  offset: number;
}

export type GradientDirection =
  | { kind: 'angle'; deg: number }
  /** `to top right` etc.: the angle depends on the box (CSS Images 3, linear-gradient()). */
  | { kind: 'corner'; vertical: 'top' | 'bottom'; horizontal: 'left' | 'right' };

export type Paint =
  | { kind: 'none' }
  | { kind: 'color'; color: string }
  | { kind: 'linear-gradient'; direction: GradientDirection; stops: GradientStop[] };

const hexColor = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/iu;
const numberArg = String.raw`\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?(?:%|deg|rad|turn|grad)?\s*`;
const functionalColor = new RegExp(
  String.raw`^(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\((?:${numberArg}[,/]?){3,4}\)$`,
  'iu',
);
const namedColor = /^[a-z]{3,30}$/iu;

/** Whether `css` is a colour value a canvas takes (`transparent` included). */
export function isCssColor(css: string): boolean {
  const value = css.trim();
  return hexColor.test(value) || functionalColor.test(value) || namedColor.test(value);
}

/** Splits at commas outside parentheses: `a(1, 2), b` → [`a(1, 2)`, `b`]. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '(') depth += 1;
    else if (char === ')') depth = Math.max(0, depth - 1);
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

const angleUnits: Record<string, number> = { deg: 1, rad: 180 / Math.PI, turn: 360, grad: 0.9 };

function parseAngle(text: string): number | null {
  const match = /^([-+]?(?:\d+\.?\d*|\.\d+))(deg|rad|turn|grad)$/iu.exec(text.trim());
  if (!match) return text.trim() === '0' ? 0 : null;
  const unit = angleUnits[(match[2] ?? 'deg').toLowerCase()] ?? 1;
  return Number(match[1]) * unit;
}

const sideAngles: Record<string, number> = { top: 0, right: 90, bottom: 180, left: 270 };

function parseDirection(text: string): GradientDirection | null {
  const angle = parseAngle(text);
  if (angle !== null) return { kind: 'angle', deg: angle };
  const words = text.trim().toLowerCase().split(/\s+/u);
  if (words[0] !== 'to' || words.length < 2 || words.length > 3) return null;
  const sides = words.slice(1);
  if (sides.length === 1) {
    const deg = sideAngles[sides[0] ?? ''];
    return deg === undefined ? null : { kind: 'angle', deg };
  }
  const vertical = sides.find((s) => s === 'top' || s === 'bottom');
  const horizontal = sides.find((s) => s === 'left' || s === 'right');
  if (!vertical || !horizontal) return null;
  return { kind: 'corner', vertical, horizontal };
}

/** `#fff 20%` → colour and position (0..1), or null; a stop without a position gets null. */
function parseStop(text: string): { color: string; offset: number | null } | null {
  const match = /^(.*?)(?:\s+([-+]?(?:\d+\.?\d*|\.\d+))%)?$/su.exec(text.trim());
  const color = match?.[1]?.trim() ?? '';
  if (!isCssColor(color)) return null;
  const position = match?.[2];
  return { color, offset: position === undefined ? null : Number(position) / 100 };
}

/**
 * Stops without a position are spread evenly between their neighbours, the first at 0 and the
 * last at 1; positions are clamped to 0..1 and never go back (CSS's fix-up rules).
 */
function placeStops(stops: readonly { color: string; offset: number | null }[]): GradientStop[] {
  const offsets = stops.map((s) => s.offset);
  if (offsets[0] === null) offsets[0] = 0;
  const last = offsets.length - 1;
  if (offsets[last] === null) offsets[last] = 1;
  let previous = 0;
  for (let i = 0; i < offsets.length; i += 1) {
    const offset = offsets[i];
    if (offset === null || offset === undefined) continue;
    previous = Math.max(previous, Math.min(1, Math.max(0, offset)));
    offsets[i] = previous;
  }
  for (let i = 0; i < offsets.length; i += 1) {
    if (offsets[i] !== null) continue;
    const before = i - 1;
    let after = i;
    while (offsets[after] === null) after += 1;
    const from = offsets[before] ?? 0;
    const to = offsets[after] ?? 1;
    for (let k = i; k < after; k += 1) {
      offsets[k] = from + ((to - from) * (k - before)) / (after - before);
    }
  }
  return stops.map((s, i) => ({ color: s.color, offset: offsets[i] ?? 0 }));
}

/** A fill or colour from the document; null when the browser would not draw it either. */
export function parsePaint(css: string | null): Paint | null {
  if (css === null) return { kind: 'none' };
  const value = css.trim();
  if (value === '' || value.toLowerCase() === 'transparent' || value.toLowerCase() === 'none') {
    return { kind: 'none' };
  }
  const gradient = /^linear-gradient\((.*)\)$/isu.exec(value);
  if (gradient) {
    const args = splitTopLevel(gradient[1] ?? '');
    const direction = parseDirection(args[0] ?? '');
    const stopArgs = direction === null ? args : args.slice(1);
    const stops = stopArgs.map(parseStop);
    if (stops.length < 2 || stops.some((s) => s === null)) return null;
    return {
      kind: 'linear-gradient',
      direction: direction ?? { kind: 'angle', deg: 180 },
      stops: placeStops(stops.filter((s) => s !== null)),
    };
  }
  return isCssColor(value) ? { kind: 'color', color: value } : null;
}

/**
 * The gradient line for a box of `width` x `height` (CSS Images 3): through the centre at the
 * angle (0deg up, clockwise), long enough that the corners get the end colours.
 */
export function gradientLine(
  direction: GradientDirection,
  width: number,
  height: number,
): { x0: number; y0: number; x1: number; y1: number } {
  let deg: number;
  if (direction.kind === 'angle') {
    deg = direction.deg;
  } else {
    // Perpendicular to the diagonal between the two other corners.
    const up = direction.vertical === 'top';
    const right = direction.horizontal === 'right';
    const a = (Math.atan2(height, width) * 180) / Math.PI;
    deg = up ? (right ? a : 360 - a) : right ? 180 - a : 180 + a;
  }
  const rad = (deg * Math.PI) / 180;
  const dx = Math.sin(rad);
  const dy = -Math.cos(rad);
  const half = (Math.abs(width * dx) + Math.abs(height * dy)) / 2;
  const cx = width / 2;
  const cy = height / 2;
  return { x0: cx - dx * half, y0: cy - dy * half, x1: cx + dx * half, y1: cy + dy * half };
}
