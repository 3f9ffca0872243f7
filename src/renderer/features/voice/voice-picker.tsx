import { useId } from 'react';
import type {
  ElevenLabsModelInfo,
  ElevenLabsStatusInfo,
  ElevenLabsVoiceInfo,
} from '../../../shared/ipc/contract.ts';
import {
  defaultElevenLabsModelId,
  type ElevenLabsVoice,
} from '../../../shared/lesson/lesson-schema.ts';
import type { RapidoError } from '../../../shared/result.ts';
import type { ElevenLabsCatalogue, Fetched } from './use-eleven-labs.ts';
import {
  describeDefaultModel,
  describeDefaultVoice,
  speechModels,
  voiceOptionLabel,
  withModelId,
  withVoiceId,
} from './voice-choice.ts';

/** Select values: "" is "the default", which leaves the id out of lesson.json. */
const useDefault = '';

function listed<T>(fetched: Fetched<T[]>): T[] {
  return fetched.phase === 'ready' ? fetched.value : [];
}

function CatalogueProblem({ error, onRetry }: { error: RapidoError; onRetry: () => void }) {
  return (
    <div className="voice-problem" role="alert">
      <p>{error.message}</p>
      {error.hint ? <p className="hint">{error.hint}</p> : null}
      <button type="button" onClick={onRetry}>
        Retry
      </button>
    </div>
  );
}

function VoiceSelect({
  voice,
  voices,
  defaults,
  disabled,
  title,
  onChange,
}: {
  voice: ElevenLabsVoice;
  voices: ElevenLabsVoiceInfo[];
  defaults: ElevenLabsStatusInfo['defaults'] | null;
  disabled: boolean;
  title: string | undefined;
  onChange: (next: ElevenLabsVoice) => void;
}) {
  const id = useId();
  const defaultLabel = defaults ? describeDefaultVoice(defaults, voices) : null;
  const current = voice.voiceId;
  const unlisted = current !== undefined && !voices.some((v) => v.voiceId === current);
  return (
    <div className="field">
      <label htmlFor={id}>Voice</label>
      <select
        id={id}
        value={current ?? useDefault}
        disabled={disabled}
        title={title}
        onChange={(event) =>
          onChange(
            withVoiceId(voice, event.target.value === useDefault ? null : event.target.value),
          )
        }
      >
        {defaultLabel !== null ? (
          <option value={useDefault}>{defaultLabel}</option>
        ) : current === undefined ? (
          <option value={useDefault} disabled>
            Choose a voice…
          </option>
        ) : null}
        {unlisted ? <option value={current}>{current} (not in this account’s list)</option> : null}
        {voices.map((item) => (
          <option key={item.voiceId} value={item.voiceId}>
            {voiceOptionLabel(item)}
          </option>
        ))}
      </select>
    </div>
  );
}

function ModelSelect({
  voice,
  models,
  defaults,
  disabled,
  title,
  onChange,
}: {
  voice: ElevenLabsVoice;
  models: ElevenLabsModelInfo[];
  defaults: ElevenLabsStatusInfo['defaults'] | null;
  disabled: boolean;
  title: string | undefined;
  onChange: (next: ElevenLabsVoice) => void;
}) {
  const id = useId();
  const current = voice.modelId;
  const unlisted = current !== undefined && !models.some((m) => m.modelId === current);
  return (
    <div className="field">
      <label htmlFor={id}>Model</label>
      <select
        id={id}
        value={current ?? useDefault}
        disabled={disabled}
        title={title}
        onChange={(event) =>
          onChange(
            withModelId(voice, event.target.value === useDefault ? null : event.target.value),
          )
        }
      >
        <option value={useDefault}>
          {defaults
            ? describeDefaultModel(defaults, models, defaultElevenLabsModelId)
            : 'Default model'}
        </option>
        {unlisted ? <option value={current}>{current}</option> : null}
        {models.map((model) => (
          <option key={model.modelId} value={model.modelId}>
            {model.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The account's voices and text-to-speech models, with the lesson's choice selected. */
export function VoicePicker({
  voice,
  status,
  catalogue,
  disabled,
  title,
  onChange,
}: {
  voice: ElevenLabsVoice;
  status: ElevenLabsStatusInfo | null;
  catalogue: ElevenLabsCatalogue;
  disabled: boolean;
  title: string | undefined;
  onChange: (next: ElevenLabsVoice) => void;
}) {
  const keyPresent = status?.key.present ?? false;
  const defaults = status?.defaults ?? null;
  const voices = listed(catalogue.voices);
  const models = speechModels(listed(catalogue.models));
  const loading =
    keyPresent && (catalogue.voices.phase === 'loading' || catalogue.models.phase === 'loading');
  const problem =
    catalogue.voices.phase === 'failed'
      ? catalogue.voices.error
      : catalogue.models.phase === 'failed'
        ? catalogue.models.error
        : null;
  return (
    <div className="voice-picker">
      <VoiceSelect
        voice={voice}
        voices={voices}
        defaults={defaults}
        disabled={disabled || !keyPresent}
        title={title}
        onChange={onChange}
      />
      <ModelSelect
        voice={voice}
        models={models}
        defaults={defaults}
        disabled={disabled || !keyPresent}
        title={title}
        onChange={onChange}
      />
      {!keyPresent ? (
        <p className="hint">Add your ElevenLabs API key above to choose a voice and model.</p>
      ) : loading ? (
        <p className="hint" role="status">
          Loading your voices and models…
        </p>
      ) : problem ? (
        <CatalogueProblem error={problem} onRetry={catalogue.retry} />
      ) : null}
      {voice.voiceId === undefined && (defaults === null || defaults.voiceId === null) ? (
        <p className="hint" data-testid="voice-needed">
          Choose a voice to switch this lesson to ElevenLabs.
        </p>
      ) : null}
    </div>
  );
}
