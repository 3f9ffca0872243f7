import { getDocument, PDFWorker, type PDFDocumentProxy, type PDFPageProxy } from 'pdfjs-dist';
import { z } from 'zod';
import { rapido } from '../../bridge/rapido.ts';
import type { Lesson, OutputSettings } from '../../../shared/lesson/lesson-schema.ts';
import { errorMessage, type RapidoError } from '../../../shared/result.ts';
import {
  lessonFromPages,
  pageImagePath,
  pagePlacement,
  type ImportedPage,
  type SlideText,
} from './lesson-from-pages.ts';
import { linesFromRuns, type TextRun } from './page-text.ts';

/** An open PDF and how to let it go (its worker is ours alone and ends with it). */
export interface OpenedPdf {
  doc: PDFDocumentProxy;
  pageCount: number;
  metadataTitle: string | undefined;
  close: () => Promise<void>;
}

const pdfInfoSchema = z.object({ Title: z.string().optional() });

/** Opens PDF bytes in a fresh pdf.js worker. The bytes are handed over to the worker. */
export async function openPdf(bytes: Uint8Array): Promise<OpenedPdf> {
  const worker = new Worker(new URL('./pdf-worker.ts', import.meta.url), {
    type: 'module',
    name: 'pdfjs',
  });
  const pdfWorker = PDFWorker.create({ port: worker });
  const task = getDocument({
    data: bytes,
    worker: pdfWorker,
    // Fonts a PDF names but does not embed are drawn with the system's fonts.
    useSystemFonts: true,
  });
  const close = async () => {
    await task.destroy();
    pdfWorker.destroy();
    worker.terminate();
  };
  try {
    const doc = await task.promise;
    const metadata = await doc.getMetadata().catch(() => null);
    const info = pdfInfoSchema.safeParse(metadata?.info);
    return {
      doc,
      pageCount: doc.numPages,
      metadataTitle: info.success ? info.data.Title : undefined,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

const textItemSchema = z.object({
  str: z.string(),
  transform: z.tuple([z.number(), z.number(), z.number(), z.number(), z.number(), z.number()]),
  width: z.number(),
});

/** A page's text runs in page units at scale 1, y down (the viewport applies any rotation). */
async function pageTextRuns(page: PDFPageProxy): Promise<{ runs: TextRun[]; height: number }> {
  const viewport = page.getViewport({ scale: 1 });
  const [a = 1, b = 0, c = 0, d = 1, e = 0, f = 0] = viewport.transform;
  const content = await page.getTextContent();
  const runs: TextRun[] = [];
  for (const raw of content.items) {
    const item = textItemSchema.safeParse(raw);
    if (!item.success || item.data.str.trim().length === 0) continue;
    const [, , tc, td, tx, ty] = item.data.transform;
    // The run's origin and height through the viewport (y down, rotation applied); its width is
    // already in page units along the text, and the viewport at scale 1 keeps lengths.
    runs.push({
      text: item.data.str,
      x: a * tx + c * ty + e,
      y: b * tx + d * ty + f,
      width: item.data.width,
      height: Math.hypot(a * tc + c * td, b * tc + d * td),
    });
  }
  return { runs, height: viewport.height };
}

function canvasToPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => {
      if (blob) resolve(blob);
      else reject(new Error('the page could not be encoded as PNG'));
    }, 'image/png');
  });
}

/** Lets the browser paint and handle input between pages. */
function yieldToBrowser(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Draws pages at the output size: the page fitted inside (white paper), black letterbox around it
 * when the aspect differs, as the program shows slides. One set of canvases serves every page.
 */
class PageRasteriser {
  private readonly pageCanvas = document.createElement('canvas');
  private readonly outputCanvas = document.createElement('canvas');

  constructor(private readonly output: { width: number; height: number }) {
    this.outputCanvas.width = output.width;
    this.outputCanvas.height = output.height;
  }

  async png(page: PDFPageProxy): Promise<Blob> {
    const natural = page.getViewport({ scale: 1 });
    const place = pagePlacement(natural, this.output);
    const viewport = page.getViewport({ scale: place.width / natural.width });
    this.pageCanvas.width = place.width;
    this.pageCanvas.height = place.height;
    await page.render({ canvas: this.pageCanvas, viewport, background: '#ffffff' }).promise;
    if (place.width === this.output.width && place.height === this.output.height) {
      return canvasToPng(this.pageCanvas);
    }
    const context = this.outputCanvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas for the letterboxed page');
    context.fillStyle = '#000000';
    context.fillRect(0, 0, this.output.width, this.output.height);
    context.drawImage(this.pageCanvas, place.x, place.y);
    return canvasToPng(this.outputCanvas);
  }
}

export type ImportProgress =
  | { phase: 'converting'; fileName: string }
  | { phase: 'opening' }
  | { phase: 'rendering'; page: number; pageCount: number }
  | { phase: 'saving'; pageCount: number };

export type PdfImportOutcome =
  | { kind: 'done'; dir: string; lesson: Lesson; pageCount: number; msPerPage: number }
  | { kind: 'cancelled'; pagesWritten: number; pageCount: number; dir: string }
  | { kind: 'failed'; error: RapidoError; pagesWritten: number; dir: string };

export interface PdfImportRequest {
  pdf: Uint8Array;
  lessonDir: string;
  title: string;
  output: OutputSettings;
  signal: AbortSignal;
  onProgress: (progress: ImportProgress) => void;
  /**
   * The source's own titles and narration, one per page (a PowerPoint deck's notes): a PDF with
   * another page count fails before any page is written.
   */
  slideTexts?: readonly SlideText[];
}

/**
 * Renders every page to slides/page-NN.png in the lesson folder as it goes (one page in memory at
 * a time), then writes lesson.json with `create` and only then: a cancelled or failed import
 * leaves the images written so far and no lesson. Cancelling stops after the current page.
 */
export async function importPdf(request: PdfImportRequest): Promise<PdfImportOutcome> {
  const { lessonDir, output, signal } = request;
  request.onProgress({ phase: 'opening' });
  let opened: OpenedPdf;
  try {
    opened = await openPdf(request.pdf);
  } catch (error) {
    return {
      kind: 'failed',
      error: {
        code: 'invalid-request',
        message: `This file could not be read as a PDF: ${errorMessage(error)}`,
        hint: 'Export the slides as PDF again, or choose another file.',
      },
      pagesWritten: 0,
      dir: lessonDir,
    };
  }
  const { doc, pageCount } = opened;
  const { slideTexts } = request;
  if (slideTexts !== undefined && slideTexts.length !== pageCount) {
    await opened.close();
    return {
      kind: 'failed',
      error: {
        code: 'io-failed',
        message: `The deck has ${slideTexts.length} shown slides but its PDF has ${pageCount} pages, so the notes cannot be matched to the pages`,
        hint: 'Save the deck as PDF in PowerPoint and import the PDF (narration from the page text).',
      },
      pagesWritten: 0,
      dir: lessonDir,
    };
  }
  const pages: ImportedPage[] = [];
  const pageMs: number[] = [];
  const rasteriser = new PageRasteriser(output);
  const startedMs = performance.now();
  try {
    for (let number = 1; number <= pageCount; number += 1) {
      if (signal.aborted)
        return { kind: 'cancelled', pagesWritten: pages.length, pageCount, dir: lessonDir };
      request.onProgress({ phase: 'rendering', page: number, pageCount });
      const pageStartMs = performance.now();
      const page = await doc.getPage(number);
      const text = await pageTextRuns(page);
      const png = await rasteriser.png(page);
      page.cleanup();
      const written = await rapido.lesson.writeAsset({
        dir: lessonDir,
        path: pageImagePath(number, pageCount),
        bytes: new Uint8Array(await png.arrayBuffer()),
      });
      if (!written.ok) {
        return { kind: 'failed', error: written.error, pagesWritten: pages.length, dir: lessonDir };
      }
      pages.push({ image: written.value.path, lines: linesFromRuns(text.runs, text.height) });
      pageMs.push(performance.now() - pageStartMs);
      await yieldToBrowser();
    }
  } catch (error) {
    return {
      kind: 'failed',
      error: {
        code: 'internal',
        message: `Page ${pages.length + 1} could not be rendered: ${errorMessage(error)}`,
      },
      pagesWritten: pages.length,
      dir: lessonDir,
    };
  } finally {
    await opened.close();
  }
  if (signal.aborted)
    return { kind: 'cancelled', pagesWritten: pages.length, pageCount, dir: lessonDir };

  request.onProgress({ phase: 'saving', pageCount });
  let lesson: Lesson;
  try {
    lesson = lessonFromPages({
      lessonDir,
      title: request.title,
      output,
      pages,
      ...(slideTexts === undefined ? {} : { slideTexts }),
    });
  } catch (error) {
    return {
      kind: 'failed',
      error: { code: 'lesson-invalid', message: errorMessage(error) },
      pagesWritten: pages.length,
      dir: lessonDir,
    };
  }
  const saved = await rapido.lesson.save({ dir: lessonDir, lesson, create: true });
  if (!saved.ok)
    return { kind: 'failed', error: saved.error, pagesWritten: pages.length, dir: lessonDir };

  const totalMs = performance.now() - startedMs;
  const msPerPage = pageMs.reduce((sum, ms) => sum + ms, 0) / Math.max(1, pageMs.length);
  rapido.log.write({
    level: 'info',
    logger: 'import',
    message: `imported ${pageCount} PDF pages at ${output.width}x${output.height} into ${saved.value.dir}`,
    lessonId: saved.value.lesson.id,
    eventType: 'import_pdf',
    performance: {
      pages: pageCount,
      width: output.width,
      height: output.height,
      msPerPage: Math.round(msPerPage),
      maxMsPerPage: Math.round(Math.max(0, ...pageMs)),
      totalMs: Math.round(totalMs),
    },
  });
  return { kind: 'done', dir: saved.value.dir, lesson: saved.value.lesson, pageCount, msPerPage };
}
