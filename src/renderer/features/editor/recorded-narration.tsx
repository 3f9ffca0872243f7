import type { Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { useAppStore } from '../../store/app-store.ts';
import { useProgram } from '../program/use-program.tsx';

/** The lesson with slide `index` spoken by the voice again (its recording's field removed). */
export function withoutRecordedNarration(lesson: Lesson, index: number): Lesson {
  const slide = lesson.slides[index];
  if (!slide?.recordedNarration) return lesson;
  const spoken = { ...slide };
  delete spoken.recordedNarration;
  const slides = lesson.slides.slice();
  slides[index] = spoken;
  return { ...lesson, slides };
}

/**
 * Shown on a slide whose narration is a recording: what plays (the WAV, with its own word times
 * or times estimated from the script), a way to hear it (the slide's preview, which speaks the
 * recording as playback and export do), and a way back to the lesson's voice. The recording file
 * stays in the lesson folder; only the slide stops naming it.
 */
export function RecordedNarration({ index }: { index: number }) {
  const { engine } = useProgram();
  const slide = useAppStore((s) => s.lesson?.slides[index]);
  const playState = useAppStore((s) => s.playback.playState);
  const recorded = slide?.recordedNarration;
  if (!recorded) return null;
  const playing = playState === 'playing' || playState === 'preparing';
  const words = recorded.words?.length ?? 0;
  return (
    <div className="recorded-narration" role="group" aria-label="Recorded narration">
      <span className="recorded-narration-badge" data-testid="recorded-narration">
        Recorded narration
      </span>
      <span className="hint" title={recorded.audio}>
        {recorded.audio}
        {words > 0 ? ` · ${words} timed words` : ' · word times estimated from the narration below'}
      </span>
      <button
        type="button"
        onClick={() => void (playing ? engine.stop() : engine.previewSlide(index))}
      >
        {playing ? '■ Stop' : '▶ Play recording'}
      </button>
      <button
        type="button"
        onClick={() =>
          useAppStore
            .getState()
            .editLesson('Use the voice instead', (lesson) =>
              withoutRecordedNarration(lesson, index),
            )
        }
      >
        Use the voice instead
      </button>
    </div>
  );
}
