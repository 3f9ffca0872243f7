import { useId, useState } from 'react';
import type { PreviewOutcome, PreviewState } from './use-voice-preview.ts';
import { plural, previewTextFor } from './voice-choice.ts';

function Outcome({ outcome }: { outcome: PreviewOutcome }) {
  if (outcome === null) return null;
  if (outcome.fallback !== null) {
    return (
      <div className="voice-warning" role="status" data-testid="preview-outcome">
        <p>
          The offline voice spoke {plural(outcome.fallback.sentences, 'sentence', 'sentences')} of
          this preview: {outcome.fallback.message}
        </p>
        {outcome.fallback.hint ? <p className="hint">{outcome.fallback.hint}</p> : null}
      </div>
    );
  }
  return (
    <p className="hint" data-testid="preview-outcome">
      Spoken by {outcome.provider === 'elevenlabs' ? 'ElevenLabs' : 'the offline voice'}
      {outcome.cached ? ' (from the cache, no cost)' : ''}.
    </p>
  );
}

/**
 * A sentence spoken with the lesson's voice, heard only here: the panel plays it on an audio
 * context of its own, never into the program. Prefilled with the selected slide's first
 * sentence until the trainer types their own.
 */
export function PreviewSection({
  narration,
  state,
  outcome,
  onSpeak,
  onStop,
}: {
  narration: string | undefined;
  state: PreviewState;
  outcome: PreviewOutcome;
  onSpeak: (text: string) => void;
  onStop: () => void;
}) {
  const [typed, setTyped] = useState<string | null>(null);
  const id = useId();
  const text = typed ?? previewTextFor(narration);
  const canSpeak = text.trim().length > 0 && state.phase !== 'synthesizing';
  return (
    <div className="voice-preview" role="group" aria-label="Preview">
      <h3>Preview</h3>
      <label htmlFor={id} className="visually-hidden">
        Preview text
      </label>
      <div className="field-row">
        <input
          id={id}
          value={text}
          onChange={(event) => setTyped(event.target.value)}
          maxLength={2000}
        />
        {state.phase === 'playing' ? (
          <button type="button" onClick={onStop}>
            Stop
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            disabled={!canSpeak}
            onClick={() => onSpeak(text.trim())}
          >
            Preview
          </button>
        )}
      </div>
      {state.phase === 'synthesizing' ? (
        <p className="hint" role="status">
          Preparing the preview…
        </p>
      ) : null}
      {state.phase === 'failed' ? (
        <div className="voice-problem" role="alert" data-testid="preview-problem">
          <p>{state.error.message}</p>
          {state.error.hint ? <p className="hint">{state.error.hint}</p> : null}
        </div>
      ) : (
        <Outcome outcome={outcome} />
      )}
    </div>
  );
}
