import { useCallback, useEffect, useRef, useState } from 'react';
import { isOnAir, useAppStore, type AppStore } from '../../store/app-store.ts';
import { saveLessonNow } from '../editor/lesson-sync.ts';
import type { VoiceSettings } from '../../../shared/lesson/lesson-schema.ts';
import type { RapidoError } from '../../../shared/result.ts';

/**
 * Changes the lesson's voice and captions as an editor edit (undoable; the editor's sync carries
 * it to the engine) and saves lesson.json at once. Saves run one at a time; what is asked
 * for meanwhile is queued, newest value winning, so quick slider moves end in one more save with
 * the last values, not in a race. The panel shows the values asked for until they are saved.
 */

export interface SettingsChange {
  voice?: VoiceSettings;
  burnInCaptions?: boolean;
}

export type SaveState =
  { phase: 'idle' } | { phase: 'saving' } | { phase: 'failed'; error: RapidoError };

export const lockedTitle = 'Stop the presentation to change the voice';

/** Playing, paused, preparing or recording: the voice must not change under the show. */
export function selectSettingsLocked(s: AppStore): boolean {
  const { playState, recorderState } = s.playback;
  return isOnAir(playState) || recorderState !== 'idle';
}

function merge(first: SettingsChange | null, next: SettingsChange): SettingsChange {
  return { ...first, ...next };
}

async function applyAndSave(lessonId: string, change: SettingsChange): Promise<RapidoError | null> {
  const store = useAppStore.getState();
  // Another lesson was opened meanwhile: the change was meant for the one that is gone.
  if (store.lesson?.id !== lessonId) return null;
  if (selectSettingsLocked(store)) {
    return { code: 'cancelled', message: 'The voice was not changed: the presentation started.' };
  }
  // Through the editor, so the change is undoable and saved like any other edit.
  store.editLesson(change.voice ? 'Change voice' : 'Change captions', (current) => ({
    ...current,
    ...(change.voice ? { voice: change.voice } : {}),
    ...(change.burnInCaptions !== undefined
      ? { captions: { ...current.captions, burnIn: change.burnInCaptions } }
      : {}),
  }));
  return saveLessonNow();
}

export function useLessonSettings() {
  const [state, setState] = useState<SaveState>({ phase: 'idle' });
  const queued = useRef<{ lessonId: string; change: SettingsChange } | null>(null);
  /** The save loop while it runs: it takes whatever is queued until nothing is. */
  const loop = useRef<Promise<void> | null>(null);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const drain = useCallback(async () => {
    setState({ phase: 'saving' });
    let problem: RapidoError | null = null;
    try {
      for (let next = queued.current; next !== null; next = queued.current) {
        queued.current = null;
        problem = await applyAndSave(next.lessonId, next.change);
        if (problem) break;
      }
    } catch (error) {
      problem = {
        code: 'internal',
        message: `The lesson could not be reloaded: ${error instanceof Error ? error.message : String(error)}`,
      };
    } finally {
      // What was queued behind a failed save builds on a lesson that was not saved.
      if (problem) queued.current = null;
      loop.current = null;
    }
    if (mounted.current)
      setState(problem ? { phase: 'failed', error: problem } : { phase: 'idle' });
  }, []);

  /** Resolves once this change is saved and loaded (or has failed). */
  const save = useCallback(
    (lessonId: string, change: SettingsChange): Promise<void> => {
      const previous = queued.current?.lessonId === lessonId ? queued.current.change : null;
      queued.current = { lessonId, change: merge(previous, change) };
      loop.current ??= drain();
      return loop.current;
    },
    [drain],
  );

  return { state, save };
}
