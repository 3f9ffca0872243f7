import { useEffect, useState } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import { useAppStore } from '../../store/app-store.ts';
import type { RecentLessonInfo } from '../../../shared/ipc/contract.ts';
import { useProgram } from '../program/use-program.tsx';
import { createLessonInto, openLessonInto } from './open-lesson.ts';

/** The toolbar's Open and New popovers: each opens or makes a lesson, then closes. */

/** Asks main for a folder (where the host can show a picker) and hands it to `set`. */
function usePickFolder(): (title: string, set: (dir: string) => void) => Promise<void> {
  const pushError = useAppStore((s) => s.pushError);
  return async (title, set) => {
    const picked = await rapido.lesson.chooseFolder(title);
    if (!picked.ok) pushError(picked.error);
    else if (picked.value.dir) set(picked.value.dir);
  };
}

/** A lesson folder by path, from the recent ones, or the sample lesson. */
export function OpenLessonPopover({ onClose }: { onClose: () => void }) {
  const { engine } = useProgram();
  const launch = useAppStore((s) => s.launch);
  const pushError = useAppStore((s) => s.pushError);
  const pick = usePickFolder();
  const [openPath, setOpenPath] = useState('');
  const [recent, setRecent] = useState<RecentLessonInfo[]>([]);

  useEffect(() => {
    let live = true;
    void rapido.lesson.recent().then((answer) => {
      if (live && answer.ok) setRecent(answer.value.lessons);
    });
    return () => {
      live = false;
    };
  }, []);

  async function open(dir: string) {
    if (await openLessonInto(engine, dir.trim())) onClose();
  }

  return (
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
            <button type="button" onClick={() => void pick('Open a lesson folder', setOpenPath)}>
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
              else if (await openLessonInto(engine, r.value.dir)) onClose();
            })
          }
        >
          Sample lesson
        </button>
        <button type="button" onClick={() => onClose()}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={openPath.trim().length === 0}>
          Open
        </button>
      </div>
    </form>
  );
}

/** A new lesson: its title and the (empty) folder it goes in. */
export function NewLessonPopover({ onClose }: { onClose: () => void }) {
  const { engine } = useProgram();
  const launch = useAppStore((s) => s.launch);
  const pick = usePickFolder();
  const [newDir, setNewDir] = useState('');
  const [newTitle, setNewTitle] = useState('');

  async function create() {
    if (await createLessonInto(engine, newDir.trim(), newTitle.trim() || 'New lesson')) onClose();
  }

  return (
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
            <button type="button" onClick={() => void pick('Folder for the new lesson', setNewDir)}>
              Choose…
            </button>
          ) : null}
        </div>
      </label>
      <div className="popover-actions">
        <button type="button" onClick={() => onClose()}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={newDir.trim().length === 0}>
          Create
        </button>
      </div>
    </form>
  );
}
