import { useAppStore } from '../../store/app-store.ts';

export function SlideNotes() {
  const lesson = useAppStore((s) => s.lesson);
  const index = useAppStore((s) => s.playback.slideIndex);
  const slide = lesson?.slides[index];
  if (!slide) return null;
  return (
    <section className="slide-notes" aria-label="Narration and notes">
      <div>
        <h3>Narration</h3>
        <p data-testid="narration">{slide.narration}</p>
      </div>
      {slide.notes ? (
        <div>
          <h3>Notes</h3>
          <p>{slide.notes}</p>
        </div>
      ) : null}
    </section>
  );
}
