import { useEffect, useId, useRef, useState, type RefObject } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import { errorMessage, type RapidoError } from '../../../shared/result.ts';
import type { InvokeResponse } from '../../../shared/ipc/contract.ts';
import {
  FolderField,
  ImportError,
  OutputSizeChoice,
  openImportedLesson,
} from './import-shared.tsx';
import { documentTitle, importFps, importOutputSizes } from './lesson-from-pages.ts';
import type { ImportProgress, PdfImportOutcome } from './pdf-import.ts';
import { useProgram } from '../program/use-program.tsx';
import type { ProgramEngine } from '../../engine/program-engine.ts';

/** pdf.js is large and seldom needed: loaded the first time a document is chosen. */
const loadPdfImport = () => import('./pdf-import.ts');

const pptxMimeType = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

export const documentAccept = {
  pdf: '.pdf,.pptx,application/pdf',
  pptx: `.pptx,${pptxMimeType},.pdf,application/pdf`,
} as const;

function isPptx(file: File): boolean {
  return file.type === pptxMimeType || /\.pptx$/iu.test(file.name);
}

/** What the chosen file turned out to be, read before the import so the title can default. */
type ConvertedDeck = NonNullable<
  Extract<InvokeResponse<'lesson:convert-pptx'>, { ok: true }>['value']['deck']
>;

type FileInfo =
  { kind: 'pdf'; pageCount: number } | { kind: 'pptx' } | { kind: 'unreadable'; message: string };

type RunState =
  | { phase: 'idle' }
  | { phase: 'running'; progress: ImportProgress }
  | { phase: 'finished'; outcome: PdfImportOutcome; deck?: DeckSummary }
  | { phase: 'conversion-failed'; error: RapidoError };

/** Where a PowerPoint deck's narration came from, said when the import is done. */
interface DeckSummary {
  notes: number;
  text: number;
  none: number;
  hidden: readonly number[];
}

function deckSummaryText(deck: DeckSummary): string {
  const slides = (count: number) => `${count} ${count === 1 ? 'slide' : 'slides'}`;
  const parts = [`Narration from the speaker notes on ${slides(deck.notes)}`];
  if (deck.text > 0) parts.push(`from the slide’s own text on ${slides(deck.text)} without notes`);
  if (deck.none > 0) parts.push(`none on ${slides(deck.none)} without notes or text`);
  const hidden =
    deck.hidden.length === 0
      ? ''
      : ` Hidden ${deck.hidden.length === 1 ? 'slide' : 'slides'} ${deck.hidden.join(', ')} left out, as in a slide show.`;
  return `${parts.join('; ')}.${hidden}`;
}

function progressText(progress: ImportProgress): string {
  switch (progress.phase) {
    case 'converting':
      return `Converting ${progress.fileName} to PDF with LibreOffice…`;
    case 'opening':
      return 'Opening the PDF…';
    case 'rendering':
      return `Rendering page ${progress.page} of ${progress.pageCount}`;
    case 'saving':
      return `Saving the lesson (${progress.pageCount} slides)…`;
  }
}

/**
 * PDF (and PPTX, converted to PDF by LibreOffice in main) to a new lesson: every page rendered at
 * the output size into the new folder, the page's text as its narration.
 */
export function DocumentImportPanel(props: {
  source: 'pdf' | 'pptx';
  onBusyChange: (busy: boolean) => void;
  /** Set while an import runs: how the dialog cancels it (Escape). */
  cancelRef: RefObject<(() => void) | null>;
  onClose: () => void;
}) {
  const { engine } = useProgram();
  const { source, onBusyChange } = props;
  const [file, setFile] = useState<File | null>(null);
  const [fileInfo, setFileInfo] = useState<FileInfo | null>(null);
  const [lessonDir, setLessonDir] = useState('');
  const [title, setTitle] = useState('');
  const [titleEdited, setTitleEdited] = useState(false);
  const [sizeIndex, setSizeIndex] = useState(0);
  const [run, setRun] = useState<RunState>({ phase: 'idle' });
  const [cancelling, setCancelling] = useState(false);
  const abortRef = useRef<AbortController | null>(null);
  const closeRef = useRef<HTMLButtonElement | null>(null);
  const chooseSeq = useRef(0);
  const fileId = useId();
  const titleId = useId();

  // Closing the dialog mid-import stops it after the current page.
  useEffect(() => () => abortRef.current?.abort(), []);
  useEffect(() => {
    if (run.phase === 'finished' || run.phase === 'conversion-failed') closeRef.current?.focus();
  }, [run.phase]);

  const running = run.phase === 'running';
  const output = importOutputSizes[sizeIndex] ?? importOutputSizes[0];

  async function chooseFile(chosen: File | null) {
    // A file chosen while the previous one is still being read wins.
    const seq = (chooseSeq.current += 1);
    setFile(chosen);
    setFileInfo(null);
    setRun({ phase: 'idle' });
    if (!chosen) return;
    if (isPptx(chosen)) {
      setFileInfo({ kind: 'pptx' });
      if (!titleEdited) setTitle(documentTitle(undefined, chosen.name));
      return;
    }
    try {
      const { openPdf } = await loadPdfImport();
      const opened = await openPdf(new Uint8Array(await chosen.arrayBuffer()));
      const pageCount = opened.pageCount;
      const metadataTitle = opened.metadataTitle;
      await opened.close();
      if (seq !== chooseSeq.current) return;
      setFileInfo({ kind: 'pdf', pageCount });
      if (!titleEdited) setTitle(documentTitle(metadataTitle, chosen.name));
    } catch (error) {
      if (seq !== chooseSeq.current) return;
      setFileInfo({ kind: 'unreadable', message: errorMessage(error) });
      if (!titleEdited) setTitle(documentTitle(undefined, chosen.name));
    }
  }

  function cancel() {
    abortRef.current?.abort();
    setCancelling(true);
  }

  async function start() {
    if (!file) return;
    const controller = new AbortController();
    abortRef.current = controller;
    setCancelling(false);
    props.cancelRef.current = cancel;
    onBusyChange(true);
    const dir = lessonDir.trim();
    const setProgress = (progress: ImportProgress) => setRun({ phase: 'running', progress });
    try {
      setRun(
        await importDocument({
          engine,
          file,
          dir,
          title,
          output,
          signal: controller.signal,
          onProgress: setProgress,
        }),
      );
    } catch (error) {
      setRun({
        phase: 'finished',
        outcome: {
          kind: 'failed',
          error: { code: 'internal', message: errorMessage(error) },
          pagesWritten: 0,
          dir,
        },
      });
    } finally {
      abortRef.current = null;
      props.cancelRef.current = null;
      onBusyChange(false);
    }
  }

  const canStart = file !== null && lessonDir.trim().length > 0 && !running;
  const fileLabel = source === 'pdf' ? 'PDF file' : 'PowerPoint file (.pptx)';

  return (
    <form
      className="import-form"
      aria-label={source === 'pdf' ? 'Import a PDF' : 'Import a PowerPoint file'}
      onSubmit={(e) => {
        e.preventDefault();
        if (canStart) void start();
      }}
    >
      <p className="hint">
        {source === 'pdf'
          ? 'Each page becomes a slide image at the output size; its text becomes the narration, for you to edit.'
          : 'The presentation is converted to PDF with LibreOffice (which must be installed on this computer), then each slide becomes an image; its speaker notes become the narration (its text when it has none).'}
      </p>
      <div className="field">
        <label htmlFor={fileId}>{fileLabel}</label>
        <input
          id={fileId}
          type="file"
          accept={documentAccept[source]}
          disabled={running}
          onChange={(e) => void chooseFile(e.target.files?.[0] ?? null)}
        />
        {fileInfo ? (
          <span className="import-field-hint" data-testid="import-file-info">
            {fileInfo.kind === 'pdf'
              ? `${fileInfo.pageCount} ${fileInfo.pageCount === 1 ? 'page' : 'pages'}`
              : fileInfo.kind === 'pptx'
                ? 'PowerPoint: converted to PDF with LibreOffice when you import'
                : `Not readable as a PDF: ${fileInfo.message}`}
          </span>
        ) : null}
      </div>
      <FolderField
        label="New lesson folder"
        hint="Slide images go to its slides/ folder; lesson.json is written once every page is done."
        value={lessonDir}
        onChange={setLessonDir}
        pickerTitle="Folder for the new lesson"
        placeholder="/path/to/new-lesson"
        disabled={running}
      />
      <div className="field">
        <label htmlFor={titleId}>Title</label>
        <input
          id={titleId}
          value={title}
          onChange={(e) => {
            setTitle(e.target.value);
            setTitleEdited(true);
          }}
          placeholder="the document's title"
          disabled={running}
        />
      </div>
      <OutputSizeChoice sizeIndex={sizeIndex} onChange={setSizeIndex} disabled={running} />

      <RunStatus run={run} />

      <div className="popover-actions">
        {running ? (
          <button type="button" onClick={cancel} disabled={cancelling}>
            {cancelling ? 'Cancelling after this page…' : 'Cancel import'}
          </button>
        ) : (
          <>
            <button type="button" ref={closeRef} onClick={props.onClose}>
              Close
            </button>
            {/* Done: the lesson is open. Choosing another file starts over. */}
            {run.phase === 'finished' && run.outcome.kind === 'done' ? null : (
              <button type="submit" className="primary" disabled={!canStart}>
                Import
              </button>
            )}
          </>
        )}
      </div>
    </form>
  );
}

/**
 * One document import: a PPTX is converted to PDF in main first; every page is rendered into the
 * new lesson's folder, and the lesson is opened when it is complete.
 */
async function importDocument(request: {
  engine: ProgramEngine;
  file: File;
  dir: string;
  title: string;
  output: { width: number; height: number };
  signal: AbortSignal;
  onProgress: (progress: ImportProgress) => void;
}): Promise<RunState> {
  const { engine, file, dir, title, output, signal, onProgress } = request;
  let pdf: Uint8Array;
  let deck: ConvertedDeck | null = null;
  if (isPptx(file)) {
    onProgress({ phase: 'converting', fileName: file.name });
    const converted = await rapido.lesson.convertPptx({
      fileName: file.name,
      bytes: new Uint8Array(await file.arrayBuffer()),
    });
    if (!converted.ok) return { phase: 'conversion-failed', error: converted.error };
    if (signal.aborted) {
      return {
        phase: 'finished',
        outcome: { kind: 'cancelled', pagesWritten: 0, pageCount: 0, dir },
      };
    }
    pdf = converted.value.pdf;
    deck = converted.value.deck;
  } else {
    pdf = new Uint8Array(await file.arrayBuffer());
  }
  const { importPdf } = await loadPdfImport();
  const outcome = await importPdf({
    pdf,
    lessonDir: dir,
    title: title.trim() || documentTitle(undefined, file.name),
    output: { width: output.width, height: output.height, fps: importFps },
    signal,
    onProgress,
    ...(deck === null ? {} : { slideTexts: deck.slides }),
  });
  if (outcome.kind === 'done') {
    await openImportedLesson(
      engine,
      { dir: outcome.dir, lesson: outcome.lesson },
      `Imported ${outcome.pageCount} pages from ${file.name} into ${outcome.dir}`,
    );
  }
  if (deck === null) return { phase: 'finished', outcome };
  const count = (source: string) => deck.slides.filter((slide) => slide.source === source).length;
  return {
    phase: 'finished',
    outcome,
    deck: { notes: count('notes'), text: count('text'), none: count('none'), hidden: deck.hidden },
  };
}

function RunStatus({ run }: { run: RunState }) {
  if (run.phase === 'idle') return null;
  if (run.phase === 'running') {
    const { progress } = run;
    const text = progressText(progress);
    return (
      <div className="import-progress" data-testid="import-progress">
        {progress.phase === 'rendering' || progress.phase === 'saving' ? (
          <progress
            max={progress.pageCount}
            value={progress.phase === 'rendering' ? progress.page - 1 : progress.pageCount}
            aria-label="Import progress"
          />
        ) : (
          <progress aria-label="Import progress" />
        )}
        <span role="status" aria-live="polite">
          {text}
        </span>
      </div>
    );
  }
  if (run.phase === 'conversion-failed') {
    // Main says what is missing and how to get it; the heading only adds what main left out.
    const needsLibreOffice = run.error.code === 'not-available';
    const saysLibreOffice = /libreoffice/iu.test(run.error.message);
    return (
      <ImportError
        error={run.error}
        heading={
          needsLibreOffice && !saysLibreOffice
            ? 'PowerPoint import needs LibreOffice'
            : 'The PowerPoint file could not be converted'
        }
      >
        {run.error.hint ? null : (
          <p className="import-message-hint">
            Export the presentation as PDF from PowerPoint, Keynote or Google Slides and import that
            PDF on the PDF tab.
          </p>
        )}
      </ImportError>
    );
  }
  const { outcome } = run;
  if (outcome.kind === 'done') {
    return (
      <div className="import-message done" role="status" data-testid="import-done">
        <strong className="import-message-heading">
          Imported {outcome.pageCount} {outcome.pageCount === 1 ? 'page' : 'pages'}
        </strong>
        {run.deck ? (
          <p>
            The lesson “{outcome.lesson.title}” is open, saved in <code>{outcome.dir}</code>.{' '}
            <span data-testid="import-deck-summary">{deckSummaryText(run.deck)}</span>
          </p>
        ) : (
          <p>
            The lesson “{outcome.lesson.title}” is open, saved in <code>{outcome.dir}</code>. Each
            slide’s narration is its page’s text: edit it before you present.
          </p>
        )}
        <p className="import-message-hint">{Math.round(outcome.msPerPage)} ms per page.</p>
      </div>
    );
  }
  const slidesDir = `${outcome.dir}/slides`;
  const kept =
    outcome.pagesWritten === 0
      ? 'Nothing was written.'
      : outcome.pagesWritten === 1
        ? `The page image already written remains in ${slidesDir}: delete it, or import into another folder.`
        : `The ${outcome.pagesWritten} page images already written remain in ${slidesDir}: delete them, or import into another folder.`;
  if (outcome.kind === 'cancelled') {
    return (
      <div className="import-message cancelled" role="status" data-testid="import-cancelled">
        <strong className="import-message-heading">Import cancelled</strong>
        <p>
          {outcome.pageCount > 0
            ? `Stopped after ${outcome.pagesWritten} of ${outcome.pageCount} pages. `
            : ''}
          No lesson was created. {kept}
        </p>
      </div>
    );
  }
  return (
    <ImportError error={outcome.error} heading="The import failed">
      <p className="import-message-hint">No lesson was created. {kept}</p>
    </ImportError>
  );
}
