import { updateSlide } from '../../../shared/lesson/lesson-edits.ts';
import { slideSchema, type Slide } from '../../../shared/lesson/lesson-schema.ts';
import { useAppStore } from '../../store/app-store.ts';
import './slide-editor.css';
import { useProgram } from '../program/use-program.tsx';
import { RecordedNarration } from './recorded-narration.tsx';

const maxHoldSec = (slideSchema.shape.holdMs.unwrap().maxValue ?? 600_000) / 1000;

/**
 * The selected slide's words: narration (what the voice says), title, hold after the speech and
 * the presenter's notes. Typing is coalesced per field into one undo step; the preview reloads
 * the slide when typing pauses, and Preview slide speaks it (only this slide is synthesised
 * again: every other slide's speech comes from the cache).
 */
export function SlideEditor() {
  const { engine } = useProgram();
  const lesson = useAppStore((s) => s.lesson);
  const index = useAppStore((s) => s.playback.slideIndex);
  const playState = useAppStore((s) => s.playback.playState);
  const editPending = useAppStore((s) => s.playback.editPending);
  const slide = lesson?.slides[index];
  if (!lesson || !slide) return null;

  const edit = (label: string, field: keyof Slide, change: Partial<Slide>) =>
    useAppStore.getState().editLesson(label, (l) => updateSlide(l, index, change), {
      coalesceKey: `${slide.id}:${field}`,
    });
  const previewing = playState === 'playing' || playState === 'preparing';

  return (
    <section className="slide-editor" aria-label="Slide">
      <div className="slide-editor-head">
        <h2>
          Slide {index + 1} of {lesson.slides.length}
        </h2>
        <button
          type="button"
          onClick={() => void (previewing ? engine.stop() : engine.previewSlide(index))}
        >
          {previewing ? '■ End preview' : '▶ Preview slide'}
        </button>
      </div>
      {editPending ? (
        <p className="hint" role="status">
          Your change to the speech applies when the presentation stops.
        </p>
      ) : null}
      <RecordedNarration index={index} />
      <label className="field">
        <span>Title (chapters and the slide list)</span>
        <input
          value={slide.title ?? ''}
          placeholder="From the narration's first words"
          onChange={(e) =>
            edit('Edit title', 'title', {
              title: e.target.value === '' ? undefined : e.target.value,
            })
          }
        />
      </label>
      <label className="field">
        <span>
          {slide.recordedNarration
            ? "Narration (the recording's script: captions and word highlight)"
            : 'Narration (what the voice says)'}
        </span>
        <textarea
          data-testid="narration"
          value={slide.narration}
          rows={5}
          onChange={(e) => edit('Edit narration', 'narration', { narration: e.target.value })}
        />
      </label>
      <div className="field-row">
        <label className="field hold-field">
          <span>Hold after speech (s)</span>
          <input
            type="number"
            min={0}
            max={maxHoldSec}
            step={0.5}
            value={slide.holdMs / 1000}
            onChange={(e) => {
              const seconds = Number(e.target.value);
              if (!Number.isFinite(seconds) || seconds < 0) return;
              const holdMs = Math.min(Math.round(seconds * 1000), maxHoldSec * 1000);
              edit('Edit hold', 'holdMs', { holdMs });
            }}
          />
        </label>
      </div>
      <label className="field">
        <span>Notes (only you see them, in the presenter console)</span>
        <textarea
          value={slide.notes}
          rows={3}
          onChange={(e) => edit('Edit notes', 'notes', { notes: e.target.value })}
        />
      </label>
    </section>
  );
}
