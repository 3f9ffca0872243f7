import type { ProgramEngine } from '../../engine/program-engine.ts';
import { isOnAir, useAppStore, type AppStore } from '../../store/app-store.ts';
import { setPlacement } from '../../../shared/lesson/lesson-edits.ts';
import type { Lesson, NormalisedRect } from '../../../shared/lesson/lesson-schema.ts';
import { roundPlacement, samePlacement } from '../../../shared/lesson/placement-snapping.ts';
import { effectivePlacement } from '../../../shared/lesson/lesson-edits.ts';

/** Shared by the preview overlay and the inspector's placement controls. */

/** Drags, nudges and presets on the avatar are one undo step while they follow each other. */
export const placementCoalesceKey = 'placement';

/**
 * The overlay is for arranging the program, not for the show: hidden while the presentation
 * runs (playing, paused, preparing), while recording and while exporting.
 */
export function selectPlacementEditable(s: AppStore): boolean {
  const { playState, recorderState, exporting } = s.playback;
  return !isOnAir(playState) && recorderState === 'idle' && exporting === null;
}

/** The slide whose own placement an edit changes, or null for the lesson's (all slides). */
export function placementScope(lesson: Lesson, slideIndex: number): number | null {
  return lesson.slides[slideIndex]?.avatar?.placement ? slideIndex : null;
}

/** The rectangle edits start from: the slide's effective one, or its own / the lesson's if hidden. */
export function editablePlacement(lesson: Lesson, slideIndex: number): NormalisedRect {
  return (
    effectivePlacement(lesson, slideIndex) ??
    lesson.slides[slideIndex]?.avatar?.placement ??
    lesson.avatar.placement
  );
}

/**
 * Writes a placement for the selected slide's scope (its override if it has one, else the
 * lesson's), rounded for lesson.json; nothing when it would not change.
 */
export function applyPlacement(label: string, rect: NormalisedRect): void {
  const store = useAppStore.getState();
  const { lesson } = store;
  if (!lesson) return;
  const slideIndex = store.playback.slideIndex;
  const next = roundPlacement(rect);
  if (samePlacement(next, editablePlacement(lesson, slideIndex))) return;
  const scope = placementScope(lesson, slideIndex);
  store.editLesson(label, (current) => setPlacement(current, next, scope), {
    coalesceKey: placementCoalesceKey,
  });
}

/**
 * The avatar frame's width / height in pixels: SyncTalk's configured frame size, else the frame
 * the engine's avatar draws now (the built-in avatar's canvas). 1 when nothing is known yet.
 */
export function avatarFrameAspect(lesson: Lesson, engine: ProgramEngine): number {
  if (lesson.avatar.provider === 'synctalk') {
    return lesson.avatar.frameSize.width / lesson.avatar.frameSize.height;
  }
  const frame = engine.avatarFrameImage();
  return frame && frame.height > 0 ? frame.width / frame.height : 1;
}
