import { useId } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import { useAppStore, type AppStore } from '../../store/app-store.ts';
import { folderTitle } from '../inspector/recording-folder.ts';

/** The folder recordings and exports go to (remembered between runs by the store). */

function selectBusy(s: AppStore): boolean {
  return s.playback.recorderState !== 'idle' || s.playback.exporting !== null;
}

export function RecordingSection() {
  const canPickFolders = useAppStore((s) => s.launch?.canPickFolders ?? false);
  const recordingDir = useAppStore((s) => s.recordingDir);
  const setRecordingDir = useAppStore((s) => s.setRecordingDir);
  const pushError = useAppStore((s) => s.pushError);
  const busy = useAppStore(selectBusy);
  const id = useId();
  const busyTitle = busy ? 'Stop the recording or export to change the folder.' : undefined;

  async function choose(): Promise<void> {
    const picked = await rapido.recording.chooseFolder();
    if (!picked.ok) pushError(picked.error);
    else if (picked.value.dir) setRecordingDir(picked.value.dir);
  }

  return (
    <div className="settings-form">
      <div className="field">
        <label htmlFor={id}>Recording folder</label>
        <div className="field-row">
          <input
            id={id}
            value={recordingDir}
            readOnly
            title={busyTitle ?? folderTitle(canPickFolders)}
            spellCheck={false}
          />
          {canPickFolders ? (
            <button type="button" onClick={() => void choose()} disabled={busy} title={busyTitle}>
              Choose…
            </button>
          ) : null}
        </div>
      </div>
      <p className="hint">
        Recordings and exports are written here as{' '}
        <code>&lt;lesson title&gt;_&lt;date&gt;_&lt;time&gt;.mp4</code> (never replacing a file),
        with their captions beside them.
      </p>
    </div>
  );
}
