import type {
  DrawingImage,
  DrawingObject,
  DrawingShape,
  DrawingText,
  SlideVisual,
} from '../../../../shared/lesson/predecessor-import.ts';
import { pagePlacement } from '../lesson-from-pages.ts';
import { cssFontFamily, type FontMapper } from './font-map.ts';
import { gradientLine, parsePaint, type Paint } from './paint.ts';
import {
  bodyWeight,
  bulletDiameterEm,
  bulletLeftEm,
  headingWeight,
  graphemes,
  layoutTextBox,
  lineHeightEm,
} from './text-layout.ts';

export type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** A decoded picture and its size in pixels. */
export interface DrawableImage {
  source: CanvasImageSource;
  width: number;
  height: number;
}

export interface SlideDrawing {
  visual: SlideVisual;
  /** For a title card: the slide's title, else its narration's first words. */
  title: string | null;
  narration: string;
  /** The document's canvas (lengths in the visual are in its pixels). */
  canvas: { widthPx: number; heightPx: number };
  /** The decoded pictures by plan asset key; a key absent here is drawn as missing. */
  images: ReadonlyMap<string, DrawableImage>;
  /** What each asset was (a file name or URL), to name it on a placeholder. */
  assetNames: ReadonlyMap<string, string>;
  fonts: FontMapper;
}

const cardBackground = '#f4f5f7';
const cardInk = '#1f2933';
const cardMuted = '#52606d';
const cardAccent = '#2563eb';

function paintStyle(ctx: Context2D, paint: Paint, width: number, height: number) {
  if (paint.kind === 'none') return null;
  if (paint.kind === 'color') return paint.color;
  const line = gradientLine(paint.direction, width, height);
  const gradient = ctx.createLinearGradient(line.x0, line.y0, line.x1, line.y1);
  for (const stop of paint.stops) {
    try {
      gradient.addColorStop(stop.offset, stop.color);
    } catch {
      // A colour the canvas cannot parse: the browser would drop the whole gradient too.
      return null;
    }
  }
  return gradient;
}

/** Fills the current path with a CSS fill (colour or gradient) over a box of the given size. */
function fillWith(ctx: Context2D, css: string | null, width: number, height: number): void {
  const paint = parsePaint(css);
  if (paint === null) return;
  const style = paintStyle(ctx, paint, width, height);
  if (style === null) return;
  ctx.fillStyle = style;
  ctx.fill();
}

/** Applies an object's CSS transform about its centre (CSS's default transform-origin). */
function placeObject(ctx: Context2D, object: DrawingObject): void {
  const { transform: t, widthPx: w, heightPx: h } = object;
  ctx.translate(t.xPx + w / 2, t.yPx + h / 2);
  ctx.rotate((t.rotateDeg * Math.PI) / 180);
  ctx.scale(t.scaleX, t.scaleY);
  ctx.translate(-w / 2, -h / 2);
}

/**
 * A gradient fill comes as `fillGradient` (the plan's `fill` then holds its first colour); a
 * plan may also hold the CSS `linear-gradient(…)` in `fill` itself, which parsePaint reads.
 */
function shapeFill(shape: DrawingShape): Paint | null {
  const gradient = shape.fillGradient;
  if (gradient !== undefined && gradient.stops.length >= 2) {
    return {
      kind: 'linear-gradient',
      direction: { kind: 'angle', deg: gradient.angleDeg },
      stops: gradient.stops.map((stop) => ({ color: stop.color, offset: stop.offset })),
    };
  }
  return parsePaint(shape.fill);
}

function drawShape(ctx: Context2D, shape: DrawingShape): void {
  const { widthPx: w, heightPx: h } = shape;
  const outline = (inset: number) => {
    ctx.beginPath();
    if (shape.shape === 'circle') {
      ctx.ellipse(
        w / 2,
        h / 2,
        Math.max(0, w / 2 - inset),
        Math.max(0, h / 2 - inset),
        0,
        0,
        2 * Math.PI,
      );
    } else {
      ctx.rect(inset, inset, Math.max(0, w - 2 * inset), Math.max(0, h - 2 * inset));
    }
  };
  outline(0);
  const fill = shapeFill(shape);
  const fillStyle = fill === null ? null : paintStyle(ctx, fill, w, h);
  if (fillStyle !== null) {
    ctx.fillStyle = fillStyle;
    ctx.fill();
  }
  const strokePaint = parsePaint(shape.stroke);
  const sw = Math.min(shape.strokeWidthPx, w / 2, h / 2);
  if (sw <= 0 || strokePaint === null || strokePaint.kind === 'none') return;
  const style = paintStyle(ctx, strokePaint, w, h);
  if (style === null) return;
  // A CSS border: inside the box, so the stroke's centre line is half its width in.
  outline(sw / 2);
  ctx.lineWidth = sw;
  ctx.strokeStyle = style;
  if (shape.strokeStyle === 'dashed') ctx.setLineDash([3 * sw, 3 * sw]);
  else if (shape.strokeStyle === 'dotted') {
    ctx.setLineDash([0, 2 * sw]);
    ctx.lineCap = 'round';
  }
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.lineCap = 'butt';
}

/** The canvas `font` for a text object at `sizePx`, mapped to a family this machine has. */
export function textFont(
  text: Pick<DrawingText, 'variant' | 'fontFamily'>,
  sizePx: number,
  fonts: FontMapper,
): string {
  const weight = text.variant === 'heading' ? headingWeight : bodyWeight;
  return `${weight} ${sizePx}px ${cssFontFamily(fonts.map(text.fontFamily))}`;
}

export type TextFitFields = Pick<
  DrawingText,
  'content' | 'variant' | 'textAlign' | 'widthPx' | 'heightPx' | 'fontSizePx' | 'fontFamily'
>;

/** The smallest share of its size a text in a substitute font is shrunk to. */
const minimumShrink = 0.76;

/**
 * The size a text is drawn at. The editor sized each text box to its text in the document's own
 * font; a substitute that is wider wraps into more lines and would run over what lies below. So a
 * text in a substitute font that no longer fits its box's height is made smaller, 4% at a time
 * (rounded to whole pixels), until it fits (at most to 76%). Text in its own font is drawn at its size, fitting or not.
 */
export function fittedFontSize(text: TextFitFields, fonts: FontMapper, ctx: Context2D): number {
  const mapped = fonts.map(text.fontFamily);
  if (mapped.family !== null && mapped.family.toLowerCase() === mapped.requested.toLowerCase()) {
    return text.fontSizePx;
  }
  let size = text.fontSizePx;
  for (let share = 1; share >= minimumShrink - 1e-9; share -= 0.04) {
    // Whole pixels (a whole line height at 1.5 when even), as a designer would choose.
    size = Math.max(1, Math.round(text.fontSizePx * share));
    ctx.font = textFont(text, size, fonts);
    const lines = layoutTextBox({
      content: text.content,
      variant: text.variant,
      textAlign: text.textAlign,
      widthPx: text.widthPx,
      fontSizePx: size,
      measure: (s) => ctx.measureText(s).width,
    });
    // Half a line of slack: the editor's boxes are rounded, the last line's leading is air.
    if (lines.length * size * lineHeightEm <= text.heightPx + (size * lineHeightEm) / 2) break;
  }
  return size;
}

/** Draws a text object; answers whether it was made smaller to fit (see fittedFontSize). */
function drawText(ctx: Context2D, text: DrawingText, fonts: FontMapper): boolean {
  const { widthPx: w, heightPx: h } = text;
  const background = parsePaint(text.backgroundColor);
  if (background !== null && background.kind !== 'none') {
    ctx.beginPath();
    ctx.rect(0, 0, w, h);
    fillWith(ctx, text.backgroundColor, w, h);
  }
  const size = fittedFontSize(text, fonts, ctx);
  ctx.font = textFont(text, size, fonts);
  ctx.textBaseline = 'alphabetic';
  ctx.textAlign = 'left';
  const metrics = ctx.measureText('Hg');
  // The line box's baseline as CSS places it: half the leading above the font's (rounded)
  // ascent + descent.
  const ascent = Math.round(metrics.fontBoundingBoxAscent);
  const descent = Math.round(metrics.fontBoundingBoxDescent);
  const lineHeight = size * lineHeightEm;
  const baseline = (lineHeight - (ascent + descent)) / 2 + ascent;
  const lines = layoutTextBox({
    content: text.content,
    variant: text.variant,
    textAlign: text.textAlign,
    widthPx: w,
    fontSizePx: size,
    measure: (s) => ctx.measureText(s).width,
  });
  const ink = parsePaint(text.color);
  const inkStyle = ink?.kind === 'color' ? ink.color : '#000000';
  const bulletPaint = parsePaint(text.bulletColor ?? text.color);
  const bulletStyle = bulletPaint?.kind === 'color' ? bulletPaint.color : inkStyle;
  for (const line of lines) {
    if (line.bullet) {
      const radius = (size * bulletDiameterEm) / 2;
      ctx.beginPath();
      ctx.arc(size * bulletLeftEm + radius, line.top + lineHeight / 2, radius, 0, 2 * Math.PI);
      ctx.fillStyle = bulletStyle;
      ctx.fill();
    }
    ctx.fillStyle = inkStyle;
    for (const run of line.runs) ctx.fillText(run.text, run.x, line.top + baseline);
  }
  return size !== text.fontSizePx;
}

/** The name a placeholder shows: the file name of a URL or path. */
export function assetLabel(source: string): string {
  const withoutQuery = source.split(/[?#]/u)[0] ?? source;
  const name = withoutQuery.split(/[\\/]/u).filter(Boolean).at(-1) ?? source;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** `text` cut in the middle (…) until it fits `maxWidth`: a long file name keeps both ends. */
export function middleEllipsis(
  text: string,
  maxWidth: number,
  measure: (text: string) => number,
): string {
  if (measure(text) <= maxWidth) return text;
  const chars = graphemes(text);
  let keep = chars.length - 1;
  while (keep > 1) {
    const head = Math.ceil(keep / 2);
    const cut = `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (keep - head)).join('')}`;
    if (measure(cut) <= maxWidth) return cut;
    keep -= 1;
  }
  return '…';
}

/** A hatched box saying "image missing" and which file, where a picture could not be had. */
export function drawMissing(ctx: Context2D, w: number, h: number, label: string): void {
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, 0, w, h);
  ctx.clip();
  ctx.fillStyle = '#eceff3';
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = '#c3cad3';
  ctx.lineWidth = Math.max(2, Math.min(w, h) / 60);
  const step = Math.max(12, Math.min(w, h) / 10);
  ctx.beginPath();
  for (let x = -h; x < w; x += step) {
    ctx.moveTo(x, h);
    ctx.lineTo(x + h, 0);
  }
  ctx.stroke();
  ctx.strokeStyle = '#9aa5b1';
  ctx.lineWidth = Math.max(2, Math.min(w, h) / 80);
  ctx.strokeRect(ctx.lineWidth / 2, ctx.lineWidth / 2, w - ctx.lineWidth, h - ctx.lineWidth);
  const size = Math.max(10, Math.min(h / 8, w / 12, 48));
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const text = [
    { text: 'image missing', font: `700 ${size}px sans-serif` },
    { text: label, font: `400 ${size * 0.7}px sans-serif` },
  ];
  text.forEach((line, index) => {
    ctx.font = line.font;
    const y = h / 2 + (index === 0 ? -size * 0.6 : size * 0.6);
    const shown = middleEllipsis(line.text, w * 0.9, (t) => ctx.measureText(t).width);
    const width = ctx.measureText(shown).width;
    ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
    ctx.fillRect(w / 2 - width / 2 - size * 0.3, y - size * 0.6, width + size * 0.6, size * 1.2);
    ctx.fillStyle = '#323f4b';
    ctx.fillText(shown, w / 2, y);
  });
  ctx.restore();
}

function drawImageObject(ctx: Context2D, image: DrawingImage, drawing: SlideDrawing): void {
  const { widthPx: w, heightPx: h } = image;
  const picture = drawing.images.get(image.asset);
  if (!picture) {
    drawMissing(ctx, w, h, assetLabel(drawing.assetNames.get(image.asset) ?? image.asset));
    return;
  }
  const { crop } = image;
  const sx = crop.left * picture.width;
  const sy = crop.top * picture.height;
  const sw = Math.max(1, picture.width * (1 - crop.left - crop.right));
  const sh = Math.max(1, picture.height * (1 - crop.top - crop.bottom));
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(picture.source, sx, sy, sw, sh, 0, 0, w, h);
}

/** Draws one object; answers whether it was text made smaller to fit its box. */
function drawObject(ctx: Context2D, object: DrawingObject, drawing: SlideDrawing): boolean {
  if (object.opacity <= 0 || object.widthPx <= 0 || object.heightPx <= 0) return false;
  ctx.save();
  ctx.globalAlpha = object.opacity;
  placeObject(ctx, object);
  let shrunk = false;
  if (object.kind === 'shape') drawShape(ctx, object);
  else if (object.kind === 'text') shrunk = drawText(ctx, object, drawing.fonts);
  else drawImageObject(ctx, object, drawing);
  ctx.restore();
  return shrunk;
}

/** Draws `picture` to cover a w x h box (centred, cut to fit), as CSS `background-size: cover`. */
function drawCover(ctx: Context2D, picture: DrawableImage, w: number, h: number): void {
  const scale = Math.max(w / picture.width, h / picture.height);
  const sw = w / scale;
  const sh = h / scale;
  ctx.drawImage(
    picture.source,
    (picture.width - sw) / 2,
    (picture.height - sh) / 2,
    sw,
    sh,
    0,
    0,
    w,
    h,
  );
}

/** Lines of `text` in the current font that fit `maxWidth`, at most `maxLines` (… when cut). */
function fitLines(ctx: Context2D, text: string, maxWidth: number, maxLines: number): string[] {
  const words = text.split(/\s+/u).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (line !== '' && ctx.measureText(candidate).width > maxWidth) {
      lines.push(line);
      line = word;
      if (lines.length === maxLines) break;
    } else {
      line = candidate;
    }
  }
  if (lines.length < maxLines && line !== '') lines.push(line);
  else if (lines.length === maxLines) lines[maxLines - 1] = `${lines[maxLines - 1] ?? ''}…`;
  return lines;
}

function drawCentredLines(
  ctx: Context2D,
  lines: string[],
  centreY: number,
  lineHeight: number,
  x: number,
) {
  const top = centreY - ((lines.length - 1) * lineHeight) / 2;
  lines.forEach((line, index) => ctx.fillText(line, x, top + index * lineHeight));
}

/** An embedded web page cannot be drawn: a card with its title and address instead. */
function drawEmbedCard(ctx: Context2D, w: number, h: number, title: string, url: string): void {
  ctx.fillStyle = cardBackground;
  ctx.fillRect(0, 0, w, h);
  const margin = w * 0.1;
  ctx.fillStyle = '#ffffff';
  ctx.strokeStyle = '#d9dee5';
  ctx.lineWidth = Math.max(2, w / 640);
  ctx.beginPath();
  ctx.roundRect(margin, h * 0.22, w - 2 * margin, h * 0.56, w / 80);
  ctx.fill();
  ctx.stroke();
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const unit = h / 1080;
  ctx.font = `600 ${32 * unit}px sans-serif`;
  ctx.fillStyle = cardMuted;
  ctx.fillText('Embedded web page', w / 2, h * 0.31);
  ctx.font = `700 ${64 * unit}px sans-serif`;
  ctx.fillStyle = cardInk;
  const titleLines = fitLines(ctx, title.trim() || 'Untitled page', w - 3 * margin, 2);
  drawCentredLines(ctx, titleLines, h * 0.47, 80 * unit, w / 2);
  ctx.font = `400 ${34 * unit}px monospace`;
  ctx.fillStyle = cardAccent;
  const urlLines = fitLines(ctx, url.replace(/(.{60})/gu, '$1 '), w - 3 * margin, 2);
  drawCentredLines(ctx, urlLines, h * 0.66, 44 * unit, w / 2);
}

/** A slide without a picture: its title (or first words) on a plain card. */
function drawTitleCard(ctx: Context2D, w: number, h: number, title: string): void {
  ctx.fillStyle = cardBackground;
  ctx.fillRect(0, 0, w, h);
  ctx.fillStyle = cardAccent;
  ctx.fillRect(w * 0.1, h * 0.3, w * 0.06, h / 135);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  const unit = h / 1080;
  ctx.font = `700 ${80 * unit}px sans-serif`;
  ctx.fillStyle = cardInk;
  drawCentredLines(ctx, fitLines(ctx, title, w * 0.8, 4), h / 2, 100 * unit, w * 0.1);
}

/** The title a card shows: the slide's, else its narration's first words, else "Slide n". */
export function cardTitle(title: string | null, narration: string, fallback: string): string {
  if (title !== null && title.trim() !== '') return title.trim();
  const words = narration.trim().split(/\s+/u).filter(Boolean);
  if (words.length === 0) return fallback;
  return words.length > 12 ? `${words.slice(0, 12).join(' ')}…` : words.join(' ');
}

/**
 * Draws a slide at the context's canvas size: the document's canvas scaled to fit (letterboxed in
 * black when the aspect differs, as the program shows slides), background colour and picture
 * (cover), then the objects in the document's order, each placed by its CSS transform. Answers
 * how many texts were made smaller to fit their boxes in a substitute font.
 */
export function drawSlide(
  ctx: Context2D,
  output: { width: number; height: number },
  drawing: SlideDrawing,
  fallbackTitle: string,
): { shrunkTexts: number } {
  let shrunkTexts = 0;
  ctx.save();
  ctx.fillStyle = '#000000';
  ctx.fillRect(0, 0, output.width, output.height);
  const { visual } = drawing;
  if (visual.kind === 'embed') {
    drawEmbedCard(ctx, output.width, output.height, visual.title, visual.url);
  } else if (visual.kind === 'title-card') {
    drawTitleCard(
      ctx,
      output.width,
      output.height,
      cardTitle(drawing.title, drawing.narration, fallbackTitle),
    );
  } else if (visual.kind === 'image') {
    const picture = drawing.images.get(visual.asset);
    if (picture) {
      const place = pagePlacement(picture, output);
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(picture.source, place.x, place.y, place.width, place.height);
    } else {
      drawMissing(
        ctx,
        output.width,
        output.height,
        assetLabel(drawing.assetNames.get(visual.asset) ?? visual.asset),
      );
    }
  } else {
    const { widthPx: cw, heightPx: ch } = drawing.canvas;
    const place = pagePlacement({ width: cw, height: ch }, output);
    ctx.beginPath();
    ctx.rect(place.x, place.y, place.width, place.height);
    ctx.clip();
    ctx.translate(place.x, place.y);
    ctx.scale(place.width / cw, place.height / ch);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, cw, ch);
    ctx.beginPath();
    ctx.rect(0, 0, cw, ch);
    fillWith(ctx, visual.backgroundColor, cw, ch);
    const background =
      visual.backgroundAsset === null ? undefined : drawing.images.get(visual.backgroundAsset);
    if (background) drawCover(ctx, background, cw, ch);
    for (const object of visual.objects) if (drawObject(ctx, object, drawing)) shrunkTexts += 1;
  }
  ctx.restore();
  return { shrunkTexts };
}
