import { create } from 'zustand';
import {
  LessonPregenerator,
  type PregenerateApi,
  type PregenerateProgress,
} from '../../engine/pregenerate/lesson-pregenerator.ts';
import type { Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { selectProgramBusy, useAppStore } from '../../store/app-store.ts';

/**
 * The one preparation run of the app, outside React: it goes on when the panel is unmounted
 * (switching to Present mode) and the panel shows it again when it comes back. It stops by
 * itself when another lesson is opened, or when the program starts presenting, recording,
 * exporting or streaming (those need the avatar server's streams and the voice for themselves).
 */
export interface PregenerateRunState {
  /** The lesson folder the progress belongs to. */
  lessonDir: string | null;
  progress: PregenerateProgress | null;
  running: boolean;
  /** Why the run stopped when the user did not press Cancel. */
  stoppedBecause: string | null;
}

export const usePregenerateRun = create<PregenerateRunState>(() => ({
  lessonDir: null,
  progress: null,
  running: false,
  stoppedBecause: null,
}));

let controller: AbortController | null = null;

/** Starts preparing the lesson (unless a run is under way); resolves when the run ends. */
export async function startPregenerate(
  api: PregenerateApi,
  lessonDir: string,
  lesson: Lesson,
): Promise<PregenerateProgress | null> {
  if (controller) return null;
  const run = new AbortController();
  controller = run;
  usePregenerateRun.setState({
    lessonDir,
    progress: null,
    running: true,
    stoppedBecause: null,
  });
  const stopWhen = useAppStore.subscribe((state) => {
    if (state.lessonDir !== lessonDir) cancelPregenerate('another lesson was opened');
    else if (selectProgramBusy(state)) cancelPregenerate('the program started presenting');
  });
  try {
    const pregenerator = new LessonPregenerator(api, lessonDir, lesson);
    const final = await pregenerator.run({
      signal: run.signal,
      onProgress: (progress) => usePregenerateRun.setState({ progress }),
    });
    usePregenerateRun.setState({ progress: final, running: false });
    return final;
  } finally {
    stopWhen();
    if (controller === run) controller = null;
    usePregenerateRun.setState({ running: false });
  }
}

export function cancelPregenerate(reason: string | null = null): void {
  if (!controller || controller.signal.aborted) return;
  usePregenerateRun.setState({ stoppedBecause: reason });
  controller.abort();
}
