import { z } from 'zod';
import type { NormalisedRect } from '../../../shared/lesson/lesson-schema.ts';
import { defaultPlacement } from '../../../shared/lesson/lesson-schema.ts';
import { parseNumberText } from './number-text.ts';

/**
 * The predecessor's `presenterConfig` (where the presenter video sat on a slide) as Rapido's
 * avatar placement: a rectangle in 0..1 of the output. The predecessor's exact format is not
 * known, so the common spellings are accepted: x/y/width/height as fractions, percentages or
 * pixels (with the frame size), or a position name with a size, plus visible/hidden flags.
 * Pure: each problem comes back with the key it concerns, for the caller to locate.
 */

export interface FrameSize {
  width: number;
  height: number;
}

export interface PresenterProblem {
  /** Keys below the presenterConfig object; empty for the object itself. */
  path: (string | number)[];
  message: string;
}

export interface PresenterSettings {
  /** Null when the config says nothing about where the presenter is. */
  placement: NormalisedRect | null;
  hidden: boolean;
  problems: PresenterProblem[];
}

/** Height of the avatar, as a share of the output height, for the size names. */
export const namedSizes: Readonly<Record<string, number>> = {
  tiny: 0.2,
  small: 0.35,
  medium: 0.55,
  normal: 0.55,
  default: 0.55,
  large: 0.75,
  big: 0.75,
  full: 1,
};

/** Distance from the output's edges for named positions. */
export const edgeMargin = 0.02;

const positiveNumber = z.number().positive();
const frameSizeSchema = z.object({ width: positiveNumber, height: positiveNumber });

type Unit = 'fraction' | 'percent' | 'px';

interface Measure {
  value: number;
  /** Given with the value ("25%", "120px"), or null when it is a bare number. */
  unit: Unit | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first of `keys` present in `object` (with a value other than null). */
function pick(object: Record<string, unknown>, keys: readonly string[]): [string, unknown] | null {
  for (const key of keys) {
    if (Object.hasOwn(object, key) && object[key] !== null && object[key] !== undefined) {
      return [key, object[key]];
    }
  }
  return null;
}

function parseMeasure(value: unknown): Measure | null {
  if (typeof value === 'number') return Number.isFinite(value) ? { value, unit: null } : null;
  if (typeof value !== 'string') return null;
  // A hand parser, not a regular expression: the one here backtracked for minutes on long runs
  // of spaces in a slide-data file.
  const parsed = parseNumberText(value, { signed: true, bareFraction: true, units: ['%', 'px'] });
  if (parsed === null) return null;
  const unit: Unit | null = parsed.unit === '%' ? 'percent' : parsed.unit === 'px' ? 'px' : null;
  return { value: parsed.value, unit };
}

function parseFlag(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 1) return true;
  if (value === 'false' || value === 0) return false;
  return null;
}

/** A frame size given as frameWidth/frameHeight, slideWidth/slideHeight… or frame: {width, height}. */
export function frameSizeIn(object: unknown): FrameSize | null {
  if (!isRecord(object)) return null;
  const pairs: [string, string][] = [
    ['frameWidth', 'frameHeight'],
    ['slideWidth', 'slideHeight'],
    ['canvasWidth', 'canvasHeight'],
    ['videoWidth', 'videoHeight'],
    ['outputWidth', 'outputHeight'],
  ];
  for (const [widthKey, heightKey] of pairs) {
    const width = parseMeasure(object[widthKey]);
    const height = parseMeasure(object[heightKey]);
    const parsed = frameSizeSchema.safeParse({ width: width?.value, height: height?.value });
    if (parsed.success) return parsed.data;
  }
  for (const key of ['frameSize', 'slideSize', 'canvasSize', 'resolution', 'frame']) {
    const parsed = frameSizeSchema.safeParse(object[key]);
    if (parsed.success) return parsed.data;
  }
  return null;
}

function unitFromConfig(value: unknown): Unit | null {
  if (typeof value !== 'string') return null;
  const text = value.trim().toLowerCase();
  if (['px', 'pixel', 'pixels'].includes(text)) return 'px';
  if (['%', 'percent', 'percentage', 'pct'].includes(text)) return 'percent';
  if (['fraction', 'normalized', 'normalised', 'relative', 'ratio'].includes(text))
    return 'fraction';
  return null;
}

const rectKeys = {
  x: ['x', 'left'],
  y: ['y', 'top'],
  width: ['width', 'w'],
  height: ['height', 'h'],
} as const;

type Axis = keyof typeof rectKeys;

/**
 * The presenter settings of one slide. `frame` is the slide's pixel size where the data gives
 * it elsewhere (the config's own frame size wins); `outputAspect` (height / width of the output)
 * keeps a named size square on screen.
 */
export function parsePresenterConfig(
  config: unknown,
  options: { frame: FrameSize | null; outputAspect: number },
): PresenterSettings {
  const problems: PresenterProblem[] = [];
  if (config === undefined || config === null) return { placement: null, hidden: false, problems };
  if (!isRecord(config)) {
    return {
      placement: null,
      hidden: false,
      problems: [
        {
          path: [],
          message:
            'expected an object such as {"x": 0.7, "y": 0.4, "width": 0.3, "height": 0.55} or {"position": "bottom-right", "size": "medium"}',
        },
      ],
    };
  }

  let hidden = false;
  for (const [key, hiddenWhen] of [
    ['hidden', true],
    ['hide', true],
    ['visible', false],
    ['show', false],
    ['enabled', false],
  ] as const) {
    if (!Object.hasOwn(config, key)) continue;
    const flag = parseFlag(config[key]);
    if (flag === null) problems.push({ path: [key], message: 'expected true or false' });
    else if (flag === hiddenWhen) hidden = true;
  }
  if (config.display === 'none') hidden = true;

  const frame = frameSizeIn(config) ?? options.frame;
  const frameAspect = frame === null ? options.outputAspect : frame.height / frame.width;

  // The rectangle's four values, as given.
  const given: Partial<Record<Axis, { key: string; measure: Measure }>> = {};
  for (const axis of Object.keys(rectKeys) as Axis[]) {
    const found = pick(config, rectKeys[axis]);
    if (found === null) continue;
    const [key, value] = found;
    const measure = parseMeasure(value);
    if (measure === null) {
      problems.push({
        path: [key],
        message: 'expected a number, a percentage ("25%") or pixels ("120px")',
      });
      continue;
    }
    given[axis] = { key, measure };
  }
  const declaredUnit = unitFromConfig(config.unit ?? config.units);
  if ((config.unit ?? config.units) !== undefined && declaredUnit === null) {
    problems.push({
      path: [Object.hasOwn(config, 'unit') ? 'unit' : 'units'],
      message: 'expected "px", "percent" or "fraction"',
    });
  }
  const bare = Object.values(given)
    .filter((entry) => entry.measure.unit === null)
    .map((entry) => entry.measure.value);
  // Bare numbers share one unit: 0..1 reads as fractions, larger ones as pixels when the frame
  // size is known, else as percentages.
  const inferred: Unit | null =
    declaredUnit ??
    (bare.every((value) => Math.abs(value) <= 1)
      ? 'fraction'
      : frame !== null
        ? 'px'
        : bare.every((value) => Math.abs(value) <= 100)
          ? 'percent'
          : null);

  const fractions: Partial<Record<Axis, number>> = {};
  for (const axis of Object.keys(given) as Axis[]) {
    const entry = given[axis];
    if (entry === undefined) continue;
    const unit = entry.measure.unit ?? inferred;
    const length = axis === 'x' || axis === 'width' ? frame?.width : frame?.height;
    if (unit === null) {
      // Only the values that cannot be fractions are the ones to fix.
      if (Math.abs(entry.measure.value) <= 1) continue;
      problems.push({
        path: [entry.key],
        message: `${entry.measure.value} looks like pixels, but the slide size is not given (add frameWidth and frameHeight, or give fractions 0..1)`,
      });
    } else if (unit === 'px' && length === undefined) {
      problems.push({
        path: [entry.key],
        message:
          'pixels need the slide size (add frameWidth and frameHeight, or give fractions 0..1)',
      });
    } else {
      fractions[axis] =
        unit === 'fraction'
          ? entry.measure.value
          : unit === 'percent'
            ? entry.measure.value / 100
            : entry.measure.value / (length ?? 1);
    }
  }

  // Size: the width and height given, else a size name or scale, else the default.
  let height = fractions.height;
  let width = fractions.width;
  const sizeEntry = pick(config, ['size', 'scale', 'avatarSize', 'presenterSize']);
  if (width === undefined || height === undefined) {
    let named: number | null = null;
    if (sizeEntry !== null) {
      const [key, value] = sizeEntry;
      if (typeof value === 'string' && Object.hasOwn(namedSizes, value.trim().toLowerCase())) {
        named = namedSizes[value.trim().toLowerCase()] ?? null;
      } else {
        const measure = parseMeasure(value);
        if (measure !== null && measure.value > 0) {
          const asFraction =
            measure.unit === 'percent' || (measure.unit === null && measure.value > 1)
              ? measure.value / 100
              : measure.unit === 'px' && frame !== null
                ? measure.value / frame.height
                : measure.value;
          if (measure.unit === 'px' && frame === null) {
            problems.push({
              path: [key],
              message: 'pixels need the slide size (add frameWidth and frameHeight)',
            });
          } else {
            named = asFraction;
          }
        } else {
          problems.push({
            path: [key],
            message: `expected ${Object.keys(namedSizes)
              .map((name) => `"${name}"`)
              .join(', ')} or a scale such as 0.5`,
          });
        }
      }
    }
    if (height === undefined && width !== undefined) height = width / frameAspect;
    else if (height === undefined) height = named ?? defaultPlacement.height;
    width ??= height * frameAspect;
  }

  let x = fractions.x;
  let y = fractions.y;
  const positionEntry = pick(config, ['position', 'anchor', 'corner', 'placement', 'align']);
  if (x === undefined || y === undefined) {
    let horizontal: 'left' | 'center' | 'right' = 'right';
    let vertical: 'top' | 'center' | 'bottom' = 'bottom';
    if (positionEntry !== null) {
      const [key, value] = positionEntry;
      const words = typeof value === 'string' ? value.toLowerCase().split(/[\s_-]+/) : [];
      const known = new Set(['top', 'bottom', 'left', 'right', 'center', 'centre', 'middle']);
      if (words.length === 0 || !words.every((word) => known.has(word))) {
        problems.push({
          path: [key],
          message:
            'expected a position such as "bottom-right", "top-left", "bottom-center" or "center"',
        });
      } else {
        horizontal = words.includes('left') ? 'left' : words.includes('right') ? 'right' : 'center';
        vertical = words.includes('top') ? 'top' : words.includes('bottom') ? 'bottom' : 'center';
      }
    }
    const w = Math.min(width, 1);
    const h = Math.min(height, 1);
    x ??=
      horizontal === 'left'
        ? edgeMargin
        : horizontal === 'right'
          ? 1 - edgeMargin - w
          : (1 - w) / 2;
    y ??=
      vertical === 'top' ? edgeMargin : vertical === 'bottom' ? 1 - edgeMargin - h : (1 - h) / 2;
  }

  const saysWhere = Object.keys(given).length > 0 || sizeEntry !== null || positionEntry !== null;
  if (!saysWhere || problems.length > 0) return { placement: null, hidden, problems };

  if (!(width > 0) || !(height > 0)) {
    problems.push({ path: [], message: 'the presenter must have a width and height above 0' });
    return { placement: null, hidden, problems };
  }
  if (width > 1.001 || height > 1.001) {
    problems.push({
      path: [given.width?.key ?? given.height?.key ?? sizeEntry?.[0] ?? 'size'],
      message: `the presenter (${percent(width)} × ${percent(height)} of the slide) is larger than the slide`,
    });
    return { placement: null, hidden, problems };
  }
  return { placement: insideOutput({ x, y, width, height }), hidden, problems };
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)} %`;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/**
 * Rounded to four decimals (a tenth of a pixel at 4K) and moved, not shrunk, to lie inside the
 * output: the predecessor let the presenter hang off an edge, Rapido's placement may not.
 */
function insideOutput(rect: NormalisedRect): NormalisedRect {
  const width = round(Math.min(1, rect.width));
  const height = round(Math.min(1, rect.height));
  return {
    x: round(Math.min(Math.max(0, rect.x), 1 - width)),
    y: round(Math.min(Math.max(0, rect.y), 1 - height)),
    width,
    height,
  };
}

export function samePlacement(a: NormalisedRect, b: NormalisedRect): boolean {
  const close = (p: number, q: number) => Math.abs(p - q) < 1e-4;
  return close(a.x, b.x) && close(a.y, b.y) && close(a.width, b.width) && close(a.height, b.height);
}
