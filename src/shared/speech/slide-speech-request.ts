import type { SlideSpeechRequestInfo } from '../ipc/contract.ts';
import type { Lesson } from '../lesson/lesson-schema.ts';

export type SlideSpeechRequest = SlideSpeechRequestInfo;

/**
 * The whole-slide speech request, exactly as the slide preparer makes it for playback and
 * export (same text, voice and neighbouring narration): main's speech cache is keyed by what it
 * is asked, so anything prepared ahead from a different request would be missed on air.
 * The renderer's slide preparer and main's lesson preparer both build their requests here.
 * A slide with a recorded narration names its WAV and the lesson folder that holds it; main
 * speaks the recording instead of the voice (the voice settings still travel, unused, so one
 * schema serves both).
 */
export function slideSpeechRequest(
  lesson: Lesson,
  index: number,
  lessonDir: string,
): SlideSpeechRequest | null {
  const slide = lesson.slides[index];
  if (!slide) return null;
  const following = lesson.slides[index + 1]?.narration;
  const recorded = slide.recordedNarration;
  return {
    lessonId: lesson.id,
    slideId: slide.id,
    text: slide.narration,
    voice: lesson.voice,
    ...(index > 0 ? { previousText: lesson.slides[index - 1]?.narration ?? '' } : {}),
    ...(following ? { nextText: following } : {}),
    ...(recorded
      ? {
          recorded: {
            lessonDir,
            audio: recorded.audio,
            ...(recorded.words ? { words: recorded.words } : {}),
          },
        }
      : {}),
  };
}
