import { useCallback, useEffect, useRef, useState } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import type { NarrationEstimateInfo } from '../../../shared/ipc/contract.ts';
import type { Lesson } from '../../../shared/lesson/lesson-schema.ts';
import type { Fetched } from './use-eleven-labs.ts';

/**
 * What the lesson would cost on ElevenLabs now (cached sentences are free). Asked again whenever
 * the lesson object changes (it is replaced on every save or open) and on `refresh`. Null for
 * the offline voice, which costs nothing.
 */
export function useNarrationEstimate(lesson: Lesson) {
  const [estimate, setEstimate] = useState<Fetched<NarrationEstimateInfo>>({ phase: 'loading' });
  const generation = useRef(0);
  const paid = lesson.voice.provider === 'elevenlabs';

  const refresh = useCallback(() => {
    generation.current += 1;
    const mine = generation.current;
    if (lesson.voice.provider !== 'elevenlabs') return;
    // On Refresh the previous figure stays on screen until the new one arrives.
    void rapido.speech
      .estimate({
        lessonId: lesson.id,
        // A slide spoken by its recording costs nothing.
        slides: lesson.slides
          .filter((slide) => !slide.recordedNarration)
          .map((slide) => ({ text: slide.narration })),
        voice: lesson.voice,
      })
      .then((result) => {
        if (mine !== generation.current) return;
        setEstimate(
          result.ok
            ? { phase: 'ready', value: result.value }
            : { phase: 'failed', error: result.error },
        );
      });
  }, [lesson]);

  useEffect(() => {
    // A figure for another voice or text would mislead while the new one is worked out.
    setEstimate({ phase: 'loading' });
    refresh();
    return () => {
      generation.current += 1;
    };
  }, [refresh]);

  return { estimate: paid ? estimate : null, refresh };
}
