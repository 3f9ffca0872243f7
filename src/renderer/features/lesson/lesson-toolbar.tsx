import { useEffect, useState } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import { useAppStore, type SaveState } from '../../store/app-store.ts';
import type { RecentLessonInfo } from '../../../shared/ipc/contract.ts';
import { saveLessonNow } from '../editor/lesson-sync.ts';
import { ImportDialog } from '../import/import-dialog.tsx';
import { createLessonInto, openLessonInto } from './open-lesson.ts';
import { useProgram } from '../program/use-program.tsx';

type Panel = 'none' | 'open' | 'new' | 'import';
export type AppMode = 'edit' | 'present';

function saveLabel(state: SaveState): string {
  switch (state.phase) {
    case 'saved':
      return state.savedAtMs === null ? 'Saved' : 'All changes saved';
    case 'saving':
      return 'Saving…';
    case 'unsaved':
      return 'Unsaved changes';
    case 'failed':
      return 'Not saved';
  }
}

export function LessonToolbar(props: {
  mode: AppMode;
  onMode: (mode: AppMode) => void;
  onSettings: () => void;
  metricsOpen: boolean;
  onMetrics: () => void;
  onHelp: () => void;
}) {
  const { engine } = useProgram();
  const lesson = useAppStore((s) => s.lesson);
  const lessonDir = useAppStore((s) => s.lessonDir);
  const launch = useAppStore((s) => s.launch);
  const saveState = useAppStore((s) => s.saveState);
  const undoLabel = useAppStore((s) => s.past[s.past.length - 1]?.label ?? null);
  const redoLabel = useAppStore((s) => s.future[0]?.label ?? null);
  const pushError = useAppStore((s) => s.pushError);
  const [panel, setPanel] = useState<Panel>('none');
  const [openPath, setOpenPath] = useState('');
  const [newDir, setNewDir] = useState('');
  const [newTitle, setNewTitle] = useState('');
  const [recent, setRecent] = useState<RecentLessonInfo[]>([]);

  useEffect(() => {
    if (panel !== 'open') return;
    let live = true;
    void rapido.lesson.recent().then((answer) => {
      if (live && answer.ok) setRecent(answer.value.lessons);
    });
    return () => {
      live = false;
    };
  }, [panel]);

  async function pick(title: string, set: (dir: string) => void) {
    const picked = await rapido.lesson.chooseFolder(title);
    if (!picked.ok) pushError(picked.error);
    else if (picked.value.dir) set(picked.value.dir);
  }

  async function open(dir: string) {
    if (await openLessonInto(engine, dir.trim())) setPanel('none');
  }

  async function create() {
    if (await createLessonInto(engine, newDir.trim(), newTitle.trim() || 'New lesson'))
      setPanel('none');
  }

  const toggle = (next: Panel) => setPanel(panel === next ? 'none' : next);

  return (
    <header className="toolbar">
      <div className="brand">Rapido</div>
      <div className="lesson-title" title={lessonDir ?? ''}>
        {lesson ? lesson.title : 'No lesson open'}
      </div>
      <div className="mode-switch" role="group" aria-label="Mode">
        <button
          type="button"
          aria-pressed={props.mode === 'edit'}
          onClick={() => props.onMode('edit')}
        >
          Edit
        </button>
        <button
          type="button"
          aria-pressed={props.mode === 'present'}
          onClick={() => props.onMode('present')}
        >
          Present
        </button>
      </div>
      <div className="toolbar-actions">
        <button type="button" onClick={() => toggle('new')} aria-expanded={panel === 'new'}>
          New…
        </button>
        <button type="button" onClick={() => toggle('open')} aria-expanded={panel === 'open'}>
          Open lesson…
        </button>
        <button type="button" onClick={() => toggle('import')} aria-expanded={panel === 'import'}>
          Import…
        </button>
        <button
          type="button"
          onClick={() => void saveLessonNow()}
          disabled={!lesson}
          title="Save (Ctrl+S); edits are also saved a second after you make them"
        >
          Save
        </button>
        <span
          className={`save-state save-${saveState.phase}`}
          role="status"
          data-testid="save-state"
          title={saveState.phase === 'failed' ? saveState.error.message : undefined}
        >
          {saveLabel(saveState)}
        </span>
        <button
          type="button"
          onClick={() => useAppStore.getState().undo()}
          disabled={undoLabel === null}
          aria-label={undoLabel ? `Undo ${undoLabel}` : 'Undo'}
          title="Undo (Ctrl+Z)"
        >
          ↶ Undo
        </button>
        <button
          type="button"
          onClick={() => useAppStore.getState().redo()}
          disabled={redoLabel === null}
          aria-label={redoLabel ? `Redo ${redoLabel}` : 'Redo'}
          title="Redo (Ctrl+Shift+Z)"
        >
          ↷ Redo
        </button>
        <button type="button" onClick={props.onSettings}>
          Settings
        </button>
        <button type="button" aria-pressed={props.metricsOpen} onClick={props.onMetrics}>
          Metrics
        </button>
        <button type="button" onClick={props.onHelp} aria-label="Keyboard shortcuts" title="?">
          ?
        </button>
      </div>
      {panel === 'open' ? (
        <form
          className="popover"
          onSubmit={(e) => {
            e.preventDefault();
            void open(openPath);
          }}
          aria-label="Open a lesson folder"
        >
          <label className="field">
            <span>Lesson folder (contains lesson.json)</span>
            <div className="field-row">
              <input
                value={openPath}
                onChange={(e) => setOpenPath(e.target.value)}
                placeholder="/path/to/lesson"
                spellCheck={false}
                autoFocus
                aria-label="Lesson folder"
              />
              {launch?.canPickFolders ? (
                <button
                  type="button"
                  onClick={() => void pick('Open a lesson folder', setOpenPath)}
                >
                  Choose…
                </button>
              ) : null}
            </div>
          </label>
          {recent.length > 0 ? (
            <section aria-label="Recent lessons" className="recent-lessons">
              <h3>Recent</h3>
              <ul>
                {recent.map((entry) => (
                  <li key={entry.dir}>
                    <button type="button" onClick={() => void open(entry.dir)} title={entry.dir}>
                      <span className="recent-title">{entry.title}</span>
                      <span className="recent-dir">{entry.dir}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          <div className="popover-actions">
            <button
              type="button"
              onClick={() =>
                void rapido.lesson.openSample().then(async (r) => {
                  if (!r.ok) pushError(r.error);
                  else if (await openLessonInto(engine, r.value.dir)) setPanel('none');
                })
              }
            >
              Sample lesson
            </button>
            <button type="button" onClick={() => setPanel('none')}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={openPath.trim().length === 0}>
              Open
            </button>
          </div>
        </form>
      ) : null}
      {panel === 'new' ? (
        <form
          className="popover"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
          aria-label="New lesson"
        >
          <label className="field">
            <span>Title</span>
            <input
              value={newTitle}
              onChange={(e) => setNewTitle(e.target.value)}
              placeholder="New lesson"
              autoFocus
              aria-label="Lesson title"
            />
          </label>
          <label className="field">
            <span>Folder for the new lesson (created if missing; must not hold a lesson)</span>
            <div className="field-row">
              <input
                value={newDir}
                onChange={(e) => setNewDir(e.target.value)}
                placeholder="/path/to/new-lesson"
                spellCheck={false}
                aria-label="New lesson folder"
              />
              {launch?.canPickFolders ? (
                <button
                  type="button"
                  onClick={() => void pick('Folder for the new lesson', setNewDir)}
                >
                  Choose…
                </button>
              ) : null}
            </div>
          </label>
          <div className="popover-actions">
            <button type="button" onClick={() => setPanel('none')}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={newDir.trim().length === 0}>
              Create
            </button>
          </div>
        </form>
      ) : null}
      {panel === 'import' ? <ImportDialog onClose={() => setPanel('none')} /> : null}
    </header>
  );
}
