import type { Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { err, ok, type Result } from '../../../shared/result.ts';
import { slideSpeechRequest } from '../../../shared/speech/slide-speech-request.ts';
import type { VoiceServices } from '../speech/voice-services.ts';

/**
 * Every slide's speech made (or read back from the shared cache) before a split render, and its
 * length plus hold: what the split balances. Made once here, the parts then read each slide's
 * speech from the cache; otherwise each part would synthesise every slide before its own (to
 * know where it starts) at the same time as the others.
 */
export async function slideDurationsMs(options: {
  lesson: Lesson;
  lessonDir: string;
  voices: Pick<VoiceServices, 'synthesize'>;
  /** Slides synthesised at once (the offline voice takes a core each). */
  concurrency?: number;
  signal?: AbortSignal;
  onSlide?: (done: number, total: number) => void;
}): Promise<Result<number[]>> {
  const { lesson } = options;
  const durations: number[] = Array.from({ length: lesson.slides.length }, () => 0);
  let next = 0;
  let done = 0;
  // A holder, not a local: the workers set it across awaits.
  const state: { failure: Result<number[]> | null } = { failure: null };
  const worker = async () => {
    while (state.failure === null && next < lesson.slides.length) {
      const index = next;
      next += 1;
      if (options.signal?.aborted) {
        state.failure = err('cancelled', 'The render was interrupted.');
        return;
      }
      const request = slideSpeechRequest(lesson, index, options.lessonDir);
      const slide = lesson.slides[index];
      if (!request || !slide) continue;
      const spoken = await options.voices.synthesize(request);
      if (!spoken.ok) {
        state.failure = err(spoken.error.code, `Slide ${index + 1}: ${spoken.error.message}`);
        return;
      }
      durations[index] = spoken.value.durationMs + slide.holdMs;
      done += 1;
      options.onSlide?.(done, lesson.slides.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  return state.failure ?? ok(durations);
}
