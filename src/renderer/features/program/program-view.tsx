import { useEffect, useRef, type ReactNode } from 'react';
import { useAppStore } from '../../store/app-store.ts';
import { useProgram } from './use-program.tsx';

/**
 * Shows the one program canvas. The canvas stays attached to the DOM (a detached captured
 * canvas drops to a few frames a second in Chromium) and is only scaled by CSS here.
 */
export function ProgramView({ overlay }: { overlay?: ReactNode }) {
  const { engine } = useProgram();
  const host = useRef<HTMLDivElement>(null);
  const lesson = useAppStore((s) => s.lesson);
  const loading = useAppStore((s) => s.loadingLesson);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    element.appendChild(engine.canvas);
    return () => {
      if (engine.canvas.parentElement === element) element.removeChild(engine.canvas);
    };
  }, [engine]);
  const aspect = lesson ? `${lesson.output.width} / ${lesson.output.height}` : '16 / 9';
  return (
    <section className="program" aria-label="Program output">
      <div
        className="program-frame"
        style={{ aspectRatio: aspect }}
        ref={host}
        data-testid="program"
      >
        {/* React owns only the overlay; the canvas is appended beside it by the effect. */}
        {overlay}
      </div>
      {loading ? <div className="program-overlay">Opening lesson…</div> : null}
    </section>
  );
}
