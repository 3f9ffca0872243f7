import { create } from 'zustand';
import type { PrepareProgressInfo } from '../../../shared/ipc/contract.ts';
import type { RapidoApi } from '../../../shared/ipc/rapido-api.ts';
import type { Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { selectProgramBusy, useAppStore } from '../../store/app-store.ts';

/**
 * The one preparation run of the app, outside React: it goes on when the panel is unmounted
 * (switching to Present mode) and the panel shows it again when it comes back. The work is done
 * by main's slide pipeline (`pipeline:prepare-lesson`); only its progress comes here. It stops
 * by itself when another lesson is opened, or when the program starts presenting, recording,
 * exporting or streaming (those need the avatar server's streams and the voice for themselves).
 */
export interface PregenerateRunState {
  /** The lesson folder the progress belongs to. */
  lessonDir: string | null;
  progress: PrepareProgressInfo | null;
  running: boolean;
  /** Why the run stopped when the user did not press Cancel. */
  stoppedBecause: string | null;
}

export interface PregenerateApi {
  pipeline: Pick<RapidoApi['pipeline'], 'prepareLesson' | 'onPrepareProgress' | 'cancelPrepare'>;
}

export const usePregenerateRun = create<PregenerateRunState>(() => ({
  lessonDir: null,
  progress: null,
  running: false,
  stoppedBecause: null,
}));

let active: { api: PregenerateApi; runId: string; cancelled: boolean } | null = null;
let nextRun = 1;

/** Starts preparing the lesson (unless a run is under way); resolves when the run ends. */
export async function startPregenerate(
  api: PregenerateApi,
  lessonDir: string,
  lesson: Lesson,
): Promise<PrepareProgressInfo | null> {
  if (active) return null;
  const run = { api, runId: `prepare-${Date.now().toString(36)}-${nextRun++}`, cancelled: false };
  active = run;
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
  const unsubscribe = api.pipeline.onPrepareProgress(({ runId, progress }) => {
    if (runId === run.runId) usePregenerateRun.setState({ progress });
  });
  try {
    const final = await api.pipeline.prepareLesson({ runId: run.runId, lessonDir, lesson });
    if (!final.ok) {
      usePregenerateRun.setState({ running: false, stoppedBecause: final.error.message });
      return null;
    }
    usePregenerateRun.setState({ progress: final.value, running: false });
    return final.value;
  } finally {
    unsubscribe();
    stopWhen();
    if (active === run) active = null;
    usePregenerateRun.setState({ running: false });
  }
}

export function cancelPregenerate(reason: string | null = null): void {
  if (!active || active.cancelled) return;
  active.cancelled = true;
  usePregenerateRun.setState({ stoppedBecause: reason });
  active.api.pipeline.cancelPrepare(active.runId);
}
