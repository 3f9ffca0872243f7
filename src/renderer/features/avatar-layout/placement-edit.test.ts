import { beforeEach, describe, expect, it } from 'vitest';
import { lessonSchema, type Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { setPlacement, setSlideAvatarHidden } from '../../../shared/lesson/lesson-edits.ts';
import { initialPlayback, useAppStore } from '../../store/app-store.ts';
import {
  applyPlacement,
  editablePlacement,
  placementScope,
  selectPlacementEditable,
} from './placement-edit.ts';

function lesson(): Lesson {
  return lessonSchema.parse({
    schemaVersion: 1,
    id: 'l1',
    title: 'Lesson',
    slides: [1, 2, 3].map((n) => ({
      id: `s${n}`,
      image: `slides/${n}.png`,
      narration: `Slide ${n}.`,
    })),
  });
}

const own = { x: 0.1, y: 0.1, width: 0.2, height: 0.3 };

beforeEach(() => {
  useAppStore.getState().setLesson('/lessons/l1', lesson());
});

function selectSlide(slideIndex: number): void {
  useAppStore.getState().setPlayback({ ...initialPlayback, slideIndex });
}

describe('placement edits', () => {
  it("edits the lesson's placement when the slide has none of its own, rounded", () => {
    selectSlide(1);
    applyPlacement('Move avatar', { x: 0.123456, y: 0.2, width: 0.3, height: 0.4 });
    const state = useAppStore.getState();
    expect(state.lesson?.avatar.placement).toEqual({ x: 0.1235, y: 0.2, width: 0.3, height: 0.4 });
    expect(state.lesson?.slides[1]?.avatar).toBeUndefined();
    expect(state.past.map((edit) => edit.label)).toEqual(['Move avatar']);
  });

  it("edits only the slide's override when it has one", () => {
    useAppStore.getState().editLesson('Own', (l) => setPlacement(l, own, 2));
    selectSlide(2);
    const before = useAppStore.getState().lesson?.avatar.placement;
    applyPlacement('Move avatar', { ...own, x: 0.5 });
    const after = useAppStore.getState().lesson;
    expect(after?.slides[2]?.avatar?.placement).toEqual({ ...own, x: 0.5 });
    expect(after?.avatar.placement).toEqual(before);
  });

  it('makes no edit (no undo step) when the placement would not change', () => {
    selectSlide(0);
    const current = useAppStore.getState().lesson?.avatar.placement;
    if (!current) throw new Error('no lesson');
    applyPlacement('Move avatar', { ...current, x: current.x + 1e-9 });
    expect(useAppStore.getState().past).toHaveLength(0);
  });

  it('coalesces a drag (many quick edits) into one undo step that restores the start', () => {
    selectSlide(0);
    const start = useAppStore.getState().lesson?.avatar.placement;
    for (let step = 1; step <= 20; step += 1) {
      applyPlacement('Move avatar', { x: 0.01 * step, y: 0.1, width: 0.3, height: 0.5 });
    }
    expect(useAppStore.getState().past).toHaveLength(1);
    useAppStore.getState().undo();
    expect(useAppStore.getState().lesson?.avatar.placement).toEqual(start);
  });

  it('knows the scope and the rectangle to start from, also on a hidden slide', () => {
    let current = lesson();
    expect(placementScope(current, 0)).toBeNull();
    current = setPlacement(current, own, 0);
    expect(placementScope(current, 0)).toBe(0);
    current = setSlideAvatarHidden(current, 0, true);
    expect(editablePlacement(current, 0)).toEqual(own);
    expect(editablePlacement(setSlideAvatarHidden(lesson(), 1, true), 1)).toEqual(
      lesson().avatar.placement,
    );
  });

  it('is editable only while the presentation is not running, recording or exporting', () => {
    const state = useAppStore.getState();
    expect(selectPlacementEditable({ ...state, playback: initialPlayback })).toBe(true);
    for (const playState of ['playing', 'paused', 'preparing'] as const) {
      expect(
        selectPlacementEditable({ ...state, playback: { ...initialPlayback, playState } }),
      ).toBe(false);
    }
    expect(
      selectPlacementEditable({
        ...state,
        playback: { ...initialPlayback, recorderState: 'recording' },
      }),
    ).toBe(false);
    expect(
      selectPlacementEditable({
        ...state,
        playback: {
          ...initialPlayback,
          exporting: {
            phase: 'exporting',
            fraction: 0.5,
            programMs: 1000,
            totalMs: 2000,
            slideIndex: 0,
            etaMs: null,
            realtimeFactor: null,
          },
        },
      }),
    ).toBe(false);
  });
});
