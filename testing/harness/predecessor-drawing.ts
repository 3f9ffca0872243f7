import {
  assetLabel,
  drawMissing,
  drawSlide,
  fittedFontSize,
  type DrawableImage,
} from '../../src/renderer/features/import/predecessor/draw-slide.ts';
import {
  browserFontProbe,
  cssFontFamily,
  FontMapper,
} from '../../src/renderer/features/import/predecessor/font-map.ts';
import { bytesToBase64 } from './images.ts';
import { buildDomSlide } from './predecessor-dom.ts';
import type { PredecessorDrawingHarness, RawObject } from './predecessor-drawing-api.ts';

/**
 * Test page for the predecessor importer's drawer: draws a plan's slide on a canvas exactly as
 * the importer does (drawSlide, the same font mapping) and builds the same slide as the
 * predecessor's page did, as DOM (predecessor-dom.ts), for the spec to compare the two.
 */

declare global {
  interface Window {
    predecessorDrawing?: PredecessorDrawingHarness;
  }
}

const fonts = new FontMapper(browserFontProbe());
const measuring = new OffscreenCanvas(8, 8).getContext('2d');

/** The size the importer draws a raw text object at (see fittedFontSize). */
function drawnFontSize(object: RawObject): number {
  const size = typeof object.fontSize === 'number' ? object.fontSize : 16;
  if (!measuring) return size;
  return fittedFontSize(
    {
      content: String(object.content),
      variant: object.variant as 'heading' | 'bulletList' | 'paragraph',
      textAlign: object.textAlign as 'left' | 'center' | 'right' | 'justify',
      widthPx: Number(object.width),
      heightPx: Number(object.height),
      fontSizePx: size,
      fontFamily: String(object.fontFamily),
    },
    fonts,
    measuring,
  );
}

async function decode(url: string): Promise<DrawableImage> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const bitmap = await createImageBitmap(await response.blob());
  return { source: bitmap, width: bitmap.width, height: bitmap.height };
}

window.predecessorDrawing = {
  async drawPng(request) {
    const images = new Map<string, DrawableImage>();
    for (const [key, url] of Object.entries(request.images)) images.set(key, await decode(url));
    const canvas = new OffscreenCanvas(request.output.width, request.output.height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas');
    drawSlide(
      context,
      request.output,
      {
        visual: request.visual,
        title: request.title,
        narration: request.narration,
        canvas: request.canvas,
        images,
        assetNames: new Map(Object.entries(request.assetNames)),
        fonts,
      },
      'Slide',
    );
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    return {
      pngBase64: bytesToBase64(new Uint8Array(await blob.arrayBuffer())),
      substitutions: fonts.substitutions(),
    };
  },
  async showDom(request) {
    const root = document.getElementById('stage');
    if (!root) throw new Error('no #stage');
    await buildDomSlide(root, {
      ...request,
      missing: new Set(request.missing),
      fontFamily: (requested) => cssFontFamily(fonts.map(requested)),
      fontSize: drawnFontSize,
      drawMissing: (canvas, width, height, src) => {
        canvas.width = Math.max(1, Math.round(width));
        canvas.height = Math.max(1, Math.round(height));
        const context = canvas.getContext('2d');
        if (context) drawMissing(context, width, height, assetLabel(src));
      },
    });
  },
};
