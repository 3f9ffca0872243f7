import { useEffect, useId, useState } from 'react';
import { useAppStore } from '../../store/app-store.ts';
import { setAvatar } from '../../../shared/lesson/lesson-edits.ts';
import type { ChromaKeySettings } from '../../../shared/lesson/lesson-schema.ts';

/** The keying panel's fields: the key colour (swatch and hex) and OBS's three sliders. */

const sliders: readonly { name: keyof ChromaKeySettings; label: string; hint: string }[] = [
  {
    name: 'similarity',
    label: 'Similarity',
    hint: 'How far from the key colour is still keyed out',
  },
  { name: 'smoothness', label: 'Smoothness', hint: 'How soft the edge between keyed and kept is' },
  { name: 'spill', label: 'Spill', hint: 'How much green cast is taken out of the edges' },
];

const hexPattern = /^#[0-9a-fA-F]{6}$/;

export function setKeyColor(label: string, keyColor: string, coalesceKey?: string): void {
  useAppStore
    .getState()
    .editLesson(
      label,
      (lesson) => setAvatar(lesson, { keyColor: keyColor.toLowerCase() }),
      coalesceKey ? { coalesceKey } : {},
    );
}

function setSetting(name: keyof ChromaKeySettings, value: number) {
  if (!Number.isFinite(value)) return;
  const clamped = Math.min(1, Math.max(0.001, value));
  useAppStore
    .getState()
    .editLesson(
      `Change key ${name}`,
      (lesson) => setAvatar(lesson, { chromaKey: { ...lesson.avatar.chromaKey, [name]: clamped } }),
      { coalesceKey: `chroma-${name}` },
    );
}

/** The key colour as a swatch and as hex; a hex being typed is applied once it is complete. */
export function KeyColorFields({ keyColor }: { keyColor: string }) {
  const [draft, setDraft] = useState(keyColor);
  const hexId = useId();

  // The field follows the lesson (undo, eyedropper, detection) unless it holds what was typed.
  useEffect(() => {
    setDraft((current) => (current.toLowerCase() === keyColor.toLowerCase() ? current : keyColor));
  }, [keyColor]);

  const draftValid = hexPattern.test(draft);
  return (
    <>
      <div className="keying-color">
        <input
          type="color"
          className="keying-swatch"
          aria-label="Key colour swatch"
          value={keyColor.toLowerCase()}
          onChange={(event) =>
            setKeyColor('Change key colour', event.currentTarget.value, 'key-color')
          }
        />
        <label htmlFor={hexId}>Key colour</label>
        <input
          id={hexId}
          className="keying-hex"
          value={draft}
          spellCheck={false}
          maxLength={7}
          aria-invalid={!draftValid}
          onChange={(event) => {
            const value = event.currentTarget.value.trim();
            setDraft(value);
            if (hexPattern.test(value)) setKeyColor('Change key colour', value, 'key-color');
          }}
          onBlur={() => setDraft(keyColor)}
        />
      </div>
      {draftValid ? null : (
        <p className="keying-problem" role="alert">
          Write the colour as # and six hexadecimal digits, e.g. #00b140.
        </p>
      )}
    </>
  );
}

/** Similarity, smoothness and spill; a drag is one undoable step per slider. */
export function KeySliders({ chromaKey }: { chromaKey: ChromaKeySettings }) {
  const hexId = useId();
  return (
    <>
      {sliders.map(({ name, label, hint }) => (
        <div className="keying-slider" key={name}>
          <label htmlFor={`${hexId}-${name}`} title={hint}>
            {label}
          </label>
          {/* The track starts at 0 so the 0.005 steps land on 0.4, 0.08, 0.1 and 1; its first
              stop stands for the schema's least value, 0.001 (setSetting clamps). */}
          <input
            id={`${hexId}-${name}`}
            type="range"
            min={0}
            max={1}
            step={0.005}
            aria-valuetext={chromaKey[name].toFixed(3)}
            value={chromaKey[name]}
            onChange={(event) => setSetting(name, Number(event.currentTarget.value))}
          />
          <output
            htmlFor={`${hexId}-${name}`}
            className="keying-value"
            data-testid={`keying-${name}`}
          >
            {chromaKey[name].toFixed(3)}
          </output>
        </div>
      ))}
    </>
  );
}
