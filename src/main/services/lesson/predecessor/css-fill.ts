import type { FillGradient } from '../../../../shared/lesson/predecessor-import.ts';

/**
 * A shape's `fill` as the editor wrote it: a CSS colour, or a `linear-gradient(<angle>deg,
 * <colour> <stop>%, …)` (real documents use gradients such as
 * `linear-gradient(90deg, #fc5a54 0%, #8b2d56 100%)`). The colour of a gradient is its first
 * stop, so a drawer that ignores the gradient still paints something close. Read in one pass,
 * splitting on top-level commas only (an `rgb(…)` holds commas of its own).
 */
export function parseCssFill(text: string): { color: string; gradient?: FillGradient } | 'invalid' {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > 1000) return 'invalid';
  const lower = trimmed.toLowerCase();
  if (!lower.startsWith('linear-gradient(')) {
    // A colour: the drawer parses it (and falls back where it cannot); only shape is checked.
    return trimmed.length <= 100 && !trimmed.includes(';') ? { color: trimmed } : 'invalid';
  }
  if (!trimmed.endsWith(')')) return 'invalid';
  const parts = splitTopLevel(trimmed.slice('linear-gradient('.length, -1));
  if (parts === null || parts.length < 2) return 'invalid';
  let angleDeg = 180;
  const first = parts[0]?.trim().toLowerCase() ?? '';
  if (/^[+-]?\d+(\.\d+)?deg$/.test(first)) {
    angleDeg = Number(first.slice(0, -3));
    parts.shift();
  } else if (first.startsWith('to ')) {
    const sides: Record<string, number> = {
      'to top': 0,
      'to right': 90,
      'to bottom': 180,
      'to left': 270,
    };
    const side = sides[first];
    if (side === undefined) return 'invalid';
    angleDeg = side;
    parts.shift();
  }
  if (parts.length < 2 || parts.length > 50) return 'invalid';
  const stops: FillGradient['stops'] = [];
  for (const [index, part] of parts.entries()) {
    const stop = part.trim();
    const space = stop.lastIndexOf(' ');
    const tail = space > 0 ? stop.slice(space + 1) : '';
    let color = stop;
    let offset = parts.length === 1 ? 0 : index / (parts.length - 1);
    if (/^[+-]?\d+(\.\d+)?%$/.test(tail) && !stop.slice(0, space).trim().endsWith(',')) {
      color = stop.slice(0, space).trim();
      offset = Math.min(1, Math.max(0, Number(tail.slice(0, -1)) / 100));
    }
    if (color.length === 0 || color.length > 100) return 'invalid';
    stops.push({ color, offset });
  }
  const firstStop = stops[0];
  if (firstStop === undefined) return 'invalid';
  return { color: firstStop.color, gradient: { angleDeg, stops } };
}

function splitTopLevel(text: string): string[] | null {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '(') depth += 1;
    else if (char === ')') {
      depth -= 1;
      if (depth < 0) return null;
    } else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  if (depth !== 0) return null;
  parts.push(text.slice(start));
  return parts;
}
