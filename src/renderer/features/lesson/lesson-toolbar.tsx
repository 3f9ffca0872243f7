import { useState } from 'react';
import { useAppStore, type SaveState } from '../../store/app-store.ts';
import { saveLessonNow } from '../editor/lesson-sync.ts';
import { ImportDialog } from '../import/import-dialog.tsx';
import { NewLessonPopover, OpenLessonPopover } from './lesson-popovers.tsx';

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

/**
 * Where opening a lesson stands (the title's data-lesson-state, which tests wait on): `opening`
 * while it is read and checked, `preparing` once it is shown and its first slide and speech are
 * still being made, `ready` after.
 */
export type LessonState = 'none' | 'opening' | 'preparing' | 'ready';

function useLessonState(): LessonState {
  const lesson = useAppStore((s) => s.lesson);
  const loading = useAppStore((s) => s.loadingLesson);
  const preparing = useAppStore((s) => s.playback.preparingLesson);
  if (loading) return 'opening';
  if (!lesson) return 'none';
  return preparing ? 'preparing' : 'ready';
}

export function LessonToolbar(props: {
  mode: AppMode;
  onMode: (mode: AppMode) => void;
  onSettings: () => void;
  metricsOpen: boolean;
  onMetrics: () => void;
  onHelp: () => void;
}) {
  const lesson = useAppStore((s) => s.lesson);
  const lessonDir = useAppStore((s) => s.lessonDir);
  const lessonState = useLessonState();
  const saveState = useAppStore((s) => s.saveState);
  const undoLabel = useAppStore((s) => s.past[s.past.length - 1]?.label ?? null);
  const redoLabel = useAppStore((s) => s.future[0]?.label ?? null);
  const [panel, setPanel] = useState<Panel>('none');
  const toggle = (next: Panel) => setPanel(panel === next ? 'none' : next);

  return (
    <header className="toolbar">
      <div className="brand">Rapido</div>
      <div className="lesson-title" title={lessonDir ?? ''} data-lesson-state={lessonState}>
        {lesson ? lesson.title : 'No lesson open'}
      </div>
      {lessonState === 'preparing' ? (
        <span
          className="lesson-status"
          role="status"
          data-testid="lesson-preparing"
          title="The first slide and its speech are being made; Play is ready after."
        >
          Preparing…
        </span>
      ) : null}
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
      {panel === 'open' ? <OpenLessonPopover onClose={() => setPanel('none')} /> : null}
      {panel === 'new' ? <NewLessonPopover onClose={() => setPanel('none')} /> : null}
      {panel === 'import' ? <ImportDialog onClose={() => setPanel('none')} /> : null}
    </header>
  );
}
