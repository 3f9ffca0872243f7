import type { ProgramEngine } from '../../engine/program-engine.ts';
import { slideTitle } from '../../../shared/lesson/lesson-schema.ts';
import { useAppStore } from '../../store/app-store.ts';

export function SlideList({ engine }: { engine: ProgramEngine }) {
  const lesson = useAppStore((s) => s.lesson);
  const current = useAppStore((s) => s.playback.slideIndex);
  if (!lesson) return <nav className="slide-list" aria-label="Slides" />;
  return (
    <nav className="slide-list" aria-label="Slides">
      <ol>
        {lesson.slides.map((slide, index) => (
          <li key={slide.id}>
            <button
              type="button"
              className={index === current ? 'slide-item current' : 'slide-item'}
              aria-current={index === current ? 'true' : undefined}
              onClick={() => void engine.goToSlide(index)}
            >
              <span className="slide-number">{index + 1}</span>
              <span className="slide-title">{slideTitle(slide, index)}</span>
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
