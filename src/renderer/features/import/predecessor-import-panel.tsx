import { useEffect, useRef, useState, type RefObject } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import type { PredecessorPlan } from '../../../shared/lesson/predecessor-import.ts';
import { errorMessage, type RapidoError } from '../../../shared/result.ts';
import { useProgram } from '../program/use-program.tsx';
import {
  FolderField,
  ImportError,
  OutputSizeChoice,
  openImportedLesson,
} from './import-shared.tsx';
import { importFps, importOutputSizes } from './lesson-from-pages.ts';
import {
  importPredecessorLesson,
  type PredecessorImportDone,
  type PredecessorImportProgress,
} from './predecessor/import-predecessor.ts';
import { predecessorChannels } from './predecessor/predecessor-channels.ts';
import { planSummary, plural } from './predecessor/plan-summary.ts';

type RunState =
  | { phase: 'idle' }
  | { phase: 'running'; progress: PredecessorImportProgress }
  | { phase: 'done'; done: PredecessorImportDone }
  | { phase: 'cancelled' }
  | { phase: 'failed'; error: RapidoError };

type Preview =
  | { state: 'none' }
  | { state: 'reading' }
  | { state: 'read'; file: string; plan: PredecessorPlan }
  | { state: 'failed'; error: RapidoError };

const fontPrefix = 'Font substituted: ';

function ImportSummary({ done }: { done: PredecessorImportDone }) {
  const fonts = done.notes
    .filter((n) => n.startsWith(fontPrefix))
    .map((n) => n.slice(fontPrefix.length));
  const notes = done.notes.filter((n) => !n.startsWith(fontPrefix));
  const recorded = done.lesson.slides.filter((s) => s.recordedNarration !== undefined).length;
  return (
    <div className="import-message done" role="status" data-testid="import-done">
      <strong className="import-message-heading">
        Imported {plural(done.lesson.slides.length, 'slide')}
      </strong>
      <p>
        The lesson “{done.lesson.title}” is open, saved in <code>{done.dir}</code>.
        {recorded === 0
          ? ''
          : recorded === 1
            ? ' 1 slide keeps its recorded narration.'
            : ` ${recorded} slides keep their recorded narration.`}
      </p>
      {notes.length > 0 ? (
        <section className="import-summary-section" data-testid="import-notes">
          <h3>Notes</h3>
          <ul>
            {notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </section>
      ) : null}
      {fonts.length > 0 ? (
        <section className="import-summary-section" data-testid="import-fonts">
          <h3>Fonts substituted</h3>
          <ul>
            {fonts.map((font) => (
              <li key={font}>{font}</li>
            ))}
          </ul>
        </section>
      ) : null}
      {done.missing.length > 0 ? (
        <section className="import-summary-section warning" data-testid="import-missing">
          <h3>Missing ({done.missing.length})</h3>
          <p className="import-message-hint">
            Shown as hatched “image missing” boxes on the slides (recordings: the slide is
            synthesised). Replace the slide images in the lesson’s slides folder, or import again
            when the files can be reached.
          </p>
          <ul>
            {done.missing.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

function RunStatus({ run }: { run: RunState }) {
  if (run.phase === 'idle') return null;
  if (run.phase === 'running') {
    const { progress } = run;
    const measured = progress.phase === 'fetching' || progress.phase === 'drawing';
    return (
      <div className="import-progress" data-testid="import-progress">
        {measured && progress.total > 0 ? (
          <progress max={progress.total} value={progress.done} aria-label="Import progress" />
        ) : (
          <progress aria-label="Import progress" />
        )}
        <span role="status" aria-live="polite">
          {progress.message}
        </span>
      </div>
    );
  }
  if (run.phase === 'done') return <ImportSummary done={run.done} />;
  if (run.phase === 'cancelled') {
    return (
      <div className="import-message cancelled" role="status" data-testid="import-cancelled">
        <strong className="import-message-heading">Import cancelled</strong>
        <p>
          No lesson was created. Files already fetched or drawn stay in the lesson folder: import
          into it again, or delete it.
        </p>
      </div>
    );
  }
  return <ImportError error={run.error} heading="The import failed" />;
}

/** Cancel while running; Close and Import otherwise (no Import once the lesson is open). */
function PanelActions(props: {
  running: boolean;
  cancelling: boolean;
  canStart: boolean;
  done: boolean;
  closeRef: RefObject<HTMLButtonElement | null>;
  onCancel: () => void;
  onClose: () => void;
}) {
  return (
    <div className="popover-actions">
      {props.running ? (
        <button type="button" onClick={props.onCancel} disabled={props.cancelling}>
          {props.cancelling ? 'Cancelling…' : 'Cancel import'}
        </button>
      ) : (
        <>
          <button type="button" ref={props.closeRef} onClick={props.onClose}>
            Close
          </button>
          {props.done ? null : (
            <button type="submit" className="primary" disabled={!props.canStart}>
              Import
            </button>
          )}
        </>
      )}
    </div>
  );
}

/**
 * The previous Rapido's (Python) data, either form: a video-job document is drawn slide by slide
 * from its objects (pictures fetched by main, with progress), parsed slide data becomes title
 * cards unless a pictures folder supplies the slides. Reading the file first shows what it holds
 * and offers to keep its recorded narration.
 */
export function PredecessorImportPanel(props: {
  onBusyChange: (busy: boolean) => void;
  cancelRef: RefObject<(() => void) | null>;
  onClose: () => void;
}) {
  const { engine } = useProgram();
  const [file, setFile] = useState('');
  const [imagesDir, setImagesDir] = useState('');
  const [lessonDir, setLessonDir] = useState('');
  const [sizeIndex, setSizeIndex] = useState(0);
  const [keepRecorded, setKeepRecorded] = useState(true);
  const [preview, setPreview] = useState<Preview>({ state: 'none' });
  const [run, setRun] = useState<RunState>({ phase: 'idle' });
  const [cancelling, setCancelling] = useState(false);
  const abortRef = useRef<AbortController | null>(null);
  const closeRef = useRef<HTMLButtonElement | null>(null);

  useEffect(() => () => abortRef.current?.abort(), []);
  useEffect(() => {
    if (run.phase === 'done' || run.phase === 'failed' || run.phase === 'cancelled') {
      closeRef.current?.focus();
    }
  }, [run.phase]);

  const running = run.phase === 'running';
  const output = importOutputSizes[sizeIndex] ?? importOutputSizes[0];
  const trimmedFile = file.trim();
  const plan = preview.state === 'read' && preview.file === trimmedFile ? preview.plan : null;
  const recordings = plan ? plan.slides.filter((s) => s.recorded !== null).length : 0;

  async function readFile() {
    setPreview({ state: 'reading' });
    const read = await predecessorChannels(rapido).readPredecessor({
      file: trimmedFile,
      ...(imagesDir.trim() ? { imagesDir: imagesDir.trim() } : {}),
    });
    setPreview(
      read.ok
        ? { state: 'read', file: trimmedFile, plan: read.value }
        : { state: 'failed', error: read.error },
    );
  }

  function cancel() {
    abortRef.current?.abort();
    setCancelling(true);
  }

  async function start() {
    const controller = new AbortController();
    abortRef.current = controller;
    setCancelling(false);
    props.cancelRef.current = cancel;
    props.onBusyChange(true);
    setRun({
      phase: 'running',
      progress: { phase: 'reading', done: 0, total: 1, message: 'Reading the file…' },
    });
    try {
      const imported = await importPredecessorLesson({
        api: rapido,
        file: trimmedFile,
        lessonDir: lessonDir.trim(),
        options: {
          // Without a look inside yet, recordings are kept: the import reads the file anyway.
          keepRecordedNarration: plan === null || recordings === 0 ? true : keepRecorded,
          ...(imagesDir.trim() ? { imagesDir: imagesDir.trim() } : {}),
          output: { width: output.width, height: output.height, fps: importFps },
        },
        onProgress: (progress) => setRun({ phase: 'running', progress }),
        signal: controller.signal,
      });
      if (!imported.ok) {
        setRun(
          imported.error.code === 'cancelled'
            ? { phase: 'cancelled' }
            : { phase: 'failed', error: imported.error },
        );
        return;
      }
      await openImportedLesson(
        engine,
        { dir: imported.value.dir, lesson: imported.value.lesson },
        `Imported ${plural(imported.value.lesson.slides.length, 'slide')} from Rapido (Python) data into ${imported.value.dir}`,
      );
      setRun({ phase: 'done', done: imported.value });
    } catch (error) {
      setRun({ phase: 'failed', error: { code: 'internal', message: errorMessage(error) } });
    } finally {
      abortRef.current = null;
      props.cancelRef.current = null;
      props.onBusyChange(false);
    }
  }

  const canStart = trimmedFile.length > 0 && lessonDir.trim().length > 0 && !running;
  return (
    <form
      className="import-form"
      aria-label="Import Rapido (Python) data"
      onSubmit={(e) => {
        e.preventDefault();
        if (canStart) void start();
      }}
    >
      <p className="hint">
        A lesson from the previous Rapido (Python): a video-job document (
        <code>slideData/…json</code>) is drawn slide by slide from its objects; parsed slide data (
        <code>parsed_slideData/…json</code>) brings narration and presenter placement, with title
        cards unless you give its slide pictures.
      </p>
      <FolderField
        label="Rapido data file (.json)"
        value={file}
        onChange={setFile}
        pickerTitle="Rapido data file"
        placeholder="/path/to/slideData/job.json"
        disabled={running}
        file
      />
      <div className="import-preview">
        <button
          type="button"
          onClick={() => void readFile()}
          disabled={running || trimmedFile.length === 0 || preview.state === 'reading'}
        >
          {preview.state === 'reading' ? 'Reading…' : 'Look inside'}
        </button>
        {plan ? (
          <span className="import-field-hint" data-testid="predecessor-preview">
            {planSummary(plan)}
          </span>
        ) : null}
      </div>
      {preview.state === 'failed' ? (
        <ImportError error={preview.error} heading="The file cannot be imported" />
      ) : null}
      {plan && recordings > 0 ? (
        <label className="import-radio">
          <input
            type="checkbox"
            checked={keepRecorded}
            disabled={running}
            onChange={(e) => setKeepRecorded(e.target.checked)}
          />
          Keep the recorded narration ({plural(recordings, 'slide')}, with word timings) instead of
          synthesising it
        </label>
      ) : null}
      <FolderField
        label="Slide pictures folder"
        hint="Optional, for parsed slide data: pictures named by position or slide id; else SLIDE_FRAMES_PATH."
        value={imagesDir}
        onChange={setImagesDir}
        pickerTitle="Folder of slide pictures"
        placeholder="/path/to/frames"
        disabled={running}
      />
      <FolderField
        label="New lesson folder"
        hint="Fetched pictures go to its sources/ folder, drawn slides to slides/; lesson.json is written last."
        value={lessonDir}
        onChange={setLessonDir}
        pickerTitle="Folder for the new lesson"
        placeholder="/path/to/new-lesson"
        disabled={running}
      />
      <OutputSizeChoice sizeIndex={sizeIndex} onChange={setSizeIndex} disabled={running} />

      <RunStatus run={run} />

      <PanelActions
        running={running}
        cancelling={cancelling}
        canStart={canStart}
        done={run.phase === 'done'}
        closeRef={closeRef}
        onCancel={cancel}
        onClose={props.onClose}
      />
    </form>
  );
}
