import type { Size } from './fit-rect.ts';
import type { PixelRect } from './pixel-rect.ts';

/**
 * How a burned-in caption looks, relative to the output so that it reads the same at any size:
 * broadcast practice (white sans-serif on a translucent black box, centred near the bottom, text
 * kept inside the action-safe 90% of the width).
 */
export const captionStyle = {
  /** About 30 px at 720p. */
  fontSizeOfHeight: 0.042,
  fontFamily: 'system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  fontWeight: 500,
  minFontSizePx: 8,
  lineHeightOfFont: 1.25,
  paddingXOfFont: 0.5,
  paddingYOfFont: 0.25,
  cornerRadiusOfFont: 0.3,
  boxColour: 'rgba(0, 0, 0, 0.7)',
  textColour: '#ffffff',
  /** The box's bottom edge sits this far above the output's bottom edge. */
  bottomMarginOfHeight: 0.05,
  maxTextWidthOfWidth: 0.9,
} as const;

/** Measures a line of text in pixels in a CSS font (a 2D context's measureText, or a fake). */
export type MeasureTextWidth = (line: string, font: string) => number;

export interface CaptionLayout {
  readonly lines: readonly string[];
  /** CSS font shorthand, at the fitted size. */
  readonly font: string;
  readonly fontSizePx: number;
  readonly lineHeightPx: number;
  readonly paddingXPx: number;
  readonly paddingYPx: number;
  readonly cornerRadiusPx: number;
  /** Text is drawn no wider than this. */
  readonly maxTextWidthPx: number;
  /** The box in output pixels (y down), inside the output. */
  readonly box: PixelRect;
}

/** The lines of a caption as given, trimmed, empty ones dropped. */
export function captionLines(text: string | null): string[] {
  if (text === null) return [];
  return text
    .split(/\r\n|\r|\n/u)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function fontAt(sizePx: number): string {
  return `${captionStyle.fontWeight} ${sizePx}px ${captionStyle.fontFamily}`;
}

/**
 * Fits the lines into the output: the font shrinks (never below `minFontSizePx`) until the widest
 * line is at most 90% of the output width; the box wraps the text plus padding, centred, its bottom
 * 5% of the height above the bottom edge. Null when there is nothing to show.
 */
export function layoutCaption(
  lines: readonly string[],
  output: Size,
  measureTextWidth: MeasureTextWidth,
): CaptionLayout | null {
  if (lines.length === 0 || !(output.width > 0 && output.height > 0)) return null;
  const maxTextWidthPx = Math.floor(output.width * captionStyle.maxTextWidthOfWidth);
  let fontSizePx = Math.max(
    captionStyle.minFontSizePx,
    Math.round(output.height * captionStyle.fontSizeOfHeight),
  );
  let widestPx = widestLine(lines, fontAt(fontSizePx), measureTextWidth);
  while (widestPx > maxTextWidthPx && fontSizePx > captionStyle.minFontSizePx) {
    // Text width scales with the font size, but hinting makes it inexact: step down until it fits.
    const scaled = Math.floor((fontSizePx * maxTextWidthPx) / widestPx);
    fontSizePx = Math.max(captionStyle.minFontSizePx, Math.min(fontSizePx - 1, scaled));
    widestPx = widestLine(lines, fontAt(fontSizePx), measureTextWidth);
  }
  const lineHeightPx = Math.round(fontSizePx * captionStyle.lineHeightOfFont);
  const paddingXPx = Math.round(fontSizePx * captionStyle.paddingXOfFont);
  const paddingYPx = Math.round(fontSizePx * captionStyle.paddingYOfFont);
  const width = Math.min(
    output.width,
    Math.ceil(Math.min(widestPx, maxTextWidthPx)) + 2 * paddingXPx,
  );
  const height = Math.min(output.height, lines.length * lineHeightPx + 2 * paddingYPx);
  const bottom = output.height - Math.round(output.height * captionStyle.bottomMarginOfHeight);
  return {
    lines: [...lines],
    font: fontAt(fontSizePx),
    fontSizePx,
    lineHeightPx,
    paddingXPx,
    paddingYPx,
    cornerRadiusPx: Math.round(fontSizePx * captionStyle.cornerRadiusOfFont),
    maxTextWidthPx,
    box: {
      x: Math.floor((output.width - width) / 2),
      y: Math.max(0, bottom - height),
      width,
      height,
    },
  };
}

function widestLine(lines: readonly string[], font: string, measure: MeasureTextWidth): number {
  let widest = 0;
  for (const line of lines) widest = Math.max(widest, measure(line, font));
  return widest;
}
