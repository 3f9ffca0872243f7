import { useId, type JSX } from 'react';
import { useAppStore } from '../../store/app-store.ts';
import {
  resetSlidePlacement,
  setPlacement,
  setSlideAvatarHidden,
} from '../../../shared/lesson/lesson-edits.ts';
import type { Lesson, NormalisedRect } from '../../../shared/lesson/lesson-schema.ts';
import {
  cornerPlacement,
  pipHeights,
  pipPlacement,
  pipSizes,
  type CornerPreset,
  type PipSize,
} from '../../../shared/lesson/placement-snapping.ts';
import {
  applyPlacement,
  avatarFrameAspect,
  editablePlacement,
  placementScope,
} from './placement-edit.ts';
import './avatar-layout.css';
import { useProgram } from '../program/use-program.tsx';

/**
 * The inspector's side of the avatar placement: whether edits apply to all slides or to the
 * selected slide only (a per-slide override), resetting or hiding the avatar on this slide, and
 * presets (corners; picture-in-picture sizes). Dragging happens on the preview (PlacementOverlay).
 */

const cornerLabels: Record<CornerPreset, string> = {
  'top-left': '↖ Top left',
  'top-right': '↗ Top right',
  'bottom-left': '↙ Bottom left',
  'bottom-right': '↘ Bottom right',
};

const pipLabels: Record<PipSize, string> = { small: 'Small', medium: 'Medium', large: 'Large' };

/** Corners in reading order for a 2x2 grid. */
const cornerOrder: readonly CornerPreset[] = [
  'top-left',
  'top-right',
  'bottom-left',
  'bottom-right',
];

function describe(rect: NormalisedRect): string {
  const p = (value: number) => `${Math.round(value * 100)} %`;
  return `x ${p(rect.x)} · y ${p(rect.y)} · ${p(rect.width)} × ${p(rect.height)}`;
}

export function PlacementControls(): JSX.Element {
  const { engine } = useProgram();
  const lesson = useAppStore((s) => s.lesson);
  const slideIndex = useAppStore((s) => s.playback.slideIndex);
  const exporting = useAppStore((s) => s.playback.exporting !== null);
  const scopeName = useId();

  if (!lesson) {
    return (
      <section className="panel placement-controls" aria-label="Avatar placement">
        <h2>Avatar placement</h2>
        <p className="hint">No lesson open.</p>
      </section>
    );
  }

  const slide = lesson.slides[slideIndex];
  const scope = placementScope(lesson, slideIndex);
  const hidden = slide?.avatar?.hidden === true;
  const current = editablePlacement(lesson, slideIndex);
  const slideNumber = slideIndex + 1;

  function edit(label: string, change: (lesson: Lesson) => Lesson) {
    useAppStore.getState().editLesson(label, change);
  }

  function chooseScope(next: 'lesson' | 'slide') {
    if (next === 'slide' && scope === null) {
      // The slide starts from where the avatar is now; later edits move only this slide's.
      edit('Place avatar on this slide only', (l) => setPlacement(l, current, slideIndex));
    } else if (next === 'lesson' && scope !== null) {
      // This slide's placement becomes everyone's, and the slide follows the lesson again.
      edit('Place avatar on all slides', (l) =>
        resetSlidePlacement(setPlacement(l, current, null), slideIndex),
      );
    }
  }

  function applyCorner(corner: CornerPreset) {
    applyPlacement('Move avatar', cornerPlacement(current, corner));
  }

  function applyPip(size: PipSize) {
    const latest = useAppStore.getState().lesson;
    if (!latest) return;
    const outputAspect = latest.output.width / latest.output.height;
    applyPlacement(
      'Resize avatar',
      pipPlacement(current, size, avatarFrameAspect(latest, engine), outputAspect),
    );
  }

  return (
    <section className="panel placement-controls" aria-label="Avatar placement">
      <h2>Avatar placement</h2>
      <p className="placement-readout-line" data-testid="placement-readout">
        {describe(current)}
        {hidden ? ' (hidden on this slide)' : ''}
      </p>
      <fieldset disabled={exporting}>
        <legend>Apply to</legend>
        <label className="placement-radio">
          <input
            type="radio"
            name={scopeName}
            checked={scope === null}
            onChange={() => chooseScope('lesson')}
          />
          All slides
        </label>
        <label className="placement-radio">
          <input
            type="radio"
            name={scopeName}
            checked={scope !== null}
            onChange={() => chooseScope('slide')}
          />
          This slide only (slide {slideNumber})
        </label>
        <button
          type="button"
          className="small"
          disabled={scope === null}
          onClick={() => edit('Reset avatar placement', (l) => resetSlidePlacement(l, slideIndex))}
        >
          Reset to lesson placement
        </button>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={hidden}
            onChange={(event) => {
              const hide = event.currentTarget.checked;
              edit(hide ? 'Hide avatar' : 'Show avatar', (l) =>
                setSlideAvatarHidden(l, slideIndex, hide),
              );
            }}
          />
          Hide avatar on this slide
        </label>
      </fieldset>
      <fieldset disabled={exporting}>
        <legend>Corner</legend>
        <div className="placement-presets" role="group" aria-label="Move to a corner">
          {cornerOrder.map((corner) => (
            <button key={corner} type="button" onClick={() => applyCorner(corner)}>
              {cornerLabels[corner]}
            </button>
          ))}
        </div>
      </fieldset>
      <fieldset disabled={exporting}>
        <legend>Picture in picture (height)</legend>
        <div className="placement-presets pip" role="group" aria-label="Picture-in-picture size">
          {pipSizes.map((size) => (
            <button
              key={size}
              type="button"
              aria-label={`${pipLabels[size]}: ${Math.round(pipHeights[size] * 100)} % of the output's height`}
              title={`${pipLabels[size]}: ${Math.round(pipHeights[size] * 100)} % of the output's height, on the bottom edge`}
              onClick={() => applyPip(size)}
            >
              {Math.round(pipHeights[size] * 100)} %
            </button>
          ))}
        </div>
      </fieldset>
      <p className="hint">
        Drag the box on the preview; Shift keeps the aspect, Alt turns snapping off. With the box
        focused, arrows move it and Ctrl+arrows resize it.
      </p>
    </section>
  );
}
