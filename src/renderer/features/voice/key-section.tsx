import { useId, useState } from 'react';
import type { ElevenLabsStatusInfo, QuotaInfo } from '../../../shared/ipc/contract.ts';
import type { ElevenLabsAccount, Fetched } from './use-eleven-labs.ts';
import { describeKeySource, describeQuota } from './voice-choice.ts';

function QuotaLine({ quota }: { quota: Fetched<QuotaInfo> | null }) {
  if (quota === null) return null;
  switch (quota.phase) {
    case 'loading':
      return <p className="hint">Asking ElevenLabs for your quota…</p>;
    case 'ready':
      return <p data-testid="elevenlabs-quota">{describeQuota(quota.value)}</p>;
    case 'failed':
      return (
        <div className="voice-problem" data-testid="elevenlabs-quota">
          <p>Quota unknown: {quota.error.message}</p>
          {quota.error.hint ? <p className="hint">{quota.error.hint}</p> : null}
        </div>
      );
  }
}

function KeyStatus({
  status,
  busy,
  onRemove,
}: {
  status: ElevenLabsStatusInfo;
  busy: boolean;
  onRemove: () => void;
}) {
  // A key from the environment is not this panel's to remove.
  const removable = status.key.source === 'saved' || status.key.source === 'session';
  return (
    <div className="field-row voice-key-status">
      <p
        data-testid="elevenlabs-key-status"
        className={status.key.present ? 'voice-ok' : undefined}
      >
        {describeKeySource(status.key)}
      </p>
      {removable ? (
        <button type="button" className="small" onClick={onRemove} disabled={busy}>
          Remove key
        </button>
      ) : null}
    </div>
  );
}

/**
 * The ElevenLabs API key: whether one is set and where from, a field to set one and a way to
 * remove it. The key goes to main once; the field is emptied after every attempt and nothing
 * here ever shows more than the hint main sends back ("…abcd").
 */
export function KeySection({ account }: { account: ElevenLabsAccount }) {
  const [typed, setTyped] = useState('');
  const id = useId();
  const { status, quota, keyAction } = account;
  const info = status.phase === 'ready' ? status.value : null;
  const busy = keyAction.phase === 'saving' || keyAction.phase === 'removing';

  function submit(): void {
    const apiKey = typed.trim();
    if (apiKey.length === 0 || busy) return;
    // Cleared before the answer: the key lives in this component no longer than it must.
    setTyped('');
    void account.saveKey(apiKey);
  }

  return (
    <div className="voice-key" role="group" aria-label="ElevenLabs key">
      <h3>ElevenLabs key</h3>
      {info ? (
        <KeyStatus status={info} busy={busy} onRemove={() => void account.removeKey()} />
      ) : status.phase === 'failed' ? (
        <div className="voice-problem" role="alert">
          <p>{status.error.message}</p>
          {status.error.hint ? <p className="hint">{status.error.hint}</p> : null}
          <button type="button" onClick={account.refresh}>
            Retry
          </button>
        </div>
      ) : (
        <p className="hint">Checking…</p>
      )}
      <form
        className="field-row"
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <label htmlFor={id} className="visually-hidden">
          ElevenLabs API key
        </label>
        <input
          id={id}
          type="password"
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          placeholder={info?.key.present ? 'Replace the key…' : 'Paste your API key'}
          autoComplete="off"
          spellCheck={false}
          disabled={busy}
        />
        <button type="submit" disabled={busy || typed.trim().length === 0}>
          {keyAction.phase === 'saving' ? 'Checking…' : 'Save key'}
        </button>
      </form>
      {keyAction.phase === 'failed' ? (
        <div className="voice-problem" role="alert" data-testid="elevenlabs-key-problem">
          <p>{keyAction.error.message}</p>
          {keyAction.error.hint ? <p className="hint">{keyAction.error.hint}</p> : null}
        </div>
      ) : null}
      {info?.key.persistence === 'session' ? (
        <p className="hint">
          A key typed here is kept for this session only (set ELEVENLABS_API_KEY to keep it).
        </p>
      ) : null}
      {info?.key.present ? <QuotaLine quota={quota} /> : null}
    </div>
  );
}
