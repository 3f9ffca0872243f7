import { useState } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import type { LoadedLessonInfo } from '../../../shared/ipc/contract.ts';
import type { RapidoError, Result } from '../../../shared/result.ts';
import { errorMessage } from '../../../shared/result.ts';
import { useAppStore } from '../../store/app-store.ts';
import { FolderField, ImportError, openImportedLesson } from './import-shared.tsx';
import { useProgram } from '../program/use-program.tsx';

interface PanelProps {
  onBusyChange: (busy: boolean) => void;
  onClose: () => void;
}

/**
 * Runs a main-side importer, opens what it made and closes the dialog; a refusal stays in the
 * dialog beside the fields it is about.
 */
function useMainImport(props: PanelProps) {
  const { engine } = useProgram();
  const [error, setError] = useState<RapidoError | null>(null);
  const [busy, setBusy] = useState(false);
  async function run(
    request: () => Promise<Result<LoadedLessonInfo>>,
    describe: (n: number) => string,
  ) {
    setError(null);
    setBusy(true);
    props.onBusyChange(true);
    try {
      const imported = await request();
      if (!imported.ok) {
        setError(imported.error);
        return;
      }
      await openImportedLesson(
        engine,
        imported.value,
        `${describe(imported.value.lesson.slides.length)} into ${imported.value.dir}`,
      );
      props.onClose();
    } catch (thrown) {
      setError({ code: 'internal', message: errorMessage(thrown) });
    } finally {
      setBusy(false);
      props.onBusyChange(false);
    }
  }
  return { error, busy, run };
}

function Actions(props: { busy: boolean; canStart: boolean; onClose: () => void }) {
  return (
    <div className="popover-actions">
      <button type="button" onClick={props.onClose} disabled={props.busy}>
        Close
      </button>
      <button type="submit" className="primary" disabled={!props.canStart || props.busy}>
        {props.busy ? 'Importing…' : 'Import'}
      </button>
    </div>
  );
}

/** The predecessor's SLIDE_FRAMES_PATH workflow: slide images plus a narration script. */
export function ImagesImportPanel(props: PanelProps) {
  const launch = useAppStore((s) => s.launch);
  const [imagesDir, setImagesDir] = useState(launch?.slideFramesPath ?? '');
  const [scriptPath, setScriptPath] = useState('');
  const [targetDir, setTargetDir] = useState('');
  const { error, busy, run } = useMainImport(props);
  const canStart = imagesDir.trim().length > 0;
  return (
    <form
      className="import-form"
      aria-label="Import slide images"
      onSubmit={(e) => {
        e.preventDefault();
        if (!canStart) return;
        void run(
          () =>
            rapido.lesson.importImages({
              imagesDir: imagesDir.trim(),
              ...(scriptPath.trim() ? { scriptPath: scriptPath.trim() } : {}),
              ...(targetDir.trim() ? { lessonDir: targetDir.trim() } : {}),
            }),
          (n) => `Imported ${n} slides`,
        );
      }}
    >
      <p className="hint">
        A folder of slide images (sorted by name) and a text file with one narration paragraph per
        slide, separated by blank lines.
      </p>
      <FolderField
        label="Slide images folder"
        value={imagesDir}
        onChange={setImagesDir}
        pickerTitle="Folder of slide images"
        placeholder="/path/to/slides"
        disabled={busy}
      />
      <FolderField
        label="Script file"
        hint="Optional: script.txt, narration.txt or the only .txt in the images folder is used."
        value={scriptPath}
        onChange={setScriptPath}
        pickerTitle="Script file"
        placeholder="/path/to/script.txt"
        disabled={busy}
        file
      />
      <FolderField
        label="Save the new lesson in"
        hint="Optional: by default lesson.json is written beside the images."
        value={targetDir}
        onChange={setTargetDir}
        pickerTitle="Folder for the new lesson"
        placeholder="a new folder"
        disabled={busy}
      />
      {error ? <ImportError error={error} /> : null}
      <Actions busy={busy} canStart={canStart} onClose={props.onClose} />
    </form>
  );
}
