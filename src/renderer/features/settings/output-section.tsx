import { useId, useState, type SyntheticEvent } from 'react';
import { selectProgramBusy, useAppStore } from '../../store/app-store.ts';
import type { OutputSettings } from '../../../shared/lesson/lesson-schema.ts';
import {
  checkDraft,
  customSizeId,
  draftFrom,
  frameRates,
  sameOutput,
  sizePresets,
  type OutputDraft,
} from './output-settings.ts';

/**
 * The open lesson's output size and frame rate. Applied through the editor (one undo step,
 * autosaved to lesson.json); refused while anything is on air, because every output
 * (recording, export, stream) is set up for the size it started with.
 */

export const outputLockedTitle =
  'Stop the presentation, recording, export or stream to change the output.';

function sameDraft(a: OutputDraft, b: OutputDraft): boolean {
  return (
    a.sizeId === b.sizeId &&
    a.widthText === b.widthText &&
    a.heightText === b.heightText &&
    a.fps === b.fps
  );
}

function describeOutput(output: OutputSettings): string {
  return `${output.width} × ${output.height} at ${output.fps} fps`;
}

function OutputForm({ output }: { output: OutputSettings }) {
  const locked = useAppStore(selectProgramBusy);
  const [draft, setDraft] = useState<OutputDraft>(() => draftFrom(output));
  const ids = { size: useId(), width: useId(), height: useId(), fps: useId(), status: useId() };
  const check = checkDraft(draft);
  const errors = check.ok ? {} : check.errors;
  const unchanged = check.ok && sameOutput(check.output, output);
  const custom = draft.sizeId === customSizeId;
  // A lesson made elsewhere may use a rate not offered here: it stays choosable.
  const rates = frameRates.includes(output.fps)
    ? frameRates
    : [...frameRates, output.fps].sort((a, b) => a - b);

  function apply(event: SyntheticEvent<HTMLFormElement>): void {
    event.preventDefault();
    if (!check.ok || unchanged || locked) return;
    const next = check.output;
    useAppStore.getState().editLesson('Change output', (lesson) => ({ ...lesson, output: next }));
  }

  const update = (change: Partial<OutputDraft>) =>
    setDraft((current) => ({ ...current, ...change }));

  return (
    <form className="settings-form" onSubmit={apply} aria-describedby={ids.status}>
      <fieldset disabled={locked} title={locked ? outputLockedTitle : undefined}>
        <legend>Program output</legend>
        <div className="field">
          <label htmlFor={ids.size}>Size (px)</label>
          <select
            id={ids.size}
            value={draft.sizeId}
            onChange={(event) => update({ sizeId: event.target.value })}
          >
            {sizePresets.map((preset) => (
              <option key={preset.id} value={preset.id}>
                {preset.label}
              </option>
            ))}
            <option value={customSizeId}>Custom…</option>
          </select>
        </div>
        {custom ? (
          <div className="field-row settings-custom-size">
            <div className="field">
              <label htmlFor={ids.width}>Width (px)</label>
              <input
                id={ids.width}
                inputMode="numeric"
                value={draft.widthText}
                aria-invalid={errors.width ? true : undefined}
                aria-describedby={errors.width ? `${ids.width}-error` : undefined}
                onChange={(event) => update({ widthText: event.target.value })}
              />
              {errors.width ? (
                <span className="field-error" id={`${ids.width}-error`}>
                  {errors.width}
                </span>
              ) : null}
            </div>
            <span className="settings-times" aria-hidden="true">
              ×
            </span>
            <div className="field">
              <label htmlFor={ids.height}>Height (px)</label>
              <input
                id={ids.height}
                inputMode="numeric"
                value={draft.heightText}
                aria-invalid={errors.height ? true : undefined}
                aria-describedby={errors.height ? `${ids.height}-error` : undefined}
                onChange={(event) => update({ heightText: event.target.value })}
              />
              {errors.height ? (
                <span className="field-error" id={`${ids.height}-error`}>
                  {errors.height}
                </span>
              ) : null}
            </div>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={ids.fps}>Frame rate (fps)</label>
          <select
            id={ids.fps}
            value={String(draft.fps)}
            aria-invalid={errors.fps ? true : undefined}
            aria-describedby={errors.fps ? `${ids.fps}-error` : undefined}
            onChange={(event) => update({ fps: Number(event.target.value) })}
          >
            {rates.map((fps) => (
              <option key={fps} value={String(fps)}>
                {fps}
              </option>
            ))}
          </select>
          {errors.fps ? (
            <span className="field-error" id={`${ids.fps}-error`}>
              {errors.fps}
            </span>
          ) : null}
        </div>
        <div className="settings-actions">
          <button type="submit" className="primary" disabled={!check.ok || unchanged}>
            Apply
          </button>
          <button
            type="button"
            disabled={sameDraft(draft, draftFrom(output))}
            onClick={() => setDraft(draftFrom(output))}
          >
            Reset
          </button>
        </div>
      </fieldset>
      <p className="hint" id={ids.status} role="status" data-testid="settings-output-current">
        {locked ? `${outputLockedTitle} ` : null}
        Now: {describeOutput(output)}.
      </p>
    </form>
  );
}

export function OutputSection() {
  const output = useAppStore((s) => s.lesson?.output ?? null);
  const lessonId = useAppStore((s) => s.lesson?.id ?? null);
  if (output === null) return <p className="hint">Open a lesson to change its output.</p>;
  // The form starts again from what the lesson holds after every change (apply, undo, reopen).
  return (
    <OutputForm
      key={`${lessonId ?? ''} ${output.width}x${output.height}@${output.fps}`}
      output={output}
    />
  );
}
