import { rapido } from '../../bridge/rapido.ts';
import type { ImportJobInfo, ImportJobProgress } from '../../../shared/ipc/contract.ts';
import { errorMessage, formatError, type RapidoError } from '../../../shared/result.ts';
import { documentTitle, type SlideText } from '../import/lesson-from-pages.ts';
import type { ImportProgress } from '../import/pdf-import.ts';
import { loadPredecessorImporter } from './predecessor-importer.ts';

/** Errors that are the source's or the environment's fault: the command line exits 2 for them. */
const badInputCodes: ReadonlySet<string> = new Set(['invalid-request', 'not-available']);

function report(progress: ImportJobProgress): void {
  rapido.importJob.reportProgress(progress);
}

function failed(error: RapidoError): void {
  report({
    phase: 'failed',
    done: 0,
    total: 0,
    message: formatError(error),
    badInput: badInputCodes.has(error.code),
  });
}

function documentProgress(progress: ImportProgress): ImportJobProgress {
  switch (progress.phase) {
    case 'converting':
      return {
        phase: 'converting',
        done: 0,
        total: 0,
        message: `converting ${progress.fileName} to PDF with LibreOffice`,
      };
    case 'opening':
      return { phase: 'opening', done: 0, total: 0, message: 'opening the PDF' };
    case 'rendering':
      return {
        phase: 'rendering',
        done: progress.page - 1,
        total: progress.pageCount,
        message: `rendering page ${progress.page} of ${progress.pageCount}`,
      };
    case 'saving':
      return {
        phase: 'saving',
        done: progress.pageCount,
        total: progress.pageCount,
        message: 'saving the lesson',
      };
  }
}

/** "Narration from the speaker notes on 9 slides; from the slide's own text on 2 …". */
function narrationSources(
  slides: readonly { source: string }[],
  hidden: readonly number[],
): string {
  const count = (source: string) => slides.filter((slide) => slide.source === source).length;
  const parts = [`narration from the speaker notes on ${count('notes')} slides`];
  if (count('text') > 0) parts.push(`from the slide's own text on ${count('text')}`);
  if (count('none') > 0) parts.push(`none on ${count('none')} without notes or text`);
  const left = hidden.length > 0 ? `; hidden slides ${hidden.join(', ')} left out` : '';
  return `${parts.join('; ')}${left}`;
}

/** PDF, or PPTX converted to PDF by LibreOffice in main: every page into the new lesson. */
async function importDocument(job: ImportJobInfo): Promise<void> {
  const source = await rapido.importJob.readSource();
  if (!source.ok) {
    failed(source.error);
    return;
  }
  // A copy in this page's own memory (pdf.js and the PPTX channel take an ArrayBuffer's bytes).
  let pdf = new Uint8Array(source.value.bytes);
  let deck = null as null | { slides: { source: string }[]; hidden: number[] };
  let slideTexts: readonly SlideText[] | undefined;
  if (job.kind === 'pptx') {
    report(documentProgress({ phase: 'converting', fileName: job.fileName }));
    const converted = await rapido.lesson.convertPptx({ fileName: job.fileName, bytes: pdf });
    if (!converted.ok) {
      failed(converted.error);
      return;
    }
    pdf = converted.value.pdf;
    if (converted.value.deck) {
      deck = converted.value.deck;
      slideTexts = converted.value.deck.slides;
    }
  }
  const { importPdf } = await import('../import/pdf-import.ts');
  const outcome = await importPdf({
    pdf,
    lessonDir: job.lessonDir,
    title: job.title ?? documentTitle(undefined, job.fileName),
    output: job.output,
    signal: new AbortController().signal,
    onProgress: (progress) => report(documentProgress(progress)),
    ...(slideTexts === undefined ? {} : { slideTexts }),
  });
  if (outcome.kind === 'failed') {
    failed(outcome.error);
    return;
  }
  if (outcome.kind === 'cancelled') {
    failed({ code: 'cancelled', message: 'the import was cancelled' });
    return;
  }
  report({
    phase: 'done',
    done: outcome.pageCount,
    total: outcome.pageCount,
    message: `imported ${outcome.pageCount} pages (${Math.round(outcome.msPerPage)} ms per page)`,
    result: {
      dir: outcome.dir,
      slides: outcome.lesson.slides.length,
      notes: deck ? [narrationSources(deck.slides, deck.hidden)] : [],
      missing: [],
    },
  });
}

async function importPredecessor(job: ImportJobInfo): Promise<void> {
  const importer = await loadPredecessorImporter();
  if (!importer) {
    failed({
      code: 'not-available',
      message: 'This build has no importer for the predecessor (Rapido Python) data',
    });
    return;
  }
  const imported = await importer({
    api: rapido,
    file: job.file,
    lessonDir: job.lessonDir,
    options: {
      keepRecordedNarration: job.keepRecordedNarration,
      ...(job.imagesDir === null ? {} : { imagesDir: job.imagesDir }),
      output: job.output,
    },
    onProgress: (p) => report({ phase: p.phase, done: p.done, total: p.total, message: p.message }),
  });
  if (!imported.ok) {
    failed(imported.error);
    return;
  }
  const { dir, lesson, notes, missing } = imported.value;
  report({
    phase: 'done',
    done: lesson.slides.length,
    total: lesson.slides.length,
    message: `imported ${lesson.slides.length} slides`,
    result: { dir, slides: lesson.slides.length, notes, missing },
  });
}

/**
 * The headless `import` command's job, run by the same renderer code as the import dialog: the
 * source named on the command line into a new lesson folder, with progress for the terminal.
 * Nothing opens in the editor; the command line ends when 'done' or 'failed' arrives.
 */
export async function startImportJob(job: ImportJobInfo): Promise<void> {
  try {
    await (job.kind === 'predecessor' ? importPredecessor(job) : importDocument(job));
  } catch (error) {
    report({ phase: 'failed', done: 0, total: 0, message: errorMessage(error) });
  }
}
