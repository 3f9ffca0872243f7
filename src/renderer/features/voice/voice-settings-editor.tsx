import { useEffect, useId, useRef, useState } from 'react';
import type { ElevenLabsVoice } from '../../../shared/lesson/lesson-schema.ts';
import {
  elevenLabsSettingDefaults,
  withSpeakerBoost,
  withVoiceSetting,
  withoutVoiceSettings,
  type NumericVoiceSetting,
} from './voice-choice.ts';

interface SliderProps {
  label: string;
  min: number;
  max: number;
  step: number;
  value: number;
  /** The lesson leaves it out: ElevenLabs' default applies. */
  isDefault: boolean;
  disabled: boolean;
  title: string | undefined;
  onCommit: (value: number) => void;
}

/**
 * A range input that follows the drag on screen but reports only the committed value: the
 * native `change` event fires on release (or per key press), where React's onChange fires on
 * every pixel of the drag.
 */
function CommitSlider({
  label,
  min,
  max,
  step,
  value,
  isDefault,
  disabled,
  title,
  onCommit,
}: SliderProps) {
  const [dragValue, setDragValue] = useState<number | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const commit = useRef(onCommit);
  const id = useId();

  useEffect(() => {
    commit.current = onCommit;
  }, [onCommit]);

  useEffect(() => {
    const element = input.current;
    if (!element) return;
    function onNativeChange(): void {
      if (!element) return;
      setDragValue(null);
      // Hundredths: the step is 0.05, and 0.7 + 3 × 0.05 must be saved as 0.85.
      commit.current(Math.round(Number(element.value) * 100) / 100);
    }
    element.addEventListener('change', onNativeChange);
    return () => element.removeEventListener('change', onNativeChange);
  }, []);

  const shown = dragValue ?? value;
  return (
    <div className="voice-slider" title={title}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        ref={input}
        type="range"
        min={min}
        max={max}
        step={step}
        value={shown}
        disabled={disabled}
        onChange={(event) => setDragValue(Number(event.target.value))}
      />
      <output htmlFor={id} className="voice-slider-value">
        {shown.toFixed(2)}
        {isDefault && dragValue === null ? <span className="hint"> default</span> : null}
      </output>
    </div>
  );
}

const sliders: { name: NumericVoiceSetting; label: string; min: number; max: number }[] = [
  { name: 'stability', label: 'Stability', min: 0, max: 1 },
  { name: 'similarityBoost', label: 'Similarity', min: 0, max: 1 },
  { name: 'style', label: 'Style', min: 0, max: 1 },
  { name: 'speed', label: 'Speed', min: 0.7, max: 1.2 },
];

/** Stability, similarity, style, speed and speaker boost; each change is one save. */
export function VoiceSettingsEditor({
  voice,
  disabled,
  title,
  onChange,
}: {
  voice: ElevenLabsVoice;
  disabled: boolean;
  title: string | undefined;
  onChange: (next: ElevenLabsVoice) => void;
}) {
  const settings = voice.settings;
  const anySet =
    sliders.some((slider) => settings[slider.name] !== undefined) ||
    settings.useSpeakerBoost !== undefined;
  return (
    <fieldset className="voice-settings" disabled={disabled} title={title}>
      <legend>Voice settings</legend>
      {sliders.map((slider) => (
        <CommitSlider
          key={slider.name}
          label={slider.label}
          min={slider.min}
          max={slider.max}
          step={0.05}
          value={settings[slider.name] ?? elevenLabsSettingDefaults[slider.name]}
          isDefault={settings[slider.name] === undefined}
          disabled={disabled}
          title={title}
          onCommit={(value) => onChange(withVoiceSetting(voice, slider.name, value))}
        />
      ))}
      <div className="field-row voice-settings-actions">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={settings.useSpeakerBoost ?? elevenLabsSettingDefaults.useSpeakerBoost}
            onChange={(event) => onChange(withSpeakerBoost(voice, event.target.checked))}
          />
          Speaker boost
        </label>
        {anySet ? (
          <button type="button" onClick={() => onChange(withoutVoiceSettings(voice))}>
            Reset to defaults
          </button>
        ) : null}
      </div>
    </fieldset>
  );
}
