import { useState } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import type { ProgramEngine } from '../../engine/program-engine.ts';
import { useAppStore } from '../../store/app-store.ts';
import { importImagesInto, openLessonInto } from './open-lesson.ts';

type Panel = 'none' | 'open' | 'import';

export function LessonToolbar({ engine }: { engine: ProgramEngine }) {
  const lesson = useAppStore((s) => s.lesson);
  const lessonDir = useAppStore((s) => s.lessonDir);
  const launch = useAppStore((s) => s.launch);
  const pushError = useAppStore((s) => s.pushError);
  const [panel, setPanel] = useState<Panel>('none');
  const [openPath, setOpenPath] = useState('');
  const [imagesDir, setImagesDir] = useState(launch?.slideFramesPath ?? '');
  const [scriptPath, setScriptPath] = useState('');
  const [targetDir, setTargetDir] = useState('');

  async function pick(title: string, set: (dir: string) => void) {
    const picked = await rapido.lesson.chooseFolder(title);
    if (!picked.ok) pushError(picked.error);
    else if (picked.value.dir) set(picked.value.dir);
  }

  async function openTyped() {
    if (await openLessonInto(engine, openPath.trim())) setPanel('none');
  }

  async function runImport() {
    const ok = await importImagesInto(engine, {
      imagesDir: imagesDir.trim(),
      ...(scriptPath.trim() ? { scriptPath: scriptPath.trim() } : {}),
      ...(targetDir.trim() ? { lessonDir: targetDir.trim() } : {}),
    });
    if (ok) setPanel('none');
  }

  return (
    <header className="toolbar">
      <div className="brand">Rapido</div>
      <div className="lesson-title" title={lessonDir ?? ''}>
        {lesson ? lesson.title : 'No lesson open'}
      </div>
      <div className="toolbar-actions">
        <button
          type="button"
          onClick={() => setPanel(panel === 'open' ? 'none' : 'open')}
          aria-expanded={panel === 'open'}
        >
          Open lesson…
        </button>
        <button
          type="button"
          onClick={() => setPanel(panel === 'import' ? 'none' : 'import')}
          aria-expanded={panel === 'import'}
        >
          Import slides…
        </button>
        <button
          type="button"
          onClick={() =>
            void rapido.lesson.openSample().then(async (r) => {
              if (!r.ok) pushError(r.error);
              else await openLessonInto(engine, r.value.dir);
            })
          }
        >
          Sample lesson
        </button>
      </div>
      {panel === 'open' ? (
        <form
          className="popover"
          onSubmit={(e) => {
            e.preventDefault();
            void openTyped();
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
          <div className="popover-actions">
            <button type="button" onClick={() => setPanel('none')}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={openPath.trim().length === 0}>
              Open
            </button>
          </div>
        </form>
      ) : null}
      {panel === 'import' ? (
        <form
          className="popover"
          onSubmit={(e) => {
            e.preventDefault();
            void runImport();
          }}
          aria-label="Import slide images"
        >
          <p className="hint">
            A folder of slide images (sorted by name) and a text file with one narration paragraph
            per slide, separated by blank lines.
          </p>
          <label className="field">
            <span>Slide images folder</span>
            <div className="field-row">
              <input
                value={imagesDir}
                onChange={(e) => setImagesDir(e.target.value)}
                placeholder="/path/to/slides"
                spellCheck={false}
                autoFocus
                aria-label="Slide images folder"
              />
              {launch?.canPickFolders ? (
                <button
                  type="button"
                  onClick={() => void pick('Folder of slide images', setImagesDir)}
                >
                  Choose…
                </button>
              ) : null}
            </div>
          </label>
          <label className="field">
            <span>Script file (optional: script.txt in that folder is used)</span>
            <input
              value={scriptPath}
              onChange={(e) => setScriptPath(e.target.value)}
              placeholder="/path/to/script.txt"
              spellCheck={false}
              aria-label="Script file"
            />
          </label>
          <label className="field">
            <span>Save the new lesson in (optional: the images folder)</span>
            <input
              value={targetDir}
              onChange={(e) => setTargetDir(e.target.value)}
              placeholder="a new folder"
              spellCheck={false}
              aria-label="New lesson folder"
            />
          </label>
          <div className="popover-actions">
            <button type="button" onClick={() => setPanel('none')}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={imagesDir.trim().length === 0}>
              Import
            </button>
          </div>
        </form>
      ) : null}
    </header>
  );
}
