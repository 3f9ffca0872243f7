import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lessonSchema, type Lesson } from '../src/shared/lesson/lesson-schema.ts';
import { sampleLessonDir } from '../testing/support/app-host.ts';
import { estimatedLessonMs, estimatedSlideMs, repeatSlides } from './lessons.ts';

async function sampleLesson(): Promise<Lesson> {
  return lessonSchema.parse(
    JSON.parse(await readFile(join(sampleLessonDir, 'lesson.json'), 'utf8')),
  );
}

describe('estimatedSlideMs', () => {
  it('is the words at the rate plus the hold', () => {
    const slide = { id: 'a', title: 'A', narration: 'one two three four five six', holdMs: 500 };
    // 6 words at 120 wpm = 3 s.
    expect(estimatedSlideMs({ ...slide, image: 'a.svg', notes: '' }, 120)).toBe(3500);
  });
});

describe('repeatSlides', () => {
  it('repeats the slides with new ids and their own speech until the target is reached', async () => {
    const lesson = await sampleLesson();
    const long = repeatSlides(lesson, 10 * 60_000);
    expect(estimatedLessonMs(long)).toBeGreaterThanOrEqual(10 * 60_000);
    // No more than one slide past the target.
    const withoutLast = { ...long, slides: long.slides.slice(0, -1) };
    expect(estimatedLessonMs(withoutLast)).toBeLessThan(10 * 60_000);
    const ids = long.slides.map((slide) => slide.id);
    expect(new Set(ids).size).toBe(ids.length);
    const narrations = long.slides.map((slide) => slide.narration);
    expect(new Set(narrations).size).toBe(narrations.length);
    expect(long.slides[lesson.slides.length]?.image).toBe(lesson.slides[0]?.image);
    // Still a valid lesson.
    expect(lessonSchema.safeParse(long).success).toBe(true);
  });
});
