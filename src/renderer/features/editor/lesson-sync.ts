import { rapido } from '../../bridge/rapido.ts';
import type { ProgramEngine } from '../../engine/program-engine.ts';
import { useAppStore, type AppStore } from '../../store/app-store.ts';
import { lessonEditKind } from '../../../shared/lesson/lesson-edits.ts';
import type { RapidoError } from '../../../shared/result.ts';

/**
 * Carries the editor's edits to the engine and to disk. Placement, key, notes and titles reach
 * the program at once (the preview follows a drag); speech and slide changes reload the lesson
 * once typing pauses; lesson.json is saved a second after the last edit, one save at a time, and
 * at once on Save (Ctrl+S) or before another lesson opens.
 */

/** Typing a narration reloads the slide once the typist pauses, not on every key. */
export const contentApplyDelayMs = 400;
/** Autosave: a second after the last edit, so a drag or a typed sentence is one write. */
export const autosaveDelayMs = 1_000;

interface SyncState {
  engine: ProgramEngine;
  applyTimer: ReturnType<typeof setTimeout> | undefined;
  saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** The save under way; the next waits for it. */
  saving: Promise<RapidoError | null> | null;
  lastReportedError: string | null;
}

let sync: SyncState | null = null;

/** Starts syncing the store's edits; returns the function that stops it. */
export function startLessonSync(engine: ProgramEngine): () => void {
  const state: SyncState = {
    engine,
    applyTimer: undefined,
    saveTimer: undefined,
    saving: null,
    lastReportedError: null,
  };
  sync = state;
  const unsubscribe = useAppStore.subscribe((next, previous) =>
    onStoreChange(state, next, previous),
  );
  return () => {
    unsubscribe();
    clearTimeout(state.applyTimer);
    clearTimeout(state.saveTimer);
    if (sync === state) sync = null;
  };
}

function onStoreChange(state: SyncState, next: AppStore, previous: AppStore): void {
  // Only edits (a new revision of the same lesson), never opening a lesson.
  if (
    next.lesson === previous.lesson ||
    !next.lesson ||
    next.lessonDir !== previous.lessonDir ||
    next.revision === previous.revision
  ) {
    return;
  }
  const engineLesson = state.engine.currentLesson;
  const kind = engineLesson ? lessonEditKind(engineLesson, next.lesson) : 'content';
  clearTimeout(state.applyTimer);
  if (kind === 'look') void applyToEngine(state);
  else if (kind === 'content')
    state.applyTimer = setTimeout(() => void applyToEngine(state), contentApplyDelayMs);
  clearTimeout(state.saveTimer);
  state.saveTimer = setTimeout(() => void save(state), autosaveDelayMs);
}

async function applyToEngine(state: SyncState): Promise<void> {
  state.applyTimer = undefined;
  const { lesson } = useAppStore.getState();
  if (!lesson) return;
  try {
    await state.engine.applyLesson(lesson);
  } catch (error) {
    useAppStore.getState().pushError({
      code: 'internal',
      message: `The preview could not show the edit: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}

async function save(state: SyncState): Promise<RapidoError | null> {
  state.saveTimer = undefined;
  // One save at a time; a save asked for meanwhile writes the newest lesson after it.
  while (state.saving) await state.saving;
  const store = useAppStore.getState();
  const { lesson, lessonDir, revision, savedRevision } = store;
  if (!lesson || !lessonDir || revision === savedRevision) return null;
  const run = (async (): Promise<RapidoError | null> => {
    store.setSaveState({ phase: 'saving' });
    const saved = await rapido.lesson.save({ dir: lessonDir, lesson });
    const now = useAppStore.getState();
    // Another lesson was opened while this one was saving: its state is not ours to touch.
    if (now.lessonDir !== lessonDir) return saved.ok ? null : saved.error;
    if (!saved.ok) {
      now.setSaveState({ phase: 'failed', error: saved.error });
      // One notice per distinct problem, not one per keystroke.
      if (state.lastReportedError !== saved.error.message) {
        state.lastReportedError = saved.error.message;
        now.pushError({
          ...saved.error,
          message: `Not saved: ${saved.error.message}`,
          hint:
            saved.error.hint ?? 'Your edits are kept in the app; fix the problem and press Save.',
        });
      }
      return saved.error;
    }
    state.lastReportedError = null;
    now.markSaved(revision);
    return null;
  })();
  state.saving = run;
  try {
    return await run;
  } finally {
    state.saving = null;
  }
}

/**
 * Saves now (Ctrl+S, before opening another lesson, before export) and brings the engine up to
 * date with the last edit. Resolves with the problem, or null when saved (or nothing to save).
 */
export async function saveLessonNow(): Promise<RapidoError | null> {
  const state = sync;
  if (!state) return null;
  clearTimeout(state.saveTimer);
  if (state.applyTimer !== undefined) {
    clearTimeout(state.applyTimer);
    await applyToEngine(state);
  }
  return save(state);
}
