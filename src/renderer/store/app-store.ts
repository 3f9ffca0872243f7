import { create, type StateCreator } from 'zustand';
import type { LaunchInfo, RecordingInfo } from '../../shared/ipc/contract.ts';
import type { Lesson } from '../../shared/lesson/lesson-schema.ts';
import type { RapidoError } from '../../shared/result.ts';
import type { EngineSnapshot } from '../engine/program-engine.ts';

/** One store of typed slices; serialisable data only (no canvas, stream or GL objects). */
export interface LessonSlice {
  launch: LaunchInfo | null;
  lessonDir: string | null;
  lesson: Lesson | null;
  loadingLesson: boolean;
  setLaunch: (launch: LaunchInfo) => void;
  setLesson: (dir: string, lesson: Lesson) => void;
  setLoadingLesson: (loading: boolean) => void;
}

export interface PlaybackSlice {
  playback: EngineSnapshot;
  setPlayback: (snapshot: EngineSnapshot) => void;
}

export interface RecordingSlice {
  recordingDir: string;
  lastSaved: RecordingInfo | null;
  setRecordingDir: (dir: string) => void;
  setLastSaved: (info: RecordingInfo | null) => void;
}

export interface Notice {
  id: number;
  kind: 'error' | 'warning' | 'info';
  error: RapidoError;
}

export interface NoticeSlice {
  notices: Notice[];
  pushError: (error: RapidoError) => void;
  /** Something went wrong but the show goes on (e.g. the local avatar stands in). */
  pushWarning: (error: RapidoError) => void;
  pushInfo: (message: string) => void;
  dismiss: (id: number) => void;
}

export type AppStore = LessonSlice & PlaybackSlice & RecordingSlice & NoticeSlice;

export const initialPlayback: EngineSnapshot = {
  playState: 'idle',
  slideIndex: 0,
  programMs: 0,
  totalMs: null,
  estimatedTotalMs: 0,
  recorderState: 'idle',
  recording: null,
  composerFps: 0,
  avatarSource: 'local',
  exporting: null,
  live: { state: 'idle', problem: null, room: null, url: null, stats: null },
};

/** The recording folder is remembered between runs, like any editor's last-used folder. */
const recordingDirKey = 'rapido.recordingDir';

/** Absent where the store runs outside a browser (unit tests under Node). */
function storage(): Storage | null {
  return typeof localStorage === 'undefined' ? null : localStorage;
}

function rememberedRecordingDir(): string | null {
  try {
    return storage()?.getItem(recordingDirKey) ?? null;
  } catch {
    return null;
  }
}

function rememberRecordingDir(dir: string): void {
  try {
    storage()?.setItem(recordingDirKey, dir);
  } catch {
    // Storage can be unavailable (private mode); the folder then lasts for this run only.
  }
}

const createLessonSlice: StateCreator<AppStore, [], [], LessonSlice> = (set) => ({
  launch: null,
  lessonDir: null,
  lesson: null,
  loadingLesson: false,
  setLaunch: (launch) =>
    set({ launch, recordingDir: rememberedRecordingDir() ?? launch.defaultRecordingDir }),
  setLesson: (lessonDir, lesson) => set({ lessonDir, lesson, playback: initialPlayback }),
  setLoadingLesson: (loadingLesson) => set({ loadingLesson }),
});

const createPlaybackSlice: StateCreator<AppStore, [], [], PlaybackSlice> = (set) => ({
  playback: initialPlayback,
  setPlayback: (playback) => set({ playback }),
});

const createRecordingSlice: StateCreator<AppStore, [], [], RecordingSlice> = (set) => ({
  recordingDir: '',
  lastSaved: null,
  setRecordingDir: (recordingDir) => {
    rememberRecordingDir(recordingDir);
    set({ recordingDir });
  },
  setLastSaved: (lastSaved) => set({ lastSaved }),
});

let nextNoticeId = 1;
const maxNotices = 4;

const createNoticeSlice: StateCreator<AppStore, [], [], NoticeSlice> = (set) => ({
  notices: [],
  pushError: (error) =>
    set((state) => ({
      notices: [...state.notices, { id: nextNoticeId++, kind: 'error' as const, error }].slice(
        -maxNotices,
      ),
    })),
  pushWarning: (error) =>
    set((state) => ({
      notices: [...state.notices, { id: nextNoticeId++, kind: 'warning' as const, error }].slice(
        -maxNotices,
      ),
    })),
  pushInfo: (message) =>
    set((state) => ({
      notices: [
        ...state.notices,
        {
          id: nextNoticeId++,
          kind: 'info' as const,
          error: { code: 'internal' as const, message },
        },
      ].slice(-maxNotices),
    })),
  dismiss: (id) => set((state) => ({ notices: state.notices.filter((n) => n.id !== id) })),
});

export function createAppStore() {
  return create<AppStore>()((...args) => ({
    ...createLessonSlice(...args),
    ...createPlaybackSlice(...args),
    ...createRecordingSlice(...args),
    ...createNoticeSlice(...args),
  }));
}

export const useAppStore = createAppStore();

// Named selectors (zustand docs): components subscribe to exactly what they show.
export const selectLesson = (s: AppStore) => s.lesson;
export const selectPlayback = (s: AppStore) => s.playback;
export const selectNotices = (s: AppStore) => s.notices;
