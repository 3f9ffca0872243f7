import { rapido } from '../../bridge/rapido.ts';
import { useAppStore } from '../../store/app-store.ts';
import { formatBytes } from '../../../shared/format-units.ts';
import { ExportSection } from './export-section.tsx';
import { folderTitle } from './recording-folder.ts';

export function RecordingPanel() {
  const launch = useAppStore((s) => s.launch);
  const recordingDir = useAppStore((s) => s.recordingDir);
  const setRecordingDir = useAppStore((s) => s.setRecordingDir);
  const playback = useAppStore((s) => s.playback);
  const lastSaved = useAppStore((s) => s.lastSaved);
  const pushError = useAppStore((s) => s.pushError);
  const active = playback.recorderState !== 'idle' || playback.exporting !== null;

  async function choose() {
    const picked = await rapido.recording.chooseFolder();
    if (!picked.ok) pushError(picked.error);
    else if (picked.value.dir) setRecordingDir(picked.value.dir);
  }

  return (
    <section className="panel" aria-label="Recording">
      <h2>Recording and export</h2>
      <label className="field">
        <span>Folder</span>
        <div className="field-row">
          <input
            value={recordingDir}
            readOnly
            title={folderTitle(launch?.canPickFolders ?? false)}
            spellCheck={false}
            aria-label="Recording folder"
          />
          {launch?.canPickFolders ? (
            <button type="button" onClick={() => void choose()} disabled={active}>
              Choose…
            </button>
          ) : null}
        </div>
      </label>
      <p className="hint">
        Record: MP4 (H.264 + Opus) in real time, written to disk while it records. Export: every
        frame at the lesson&apos;s size, faster than real time, with chapters and captions.
      </p>
      <ExportSection />
      {playback.recorderState !== 'idle' && playback.recording ? (
        <p className="recording-live" data-testid="recording-status">
          <span className="rec-dot" aria-hidden="true" />{' '}
          {playback.recorderState === 'paused' ? 'Paused' : 'Recording'} to{' '}
          <code>{playback.recording.path}</code> ({formatBytes(playback.recording.bytesWritten)})
        </p>
      ) : null}
      {!active && lastSaved ? (
        <div className="recording-saved" data-testid="recording-saved">
          <p>
            Saved <code>{lastSaved.path}</code> ({formatBytes(lastSaved.bytesWritten)})
          </p>
          {launch?.host === 'desktop' ? (
            <button type="button" onClick={() => void rapido.shell.showFile(lastSaved.path)}>
              Show in folder
            </button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
