import { useState } from 'react';
import type { LiveStatus } from '../../outputs/live/live-publisher.ts';
import type { LiveConfigInfo } from '../../../shared/ipc/contract.ts';
import type { LiveSettings } from '../../../shared/live/live-settings.ts';

/** The parts of the live panel: credentials, how the video is encoded, and the stream's state. */

export type LiveCredentialsInput =
  { kind: 'token'; token: string } | { kind: 'api-key'; apiKey: string; apiSecret: string };

function describeState(status: LiveStatus): string {
  switch (status.state) {
    case 'idle':
      return 'Not live';
    case 'connecting':
      return `Connecting to ${status.url ?? 'LiveKit'}…`;
    case 'live':
      return `Live in room ${status.room ?? ''}`;
    case 'reconnecting':
      return 'Reconnecting…';
    case 'failed':
      return 'Failed';
  }
}

export function describeCredentials(config: LiveConfigInfo): string {
  const { credentials } = config;
  if (!credentials.present) return 'No credentials set.';
  const where =
    credentials.source === 'environment'
      ? 'from LIVEKIT_API_KEY / LIVEKIT_API_SECRET'
      : credentials.source === 'saved'
        ? 'saved (encrypted)'
        : 'for this session only';
  return credentials.kind === 'token'
    ? `A pasted token, ${where}.`
    : `API key ${credentials.apiKey ?? ''} and its secret, ${where}.`;
}

/**
 * An API key and secret, or a pasted token. Typed secrets leave the page once, on Save, and are
 * cleared whatever the answer; what is saved is never shown again.
 */
export function LiveCredentialsFields(props: {
  config: LiveConfigInfo;
  disabled: boolean;
  onSave: (credentials: LiveCredentialsInput) => Promise<void>;
  onRemove: () => void;
}) {
  const { config, disabled, onRemove } = props;
  const [kind, setKind] = useState<'api-key' | 'token'>('api-key');
  const [apiKey, setApiKey] = useState('');
  const [apiSecret, setApiSecret] = useState('');
  const [token, setToken] = useState('');

  async function save() {
    const saving = props.onSave(
      kind === 'token' ? { kind, token } : { kind, apiKey: apiKey.trim(), apiSecret },
    );
    setApiSecret('');
    setToken('');
    await saving;
  }

  return (
    <fieldset className="field" disabled={disabled}>
      <legend>Credentials</legend>
      <label>
        <input type="radio" checked={kind === 'api-key'} onChange={() => setKind('api-key')} /> API
        key and secret
      </label>
      <label>
        <input type="radio" checked={kind === 'token'} onChange={() => setKind('token')} /> Token
      </label>
      {kind === 'api-key' ? (
        <>
          <input
            aria-label="LiveKit API key"
            value={apiKey}
            placeholder="API key"
            spellCheck={false}
            onChange={(e) => setApiKey(e.target.value)}
          />
          <input
            aria-label="LiveKit API secret"
            type="password"
            value={apiSecret}
            placeholder="API secret"
            autoComplete="off"
            onChange={(e) => setApiSecret(e.target.value)}
          />
        </>
      ) : (
        <input
          aria-label="LiveKit token"
          type="password"
          value={token}
          placeholder="Paste a token"
          autoComplete="off"
          onChange={(e) => setToken(e.target.value)}
        />
      )}
      <div className="field-row">
        <button
          type="button"
          onClick={() => void save()}
          disabled={kind === 'token' ? token === '' : apiKey.trim() === '' || apiSecret === ''}
        >
          Save credentials
        </button>
        {config.credentials.present && config.credentials.source !== 'environment' ? (
          <button type="button" onClick={onRemove}>
            Remove
          </button>
        ) : null}
      </div>
    </fieldset>
  );
}

/** Bitrate, codec and simulcast of the published video. */
export function LiveVideoFields(props: {
  video: LiveSettings['video'];
  autoKbps: number | null;
  disabled: boolean;
  onChange: (video: LiveSettings['video']) => void;
}) {
  const { video, autoKbps, disabled, onChange } = props;
  return (
    <>
      <div className="field-row">
        <label className="field">
          <span>Bitrate (kbps)</span>
          <input
            aria-label="Video bitrate"
            type="number"
            min={0}
            step={100}
            value={video.maxBitrateKbps || ''}
            placeholder={autoKbps ? `auto (${autoKbps})` : 'auto'}
            disabled={disabled}
            onChange={(e) =>
              onChange({
                ...video,
                maxBitrateKbps: Math.max(0, Math.round(Number(e.target.value) || 0)),
              })
            }
          />
        </label>
        <label className="field">
          <span>Codec</span>
          <select
            aria-label="Video codec"
            value={video.codec}
            disabled={disabled}
            onChange={(e) =>
              onChange({ ...video, codec: e.target.value as LiveSettings['video']['codec'] })
            }
          >
            <option value="vp8">VP8</option>
            <option value="h264">H.264</option>
            <option value="vp9">VP9</option>
            <option value="av1">AV1</option>
          </select>
        </label>
      </div>
      <label>
        <input
          type="checkbox"
          checked={video.simulcast}
          disabled={disabled}
          onChange={(e) => onChange({ ...video, simulcast: e.target.checked })}
        />{' '}
        Simulcast (half and quarter size for weak links)
      </label>
    </>
  );
}

/** The connection state with any problem and its hint, and the outbound stats while live. */
export function LiveStatusLine({ live }: { live: LiveStatus }) {
  return (
    <>
      <p data-testid="live-status" className={live.state === 'failed' ? 'warning' : undefined}>
        {describeState(live)}
        {live.problem ? `: ${live.problem.message}` : ''}
        {live.problem?.hint ? ` ${live.problem.hint}` : ''}
      </p>
      {live.stats ? (
        <p className="hint" data-testid="live-stats">
          {live.stats.width}x{live.stats.height} · {live.stats.framesPerSecond} fps ·{' '}
          {live.stats.bitrateKbps} kbps · RTT {live.stats.rttMs ?? '–'} ms · loss{' '}
          {live.stats.packetLossPercent.toFixed(1)}% · limited by {live.stats.qualityLimitation}
        </p>
      ) : null}
    </>
  );
}
