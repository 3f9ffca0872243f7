import type { DrawingObject } from '../../../../shared/lesson/predecessor-import.ts';
import { parseCssTransform } from './css-transform.ts';
import type { JsonPath, Problem } from './plan-common.ts';
import { describeValue, isRecord } from './plan-common.ts';
import { parseCssFill } from './css-fill.ts';

/**
 * One object of a video-job document's canvas slide (the editor's `text`, `shape` and `image`
 * objects; field names as in alin-anjum/agent_streaming_backend rapido_system/data/slideData/)
 * as a drawing object of the plan. Quirks of the real documents handled here:
 * - `transform: "translate(NaNpx, NaNpx)"` with `width: null` (an image never placed): skipped,
 *   with a note naming it;
 * - `opacity: 100`: a percentage (values above 1 are read as percent);
 * - `fill`/`fillColor` and `stroke`/`strokeColor` name the same colour;
 * - `fill` may be a `linear-gradient(…)`;
 * - text `content` ends in "\n" and holds one paragraph or bullet per line.
 */

export interface ObjectContext {
  /** The path of this object inside the inner document. */
  path: JsonPath;
  /** Where problems of the inner document go. */
  problems: Problem[];
  /** A note for an object left out (named by slide and index). */
  skip: (reason: string) => void;
  /** The plan's key for an image the document names (a URL or path). */
  imageAsset: (source: string) => string;
}

function problem(context: ObjectContext, key: string | null, message: string): null {
  // The outer path is filled in by the document's reader (it knows where the string is).
  context.problems.push({
    path: [],
    innerPath: key === null ? context.path : [...context.path, key],
    message,
  });
  return null;
}

/** A number, or a number written as text ("12.5", "12.5px"); undefined when absent. */
function numberField(
  object: Record<string, unknown>,
  key: string,
): number | null | undefined | 'invalid' {
  if (!Object.hasOwn(object, key) || object[key] === undefined) return undefined;
  const value = object[key];
  if (value === null) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : 'invalid';
  if (typeof value === 'string') {
    const text = value.trim().replace(/px$/i, '').trim();
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) return Number(text);
  }
  return 'invalid';
}

function colorField(object: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = object[key];
    if (typeof value === 'string') {
      const text = value.trim();
      if (text.length === 0 || text.toLowerCase() === 'transparent' || text === 'none') return null;
      return text.slice(0, 100);
    }
  }
  return null;
}

function stringField(object: Record<string, unknown>, key: string, fallback: string): string {
  const value = object[key];
  return typeof value === 'string' && value.trim().length > 0 ? value : fallback;
}

/** The drawing object, or null when it is left out (a note or a problem says why). */
export function readObject(
  value: unknown,
  index: number,
  context: ObjectContext,
): DrawingObject | null {
  if (!isRecord(value)) {
    return problem(context, null, `expected an object, got ${describeValue(value)}`);
  }
  const type = value.type;
  const id =
    typeof value.id === 'string' && value.id.length > 0
      ? value.id.slice(0, 200)
      : `object-${index + 1}`;
  const label = `${typeof type === 'string' ? type : 'object'} ${index + 1} (${id})`;
  if (type !== 'text' && type !== 'shape' && type !== 'image') {
    context.skip(`${label}: type ${describeValue(type)} is not drawn (text, shape and image are)`);
    return null;
  }
  if (value.visibility === false || value.visible === false) {
    context.skip(`${label}: hidden in the editor`);
    return null;
  }

  const transformRaw = value.transform ?? '';
  if (typeof transformRaw !== 'string') {
    return problem(
      context,
      'transform',
      `expected a CSS transform such as "translate(10px, 20px)", got ${describeValue(transformRaw)}`,
    );
  }
  const transform = parseCssTransform(transformRaw);
  if (transform.kind === 'invalid') {
    return problem(
      context,
      'transform',
      `${JSON.stringify(transformRaw.slice(0, 80))} ${transform.reason}`,
    );
  }
  if (transform.kind === 'not-placed') {
    context.skip(
      `${label}: it was never placed (transform ${JSON.stringify(transformRaw.slice(0, 60))})`,
    );
    return null;
  }
  const width = numberField(value, 'width');
  const height = numberField(value, 'height');
  for (const [key, size] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (size === 'invalid' || (typeof size === 'number' && (size < 0 || size > 100_000))) {
      return problem(
        context,
        key,
        `expected a size in canvas pixels, got ${describeValue(value[key])}`,
      );
    }
  }
  if (typeof width !== 'number' || typeof height !== 'number') {
    context.skip(
      `${label}: it has no size (width ${describeValue(value.width)}, height ${describeValue(value.height)})`,
    );
    return null;
  }
  const opacityRaw = numberField(value, 'opacity');
  if (
    opacityRaw === 'invalid' ||
    (typeof opacityRaw === 'number' && (opacityRaw < 0 || opacityRaw > 100))
  ) {
    return problem(
      context,
      'opacity',
      `expected an opacity of 0..1 or a percentage 0..100, got ${describeValue(value.opacity)}`,
    );
  }
  // The editor writes 100 for opaque: above 1 it is a percentage.
  const opacity =
    typeof opacityRaw === 'number' ? (opacityRaw > 1 ? opacityRaw / 100 : opacityRaw) : 1;
  const placed = { id, transform: transform.transform, widthPx: width, heightPx: height, opacity };

  if (type === 'text') return readText(value, placed, context);
  if (type === 'shape') return readShape(value, placed, context, label);
  return readImage(value, placed, context, label);
}

type Placed = Pick<DrawingObject, 'id' | 'transform' | 'widthPx' | 'heightPx' | 'opacity'>;

function readText(
  value: Record<string, unknown>,
  placed: Placed,
  context: ObjectContext,
): DrawingObject | null {
  const content = value.content ?? '';
  if (typeof content !== 'string') {
    return problem(context, 'content', `expected the text, got ${describeValue(content)}`);
  }
  const fontSize = numberField(value, 'fontSize');
  if (
    fontSize === 'invalid' ||
    (typeof fontSize === 'number' && !(fontSize > 0 && fontSize <= 2000))
  ) {
    return problem(
      context,
      'fontSize',
      `expected a font size in canvas pixels, got ${describeValue(value.fontSize)}`,
    );
  }
  const align = value.textAlign;
  const textAlign = align === 'center' || align === 'right' || align === 'justify' ? align : 'left';
  const variant =
    value.variant === 'heading'
      ? 'heading'
      : value.variant === 'bulletList'
        ? 'bulletList'
        : 'paragraph';
  return {
    kind: 'text',
    ...placed,
    // Line ends as the editor wrote them, less the one it always adds at the end.
    content: content.replace(/\r\n?/g, '\n').replace(/\n$/, '').slice(0, 100_000),
    fontFamily: stringField(value, 'fontFamily', 'sans-serif').slice(0, 200),
    fontSizePx: typeof fontSize === 'number' ? fontSize : 16,
    color: colorField(value, ['color']) ?? '#000000',
    textAlign,
    variant,
    bulletColor: colorField(value, ['bulletColor']),
    backgroundColor: colorField(value, ['backgroundColor']),
  };
}

function readShape(
  value: Record<string, unknown>,
  placed: Placed,
  context: ObjectContext,
  label: string,
): DrawingObject | null {
  const kind = value.shape;
  let shape: 'rectangle' | 'circle' = 'rectangle';
  if (kind === 'circle' || kind === 'ellipse') shape = 'circle';
  else if (kind !== 'rectangle' && kind !== 'rect' && kind !== 'square') {
    context.skip(`${label}: shape ${describeValue(kind)} is drawn as a rectangle`);
  }
  const fillText = colorField(value, ['fill', 'fillColor']);
  const fill = fillText === null ? null : parseCssFill(fillText);
  if (fill === 'invalid') {
    return problem(
      context,
      Object.hasOwn(value, 'fill') ? 'fill' : 'fillColor',
      `cannot read the fill ${JSON.stringify(fillText?.slice(0, 80))} (a colour or linear-gradient(…))`,
    );
  }
  const strokeWidth = numberField(value, 'strokeWidth');
  if (
    strokeWidth === 'invalid' ||
    (typeof strokeWidth === 'number' && (strokeWidth < 0 || strokeWidth > 10_000))
  ) {
    return problem(
      context,
      'strokeWidth',
      `expected a stroke width in canvas pixels, got ${describeValue(value.strokeWidth)}`,
    );
  }
  const style = value.strokeStyle;
  return {
    kind: 'shape',
    ...placed,
    shape,
    fill: fill?.color ?? null,
    ...(fill?.gradient ? { fillGradient: fill.gradient } : {}),
    stroke: colorField(value, ['stroke', 'strokeColor']),
    strokeWidthPx: typeof strokeWidth === 'number' ? strokeWidth : 0,
    strokeStyle: style === 'dashed' || style === 'dotted' ? style : 'solid',
  };
}

/**
 * The crop fields' unit is not in the predecessor's source (its Python never reads them). From
 * the real documents (rapido_system/data/slideData/4b5faa58…json): the values are 0 or negative
 * canvas pixels cut off the picture as shown, e.g. an image of natural height 1024.14 shown
 * 1022.12 high with `croppedTop: -2`, and a 2000x66 banner shown 1950.7x20.08 with
 * `croppedBottom: -44.4` (66 × 1950.7/2000 − 44.4 = 19.97 ≈ 20.08). So each side's fraction of
 * the picture is |cropped| / (shown size + both crops on that axis); the sign is ignored.
 */
export function cropFractions(
  value: Record<string, unknown>,
  widthPx: number,
  heightPx: number,
): { top: number; right: number; bottom: number; left: number } {
  const side = (key: string) => {
    const raw = value[key];
    return typeof raw === 'number' && Number.isFinite(raw) ? Math.min(100_000, Math.abs(raw)) : 0;
  };
  const [top, right, bottom, left] = [
    'croppedTop',
    'croppedRight',
    'croppedBottom',
    'croppedLeft',
  ].map(side) as [number, number, number, number];
  // Each axis keeps some of the picture (at most 99.9 % cut), whatever the numbers say.
  const axis = (a: number, b: number, size: number): [number, number] => {
    const full = size + a + b;
    if (!(full > 0)) return [0, 0];
    const sum = (a + b) / full;
    const keep = sum > 0.999 ? 0.999 / sum : 1;
    return [(a / full) * keep, (b / full) * keep];
  };
  const [cropTop, cropBottom] = axis(top, bottom, heightPx);
  const [cropLeft, cropRight] = axis(left, right, widthPx);
  return { top: cropTop, right: cropRight, bottom: cropBottom, left: cropLeft };
}

function readImage(
  value: Record<string, unknown>,
  placed: Placed,
  context: ObjectContext,
  label: string,
): DrawingObject | null {
  const src = value.src;
  if (typeof src !== 'string' || src.trim().length === 0) {
    context.skip(`${label}: it names no picture (src ${describeValue(src)})`);
    return null;
  }
  const natural = (key: string) => {
    const read = numberField(value, key);
    return typeof read === 'number' && read > 0 && read <= 100_000 ? read : null;
  };
  return {
    kind: 'image',
    ...placed,
    asset: context.imageAsset(src.trim()),
    naturalWidthPx: natural('naturalWidth'),
    naturalHeightPx: natural('naturalHeight'),
    crop: cropFractions(value, placed.widthPx, placed.heightPx),
  };
}
