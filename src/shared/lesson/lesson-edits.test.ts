import { describe, expect, it } from 'vitest';
import { lessonSchema, type Lesson } from './lesson-schema.ts';
import {
  deleteSlide,
  duplicateSlide,
  effectivePlacement,
  freeSlideId,
  insertSlide,
  lessonEditKind,
  moveSlide,
  resetSlidePlacement,
  setAvatar,
  setPlacement,
  setSlideAvatarHidden,
  updateSlide,
} from './lesson-edits.ts';

const lesson: Lesson = lessonSchema.parse({
  schemaVersion: 1,
  id: 'l1',
  title: 'Lesson',
  slides: [
    { id: 's1', image: 'a.png', narration: 'One.', title: 'First' },
    { id: 's2', image: 'b.png', narration: 'Two.' },
    { id: 's3', image: 'c.png', narration: 'Three.' },
  ],
});
const ids = (l: Lesson) => l.slides.map((s) => s.id);
const rect = { x: 0.05, y: 0.5, width: 0.2, height: 0.4 };

describe('lesson edits', () => {
  it('moves a slide to the index asked for, both ways, and clamps', () => {
    expect(ids(moveSlide(lesson, 0, 2))).toEqual(['s2', 's3', 's1']);
    expect(ids(moveSlide(lesson, 2, 0))).toEqual(['s3', 's1', 's2']);
    expect(ids(moveSlide(lesson, 1, 99))).toEqual(['s1', 's3', 's2']);
    expect(moveSlide(lesson, 1, 1)).toBe(lesson);
  });

  it('duplicates after the original with a fresh id and never deletes the last slide', () => {
    const copied = duplicateSlide(lesson, 0);
    expect(ids(copied)).toEqual(['s1', 's4', 's2', 's3']);
    expect(copied.slides[1]).toMatchObject({ narration: 'One.', title: 'First (copy)' });
    expect(ids(deleteSlide(lesson, 1))).toEqual(['s1', 's3']);
    const single = deleteSlide(deleteSlide(lesson, 0), 0);
    expect(deleteSlide(single, 0)).toBe(single);
    expect(
      freeSlideId({ ...lesson, slides: [...lesson.slides, { ...lesson.slides[0]!, id: 's4' }] }),
    ).toBe('s5');
    expect(
      ids(insertSlide(lesson, -1, { image: 'n.png', narration: '', holdMs: 0, notes: '' })),
    ).toEqual(['s4', 's1', 's2', 's3']);
  });

  it('places the avatar for the lesson or one slide, hides it per slide and resets', () => {
    const own = setPlacement(lesson, rect, 1);
    expect(effectivePlacement(own, 1)).toEqual(rect);
    expect(effectivePlacement(own, 0)).toEqual(lesson.avatar.placement);
    const hidden = setSlideAvatarHidden(own, 1, true);
    expect(effectivePlacement(hidden, 1)).toBeNull();
    const shown = setSlideAvatarHidden(hidden, 1, false);
    expect(effectivePlacement(shown, 1)).toEqual(rect);
    const reset = resetSlidePlacement(shown, 1);
    expect(reset.slides[1]?.avatar).toBeUndefined();
    expect(lessonSchema.safeParse(reset).success).toBe(true);
    expect(effectivePlacement(setPlacement(lesson, rect, null), 2)).toEqual(rect);
  });

  it('tells look edits (applied on air) from content edits (speech or slides change)', () => {
    expect(lessonEditKind(lesson, lesson)).toBe('none');
    expect(lessonEditKind(lesson, setPlacement(lesson, rect, 0))).toBe('look');
    expect(lessonEditKind(lesson, setAvatar(lesson, { keyColor: '#00ff00' }))).toBe('look');
    expect(lessonEditKind(lesson, updateSlide(lesson, 0, { notes: 'n' }))).toBe('look');
    expect(lessonEditKind(lesson, updateSlide(lesson, 0, { narration: 'Uno.' }))).toBe('content');
    expect(lessonEditKind(lesson, updateSlide(lesson, 0, { holdMs: 500 }))).toBe('content');
    expect(lessonEditKind(lesson, moveSlide(lesson, 0, 1))).toBe('content');
    expect(lessonEditKind(lesson, { ...lesson, output: { ...lesson.output, fps: 30 } })).toBe(
      'content',
    );
  });
});
