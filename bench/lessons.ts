import { rm } from 'node:fs/promises';
import type { Lesson } from '../src/shared/lesson/lesson-schema.ts';
import { sampleLessonAt } from '../testing/support/app-host.ts';

/** Lessons the bench builds from the sample lesson, and the temporary folders it leaves. */

function wordCount(text: string): number {
  return text.split(/\s+/).filter((word) => word.length > 0).length;
}

/** Spoken length of a slide by the words at the voice's rate, plus its hold: an estimate. */
export function estimatedSlideMs(slide: Lesson['slides'][number], rateWpm: number): number {
  return (wordCount(slide.narration) / rateWpm) * 60_000 + slide.holdMs;
}

export function voiceRateWpm(lesson: Lesson): number {
  return lesson.voice.provider === 'offline' ? lesson.voice.rateWpm : 165;
}

/**
 * The lesson's slides repeated (new ids, and a numbered sentence so every slide's speech is its
 * own, as in a real lesson) until the estimated narration reaches `targetMs`.
 */
export function repeatSlides(lesson: Lesson, targetMs: number): Lesson {
  const rateWpm = voiceRateWpm(lesson);
  const slides: Lesson['slides'] = [];
  let totalMs = 0;
  for (let pass = 1; totalMs < targetMs; pass += 1) {
    for (const slide of lesson.slides) {
      if (totalMs >= targetMs) break;
      const repeated = {
        ...slide,
        id: `${slide.id}-${pass}`,
        narration: `${slide.narration} That was part ${pass}.`,
      };
      slides.push(repeated);
      totalMs += estimatedSlideMs(repeated, rateWpm);
    }
    if (lesson.slides.length === 0) break;
  }
  return { ...lesson, slides };
}

export function estimatedLessonMs(lesson: Lesson): number {
  const rateWpm = voiceRateWpm(lesson);
  return lesson.slides.reduce((sum, slide) => sum + estimatedSlideMs(slide, rateWpm), 0);
}

/** The sample lesson at a size, repeated to about `targetMs` of narration. */
export async function longSampleLesson(
  width: number,
  height: number,
  targetMs: number,
): Promise<{ dir: string; lesson: Lesson; estimatedMs: number }> {
  const { dir, lesson } = await sampleLessonAt(width, height, (original) =>
    repeatSlides(original, targetMs),
  );
  return { dir, lesson, estimatedMs: Math.round(estimatedLessonMs(lesson)) };
}

/** Temporary folders made during a section, removed at its end (renders at 1080p are large). */
export interface Scratch {
  track(dir: string): string;
  cleanup(): Promise<void>;
}

export function createScratch(): Scratch {
  const dirs: string[] = [];
  return {
    track(dir) {
      dirs.push(dir);
      return dir;
    },
    async cleanup() {
      await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}
