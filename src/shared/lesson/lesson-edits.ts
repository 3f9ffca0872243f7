import type { AvatarSettings, Lesson, NormalisedRect, Slide } from './lesson-schema.ts';

/**
 * The editor's operations on a lesson: pure functions from one lesson to the next, so undo/redo
 * is a stack of values and every operation is testable without a UI.
 */

/** What an edit changes, as far as the program is concerned. */
export type LessonEditKind = 'none' | 'look' | 'content';

/** The lesson without what can change while it plays (placement, key, notes, titles, captions). */
function contentOf(lesson: Lesson): unknown {
  return {
    id: lesson.id,
    output: lesson.output,
    voice: lesson.voice,
    avatar: { ...lesson.avatar, keyColor: null, chromaKey: null, placement: null },
    slides: lesson.slides.map((slide) => ({
      id: slide.id,
      image: slide.image,
      narration: slide.narration,
      holdMs: slide.holdMs,
    })),
  };
}

/**
 * 'look': only what the compositor applies at once (avatar placement and key, per-slide avatar
 * overrides, notes, titles, captions); 'content': speech, timing, images, providers or size
 * change, so prepared slides are stale.
 */
export function lessonEditKind(before: Lesson, after: Lesson): LessonEditKind {
  if (before === after) return 'none';
  const content = JSON.stringify(contentOf(before)) !== JSON.stringify(contentOf(after));
  if (content) return 'content';
  return JSON.stringify(before) === JSON.stringify(after) ? 'none' : 'look';
}

/** A slide id not used in the lesson: `s<n>` with the next free n. */
export function freeSlideId(lesson: Lesson): string {
  const used = new Set(lesson.slides.map((slide) => slide.id));
  for (let n = lesson.slides.length + 1; ; n += 1) {
    const id = `s${n}`;
    if (!used.has(id)) return id;
  }
}

export function updateSlide(lesson: Lesson, index: number, change: Partial<Slide>): Lesson {
  const slide = lesson.slides[index];
  if (!slide) return lesson;
  const slides = lesson.slides.slice();
  slides[index] = { ...slide, ...change };
  return { ...lesson, slides };
}

/** Inserts `slide` after `index` (-1: at the start), with a fresh id. */
export function insertSlide(lesson: Lesson, index: number, slide: Omit<Slide, 'id'>): Lesson {
  const slides = lesson.slides.slice();
  slides.splice(index + 1, 0, { ...slide, id: freeSlideId(lesson) });
  return { ...lesson, slides };
}

export function duplicateSlide(lesson: Lesson, index: number): Lesson {
  const slide = lesson.slides[index];
  if (!slide) return lesson;
  const copy: Omit<Slide, 'id'> & { id?: string } = { ...slide };
  delete copy.id;
  const title = slide.title === undefined ? {} : { title: `${slide.title} (copy)` };
  return insertSlide(lesson, index, { ...copy, ...title });
}

/** A lesson keeps at least one slide; deleting the last one is refused (returns the lesson). */
export function deleteSlide(lesson: Lesson, index: number): Lesson {
  if (lesson.slides.length <= 1 || !lesson.slides[index]) return lesson;
  return { ...lesson, slides: lesson.slides.filter((_slide, i) => i !== index) };
}

/** Moves the slide at `from` so that it ends up at index `to`. */
export function moveSlide(lesson: Lesson, from: number, to: number): Lesson {
  const count = lesson.slides.length;
  const target = Math.max(0, Math.min(count - 1, to));
  const slide = lesson.slides[from];
  if (!slide || target === from) return lesson;
  const slides = lesson.slides.slice();
  slides.splice(from, 1);
  slides.splice(target, 0, slide);
  return { ...lesson, slides };
}

export function setAvatar(
  lesson: Lesson,
  change: Partial<Omit<AvatarSettings, 'provider'>>,
): Lesson {
  // The spread keeps the provider's own fields; the change only touches shared ones.
  return { ...lesson, avatar: { ...lesson.avatar, ...change } };
}

/**
 * The avatar's placement for the whole lesson, or for one slide only (an override that the
 * slide keeps until it is reset).
 */
export function setPlacement(
  lesson: Lesson,
  placement: NormalisedRect,
  slideIndex: number | null,
): Lesson {
  if (slideIndex === null) return setAvatar(lesson, { placement });
  const slide = lesson.slides[slideIndex];
  if (!slide) return lesson;
  return updateSlide(lesson, slideIndex, { avatar: { ...slide.avatar, placement } });
}

/** Hides (or shows again) the avatar on one slide. */
export function setSlideAvatarHidden(lesson: Lesson, slideIndex: number, hidden: boolean): Lesson {
  const slide = lesson.slides[slideIndex];
  if (!slide) return lesson;
  const rest: NonNullable<Slide['avatar']> = { ...slide.avatar };
  delete rest.hidden;
  const avatar = hidden ? { ...rest, hidden: true } : rest;
  return updateSlide(lesson, slideIndex, withOptionalAvatar(avatar));
}

/** Drops the slide's own placement so it follows the lesson's again. */
export function resetSlidePlacement(lesson: Lesson, slideIndex: number): Lesson {
  const slide = lesson.slides[slideIndex];
  if (!slide?.avatar?.placement) return lesson;
  const rest: NonNullable<Slide['avatar']> = { ...slide.avatar };
  delete rest.placement;
  return updateSlide(lesson, slideIndex, withOptionalAvatar(rest));
}

function withOptionalAvatar(avatar: NonNullable<Slide['avatar']>): Partial<Slide> {
  return { avatar: Object.keys(avatar).length > 0 ? avatar : undefined };
}

/** The placement the program uses on a slide: hidden (null), its own, or the lesson's. */
export function effectivePlacement(lesson: Lesson, slideIndex: number): NormalisedRect | null {
  const override = lesson.slides[slideIndex]?.avatar;
  if (override?.hidden) return null;
  return override?.placement ?? lesson.avatar.placement;
}
