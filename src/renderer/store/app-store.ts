import { create, type StateCreator } from 'zustand';
import type { LaunchInfo, RecordingInfo } from '../../shared/ipc/contract.ts';
import type { Lesson } from '../../shared/lesson/lesson-schema.ts';
import type { RapidoError } from '../../shared/result.ts';
import type { EngineSnapshot } from '../engine/program-engine.ts';
import type { WarningAction } from '../engine/program/program-types.ts';
import type { ExportProgress } from '../outputs/export/lesson-export.ts';
import type { LiveStatus } from '../outputs/live/live-publisher.ts';
import type { RecordingStatus } from '../outputs/recording/recording-output.ts';

/** The program and its outputs as the UI shows them (each part pushed by its owner). */
export interface ProgramSnapshot extends EngineSnapshot, RecordingStatus {
  /** The LiveKit output: idle, connecting, live, reconnecting or failed (with why). */
  live: LiveStatus;
  /** The frame-stepped export under way, if any. */
  exporting: ExportProgress | null;
}

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
  playback: ProgramSnapshot;
  /** Each owner (the engine, recording, live, export) pushes its own part. */
  setPlayback: (change: Partial<ProgramSnapshot>) => void;
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
  /** What the notice offers to do about it (a button). */
  action?: WarningAction;
}

export interface NoticeSlice {
  notices: Notice[];
  pushError: (error: RapidoError) => void;
  /** Something went wrong but the show goes on (e.g. the local avatar stands in). */
  pushWarning: (error: RapidoError, action?: WarningAction) => void;
  pushInfo: (message: string) => void;
  dismiss: (id: number) => void;
}

/** One undoable step: the lesson before it, and what the user did (for "Undo Move avatar"). */
export interface LessonEdit {
  lesson: Lesson;
  label: string;
}

export type SaveState =
  | { phase: 'saved'; savedAtMs: number | null }
  | { phase: 'unsaved' }
  | { phase: 'saving' }
  | { phase: 'failed'; error: RapidoError };

/**
 * The editor: every change to the lesson goes through `editLesson`, so undo/redo and autosave see
 * it. `revision` counts edits; the saver records which revision reached disk.
 */
export interface EditorSlice {
  past: LessonEdit[];
  future: LessonEdit[];
  revision: number;
  savedRevision: number;
  saveState: SaveState;
  /** The last edit's coalescing key and time: a drag or slider move is one undo step. */
  lastEdit: { key: string; atMs: number } | null;
  editLesson: (
    label: string,
    change: (lesson: Lesson) => Lesson,
    options?: { coalesceKey?: string },
  ) => void;
  undo: () => void;
  redo: () => void;
  setSaveState: (saveState: SaveState) => void;
  /** The saver wrote `revision` to disk. */
  markSaved: (revision: number) => void;
}

export type AppStore = LessonSlice & PlaybackSlice & RecordingSlice & NoticeSlice & EditorSlice;

/** Undo depth: far beyond a session's needs, and a lesson value is small. */
export const maxUndoSteps = 200;
/** Edits with the same key closer together than this are one undo step. */
export const coalesceWindowMs = 1_000;

export const initialPlayback: ProgramSnapshot = {
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
  blanked: false,
  pausePending: false,
  spokenWord: null,
  editPending: false,
  preparingLesson: false,
};

const createLessonSlice: StateCreator<AppStore, [], [], LessonSlice> = (set) => ({
  launch: null,
  lessonDir: null,
  lesson: null,
  loadingLesson: false,
  setLaunch: (launch) =>
    // The recordings folder is main's (remembered there): the page shows it, never sets a path.
    set({ launch, recordingDir: launch.defaultRecordingDir }),
  // Opening a lesson starts a new history: undo never reaches into another lesson.
  setLesson: (lessonDir, lesson) =>
    set((state) => ({
      lessonDir,
      lesson,
      // The engine opened the lesson just before and is still preparing it: that stays told.
      playback: { ...initialPlayback, preparingLesson: state.playback.preparingLesson },
      past: [],
      future: [],
      revision: 0,
      savedRevision: 0,
      saveState: { phase: 'saved', savedAtMs: null },
      lastEdit: null,
    })),
  setLoadingLesson: (loadingLesson) => set({ loadingLesson }),
});

const createPlaybackSlice: StateCreator<AppStore, [], [], PlaybackSlice> = (set) => ({
  playback: initialPlayback,
  setPlayback: (change) => set((s) => ({ playback: { ...s.playback, ...change } })),
});

const createRecordingSlice: StateCreator<AppStore, [], [], RecordingSlice> = (set) => ({
  recordingDir: '',
  lastSaved: null,
  setRecordingDir: (recordingDir) => set({ recordingDir }),
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
  pushWarning: (error, action) =>
    set((state) => ({
      notices: [
        ...state.notices,
        { id: nextNoticeId++, kind: 'warning' as const, error, ...(action ? { action } : {}) },
      ].slice(-maxNotices),
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

const createEditorSlice: StateCreator<AppStore, [], [], EditorSlice> = (set, get) => ({
  past: [],
  future: [],
  revision: 0,
  savedRevision: 0,
  saveState: { phase: 'saved', savedAtMs: null },
  lastEdit: null,
  editLesson: (label, change, options = {}) => {
    const { lesson, past, lastEdit, revision } = get();
    if (!lesson) return;
    const next = change(lesson);
    if (next === lesson) return;
    const nowMs = Date.now();
    const key = options.coalesceKey;
    const coalesce =
      key !== undefined &&
      lastEdit?.key === key &&
      nowMs - lastEdit.atMs < coalesceWindowMs &&
      past.length > 0;
    set({
      lesson: next,
      past: coalesce ? past : [...past, { lesson, label }].slice(-maxUndoSteps),
      future: [],
      revision: revision + 1,
      saveState: { phase: 'unsaved' },
      lastEdit: key === undefined ? null : { key, atMs: nowMs },
    });
  },
  undo: () => {
    const { lesson, past, future, revision } = get();
    const previous = past[past.length - 1];
    if (!lesson || !previous) return;
    set({
      lesson: previous.lesson,
      past: past.slice(0, -1),
      future: [{ lesson, label: previous.label }, ...future],
      revision: revision + 1,
      saveState: { phase: 'unsaved' },
      lastEdit: null,
    });
  },
  redo: () => {
    const { lesson, past, future, revision } = get();
    const next = future[0];
    if (!lesson || !next) return;
    set({
      lesson: next.lesson,
      past: [...past, { lesson, label: next.label }],
      future: future.slice(1),
      revision: revision + 1,
      saveState: { phase: 'unsaved' },
      lastEdit: null,
    });
  },
  setSaveState: (saveState) => set({ saveState }),
  markSaved: (savedRevision) =>
    set((state) => ({
      savedRevision,
      saveState:
        state.revision === savedRevision
          ? { phase: 'saved', savedAtMs: Date.now() }
          : { phase: 'unsaved' },
    })),
});

export function createAppStore() {
  return create<AppStore>()((...args) => ({
    ...createLessonSlice(...args),
    ...createPlaybackSlice(...args),
    ...createRecordingSlice(...args),
    ...createNoticeSlice(...args),
    ...createEditorSlice(...args),
  }));
}

export const useAppStore = createAppStore();

/** The presentation runs or is starting: playing, paused or preparing its first slide. */
export function isOnAir(playState: ProgramSnapshot['playState']): boolean {
  return playState === 'playing' || playState === 'paused' || playState === 'preparing';
}

/**
 * The program is in use (presenting, recording, exporting or live): every output was set up for
 * the lesson as it started, so its size, and work competing for it, must wait.
 */
export function selectProgramBusy(s: Pick<AppStore, 'playback'>): boolean {
  const { playState, recorderState, exporting, live } = s.playback;
  return (
    isOnAir(playState) ||
    recorderState !== 'idle' ||
    exporting !== null ||
    live.state === 'connecting' ||
    live.state === 'live' ||
    live.state === 'reconnecting'
  );
}

// Named selectors (zustand docs): components subscribe to exactly what they show.
export const selectLesson = (s: AppStore) => s.lesson;
export const selectPlayback = (s: AppStore) => s.playback;
export const selectNotices = (s: AppStore) => s.notices;
