import { beforeEach, describe, expect, it, vi } from 'vitest';
import { lessonSchema, type Lesson } from '../../shared/lesson/lesson-schema.ts';
import { moveSlide, setPlacement, updateSlide } from '../../shared/lesson/lesson-edits.ts';
import { coalesceWindowMs, createAppStore, maxUndoSteps } from './app-store.ts';

function lessonOf(count: number): Lesson {
  return lessonSchema.parse({
    schemaVersion: 1,
    id: 'l1',
    title: 'Lesson',
    slides: Array.from({ length: count }, (_, i) => ({
      id: `s${i + 1}`,
      image: `slides/${i + 1}.png`,
      narration: `Slide ${i + 1}.`,
    })),
  });
}

// A fresh store per test: slices never leak state between tests.
let store = createAppStore();
beforeEach(() => {
  store = createAppStore();
  store.getState().setLesson('/lessons/l1', lessonOf(3));
  vi.useRealTimers();
});

const narrations = () => store.getState().lesson?.slides.map((s) => s.narration);

describe('editor slice', () => {
  it('undoes and redoes edits in order, and a new edit clears redo', () => {
    const { editLesson } = store.getState();
    editLesson('Edit narration', (l) => updateSlide(l, 0, { narration: 'A.' }));
    editLesson('Move slide', (l) => moveSlide(l, 0, 2));
    expect(narrations()).toEqual(['Slide 2.', 'Slide 3.', 'A.']);
    store.getState().undo();
    expect(narrations()).toEqual(['A.', 'Slide 2.', 'Slide 3.']);
    store.getState().undo();
    expect(narrations()).toEqual(['Slide 1.', 'Slide 2.', 'Slide 3.']);
    store.getState().undo(); // nothing left: no change
    expect(store.getState().past).toHaveLength(0);
    store.getState().redo();
    expect(narrations()).toEqual(['A.', 'Slide 2.', 'Slide 3.']);
    expect(store.getState().future.map((e) => e.label)).toEqual(['Move slide']);
    store.getState().editLesson('Edit narration', (l) => updateSlide(l, 1, { narration: 'B.' }));
    expect(store.getState().future).toHaveLength(0);
  });

  it('merges quick edits with the same key into one undo step, but not slow ones', () => {
    vi.useFakeTimers();
    const { editLesson } = store.getState();
    const rect = (x: number) => ({ x, y: 0.4, width: 0.3, height: 0.5 });
    editLesson('Move avatar', (l) => setPlacement(l, rect(0.1), null), { coalesceKey: 'p' });
    vi.advanceTimersByTime(100);
    editLesson('Move avatar', (l) => setPlacement(l, rect(0.2), null), { coalesceKey: 'p' });
    vi.advanceTimersByTime(100);
    editLesson('Move avatar', (l) => setPlacement(l, rect(0.3), null), { coalesceKey: 'p' });
    expect(store.getState().past).toHaveLength(1);
    vi.advanceTimersByTime(coalesceWindowMs + 1);
    editLesson('Move avatar', (l) => setPlacement(l, rect(0.4), null), { coalesceKey: 'p' });
    expect(store.getState().past).toHaveLength(2);
    store.getState().undo();
    expect(store.getState().lesson?.avatar.placement.x).toBe(0.3);
    store.getState().undo();
    expect(store.getState().lesson?.avatar.placement.x).toBe(0.68);
  });

  it('tracks what reached disk: an edit during a save leaves the lesson unsaved', () => {
    const { editLesson } = store.getState();
    expect(store.getState().saveState.phase).toBe('saved');
    editLesson('Edit', (l) => updateSlide(l, 0, { notes: 'n1' }));
    const saving = store.getState().revision;
    expect(store.getState().saveState.phase).toBe('unsaved');
    editLesson('Edit', (l) => updateSlide(l, 0, { notes: 'n2' }));
    store.getState().markSaved(saving);
    expect(store.getState().saveState.phase).toBe('unsaved');
    store.getState().markSaved(store.getState().revision);
    expect(store.getState().saveState.phase).toBe('saved');
  });

  it('ignores edits that change nothing and keeps at most the undo depth', () => {
    store.getState().editLesson('Nothing', (l) => l);
    expect(store.getState().revision).toBe(0);
    for (let i = 0; i < maxUndoSteps + 5; i += 1) {
      store.getState().editLesson('Edit', (l) => updateSlide(l, 0, { notes: `n${i}` }));
    }
    expect(store.getState().past).toHaveLength(maxUndoSteps);
  });

  it('starts a new history when another lesson opens', () => {
    store.getState().editLesson('Edit', (l) => updateSlide(l, 0, { notes: 'x' }));
    store.getState().setLesson('/lessons/l2', lessonOf(2));
    expect(store.getState().past).toHaveLength(0);
    store.getState().undo();
    expect(store.getState().lesson?.slides).toHaveLength(2);
  });
});
