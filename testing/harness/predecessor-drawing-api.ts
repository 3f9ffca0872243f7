import type { SlideVisual } from '../../src/shared/lesson/predecessor-import.ts';

/**
 * The predecessor drawing page's contract (`window.predecessorDrawing` on
 * testing/harness/predecessor-drawing.html). Plain data only (Playwright carries it as JSON), and
 * no DOM types, so the Node-side specs can import it.
 */

/** A document object as the predecessor stored it (`type` text, shape or image). */
export interface RawObject {
  type: string;
  [field: string]: unknown;
}

export interface RawSlide {
  backgroundColor?: string | null;
  backgroundImage?: string | null;
  objects: RawObject[];
}

export interface DrawRequest {
  visual: SlideVisual;
  title: string | null;
  narration: string;
  canvas: { widthPx: number; heightPx: number };
  output: { width: number; height: number };
  /** Asset key → URL on the test server; a key absent here is drawn as missing. */
  images: Record<string, string>;
  /** Asset key → what the document named (for the placeholder's label). */
  assetNames: Record<string, string>;
}

export interface DomRequest {
  slide: RawSlide;
  canvas: { widthPx: number; heightPx: number };
  output: { width: number; height: number };
  /** Picture sources (as the document names them) that are missing: drawn as placeholders. */
  missing: string[];
  /** Document picture source → URL the page loads it from. */
  urls: Record<string, string>;
}

export interface PredecessorDrawingHarness {
  drawPng(request: DrawRequest): Promise<{ pngBase64: string; substitutions: string[] }>;
  showDom(request: DomRequest): Promise<void>;
}
