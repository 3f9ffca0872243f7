import { useEffect, useRef, useState, type JSX, type MouseEvent, type RefObject } from 'react';
import type { ProgramEngine } from '../../engine/program-engine.ts';
import { useAppStore } from '../../store/app-store.ts';
import { setAvatar } from '../../../shared/lesson/lesson-edits.ts';
import { KeyColorFields, KeySliders, setKeyColor } from './keying-fields.tsx';
import type { ChromaKeySettings } from '../../../shared/lesson/lesson-schema.ts';
import { averageColorAt } from '../../../shared/keying/sample-color.ts';
import { detectKeyFromBorder, type KeyingStatus } from './detect-from-border.ts';
import './keying.css';
import { useProgram } from '../program/use-program.tsx';

/**
 * The avatar's chroma key: the raw avatar frame (before keying) with an eyedropper, detection of
 * the key colour from the frame's border, the key colour as a swatch and hex, OBS's three
 * sliders, and the matte view (the key's alpha as grey on every output). Every change is an
 * editor edit, so it is undoable and saved, and the engine applies it to the program at once.
 */

/** How often the raw frame is redrawn while the panel is on screen. */
const frameRefreshMs = 250;
/** The eyedropper averages (2·2+1)² = 5x5 pixels. */
const eyedropperRadiusPx = 2;

export const defaultChromaKey: ChromaKeySettings = {
  similarity: 0.4,
  smoothness: 0.08,
  spill: 0.1,
};

type Status = KeyingStatus | null;

/** Redraws the raw avatar frame into `canvas` a few times a second while it is visible. */
function useAvatarFrame(
  engine: ProgramEngine,
  canvas: RefObject<HTMLCanvasElement | null>,
  /** The canvas is rendered (a lesson is open). */
  shown: boolean,
): RefObject<ImageData | null> {
  const latest = useRef<ImageData | null>(null);
  useEffect(() => {
    const element = canvas.current;
    if (!shown || !element) return;
    let onScreen = true;
    const observer =
      typeof IntersectionObserver === 'undefined'
        ? null
        : new IntersectionObserver((entries) => {
            onScreen = entries.some((entry) => entry.isIntersecting);
          });
    observer?.observe(element);
    const draw = () => {
      if (!onScreen || document.hidden) return;
      const image = engine.avatarFrameImage();
      if (!image) return;
      latest.current = image;
      if (element.width !== image.width) element.width = image.width;
      if (element.height !== image.height) element.height = image.height;
      element.getContext('2d')?.putImageData(image, 0, 0);
    };
    draw();
    const timer = window.setInterval(draw, frameRefreshMs);
    return () => {
      window.clearInterval(timer);
      observer?.disconnect();
    };
  }, [engine, canvas, shown]);
  return latest;
}

export function KeyingPanel(): JSX.Element {
  const { engine } = useProgram();
  const avatar = useAppStore((s) => s.lesson?.avatar ?? null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const frame = useAvatarFrame(engine, canvas, avatar !== null);
  const [picking, setPicking] = useState(false);
  const [matte, setMatte] = useState(false);
  const [status, setStatus] = useState<Status>(null);
  const keyColor = avatar?.keyColor ?? '#00b140';

  // The matte view is a tool of this panel: it must not outlive it.
  useEffect(() => () => engine.setMatteView(false), [engine]);

  useEffect(() => {
    if (!picking) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        setPicking(false);
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [picking]);

  if (!avatar) {
    return (
      <section className="panel keying-panel" aria-label="Keying">
        <h2>Keying</h2>
        <p className="hint">No lesson open.</p>
      </section>
    );
  }
  const chromaKey = avatar.chromaKey;

  function pick(event: MouseEvent<HTMLCanvasElement>) {
    if (!picking) return;
    const image = frame.current;
    const element = canvas.current;
    if (!image || !element) return;
    const box = element.getBoundingClientRect();
    if (box.width <= 0 || box.height <= 0) return;
    const x = ((event.clientX - box.left) / box.width) * image.width;
    const y = ((event.clientY - box.top) / box.height) * image.height;
    const color = averageColorAt(image, x, y, eyedropperRadiusPx);
    setKeyColor('Pick key colour', color);
    setPicking(false);
    setStatus({ kind: 'info', message: `Key colour picked: ${color}` });
  }

  function detect() {
    setStatus(detectKeyFromBorder(engine, frame.current));
  }

  return (
    <section className="panel keying-panel" aria-label="Keying">
      <h2>Keying</h2>
      <canvas
        ref={canvas}
        width={512}
        height={512}
        className={`keying-frame${picking ? ' picking' : ''}`}
        aria-label="Avatar frame"
        data-testid="avatar-frame"
        onClick={pick}
      />
      <div className="keying-actions">
        <button
          type="button"
          aria-pressed={picking}
          className={picking ? 'primary' : undefined}
          onClick={() => {
            setPicking(!picking);
            if (!picking)
              setStatus({
                kind: 'info',
                message: 'Click the screen colour in the frame (Esc cancels).',
              });
          }}
        >
          Pick key colour
        </button>
        <button type="button" onClick={detect}>
          Detect from border
        </button>
      </div>
      <KeyColorFields keyColor={keyColor} />
      {status ? (
        <div
          className={status.kind === 'problem' ? 'keying-problem' : 'keying-status'}
          role="status"
          data-testid="keying-status"
        >
          <p>{status.message}</p>
          {status.hint ? <p className="hint">{status.hint}</p> : null}
        </div>
      ) : null}
      <KeySliders chromaKey={chromaKey} />
      <div className="keying-actions">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={matte}
            onChange={(event) => {
              const on = event.currentTarget.checked;
              setMatte(on);
              engine.setMatteView(on);
            }}
          />
          Matte view
        </label>
        <button
          type="button"
          className="small"
          onClick={() =>
            useAppStore
              .getState()
              .editLesson('Reset keying', (lesson) =>
                setAvatar(lesson, { chromaKey: defaultChromaKey }),
              )
          }
        >
          Reset to defaults
        </button>
      </div>
    </section>
  );
}
