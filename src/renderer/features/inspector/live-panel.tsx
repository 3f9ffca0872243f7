import { useEffect, useState } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import type { LiveStatus } from '../../outputs/live/live-publisher.ts';
import { useAppStore, type AppStore } from '../../store/app-store.ts';
import type { LiveConfigInfo } from '../../../shared/ipc/contract.ts';
import { defaultBitrateKbps, type LiveSettings } from '../../../shared/live/live-settings.ts';
import { useProgram } from '../program/use-program.tsx';

/**
 * Going live on LiveKit: the server, the credentials (an API key and secret, from which main
 * mints short-lived tokens, or a pasted token; neither is ever shown again), the room, how the
 * program is encoded, and Go Live / Stop stream with the connection state and outbound stats.
 */
function selectLive(s: AppStore): LiveStatus {
  return s.playback.live;
}

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

function describeCredentials(config: LiveConfigInfo): string {
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

export function LivePanel() {
  const program = useProgram();
  const live = useAppStore(selectLive);
  const lesson = useAppStore((s) => s.lesson);
  const pushError = useAppStore((s) => s.pushError);
  const [config, setConfig] = useState<LiveConfigInfo | null>(null);
  const [settings, setSettings] = useState<LiveSettings | null>(null);
  const [kind, setKind] = useState<'api-key' | 'token'>('api-key');
  const [apiKey, setApiKey] = useState('');
  const [apiSecret, setApiSecret] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void rapido.live.config().then((loaded) => {
      if (!loaded.ok) {
        pushError(loaded.error);
        return;
      }
      setConfig(loaded.value);
      setSettings(loaded.value.settings);
    });
  }, [pushError]);

  const onAir =
    live.state === 'connecting' || live.state === 'live' || live.state === 'reconnecting';

  async function save(withCredentials: boolean) {
    if (!settings) return;
    setBusy(true);
    const saved = await rapido.live.saveConfig({
      settings,
      ...(withCredentials
        ? {
            credentials:
              kind === 'token' ? { kind, token } : { kind, apiKey: apiKey.trim(), apiSecret },
          }
        : {}),
    });
    // Typed secrets leave the page once, whatever the answer.
    setApiSecret('');
    setToken('');
    setBusy(false);
    if (!saved.ok) {
      pushError(saved.error);
      return;
    }
    setConfig(saved.value);
    setSettings(saved.value.settings);
  }

  async function removeCredentials() {
    const saved = await rapido.live.saveConfig({ credentials: null });
    if (saved.ok) setConfig(saved.value);
    else pushError(saved.error);
  }

  async function toggleLive() {
    setBusy(true);
    if (onAir) await program.live.stopLive();
    else {
      if (settings) await rapido.live.saveConfig({ settings });
      await program.live.goLive();
    }
    setBusy(false);
  }

  const output = lesson?.output;
  const autoKbps = output ? defaultBitrateKbps(output.width, output.height, output.fps) : null;
  const update = (change: Partial<LiveSettings>) =>
    setSettings((current) => (current ? { ...current, ...change } : current));

  return (
    <section className="panel" aria-label="Live">
      <h2>Live (LiveKit)</h2>
      {config && settings ? (
        <>
          <label className="field">
            <span>Server URL</span>
            <input
              aria-label="LiveKit server URL"
              value={config.urlFromEnvironment ? (config.url ?? '') : (settings.url ?? '')}
              placeholder="wss://example.livekit.cloud"
              disabled={onAir || config.urlFromEnvironment}
              title={config.urlFromEnvironment ? 'Set by LIVEKIT_URL' : undefined}
              spellCheck={false}
              onChange={(e) =>
                update({ url: e.target.value.trim() === '' ? null : e.target.value.trim() })
              }
            />
          </label>
          <p className="hint" data-testid="live-credentials">
            {describeCredentials(config)}
          </p>
          <fieldset className="field" disabled={onAir || busy}>
            <legend>Credentials</legend>
            <label>
              <input
                type="radio"
                checked={kind === 'api-key'}
                onChange={() => setKind('api-key')}
              />{' '}
              API key and secret
            </label>
            <label>
              <input type="radio" checked={kind === 'token'} onChange={() => setKind('token')} />{' '}
              Token
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
                onClick={() => void save(true)}
                disabled={
                  kind === 'token' ? token === '' : apiKey.trim() === '' || apiSecret === ''
                }
              >
                Save credentials
              </button>
              {config.credentials.present && config.credentials.source !== 'environment' ? (
                <button type="button" onClick={() => void removeCredentials()}>
                  Remove
                </button>
              ) : null}
            </div>
          </fieldset>
          <label className="field">
            <span>Room</span>
            <input
              aria-label="LiveKit room"
              value={settings.room ?? ''}
              placeholder={lesson?.id ?? 'the lesson id'}
              disabled={onAir}
              spellCheck={false}
              onChange={(e) =>
                update({ room: e.target.value.trim() === '' ? null : e.target.value.trim() })
              }
            />
          </label>
          <div className="field-row">
            <label className="field">
              <span>Identity</span>
              <input
                aria-label="LiveKit identity"
                value={settings.identity}
                disabled={onAir}
                onChange={(e) => update({ identity: e.target.value })}
              />
            </label>
            <label className="field">
              <span>Display name</span>
              <input
                aria-label="LiveKit display name"
                value={settings.displayName}
                disabled={onAir}
                onChange={(e) => update({ displayName: e.target.value })}
              />
            </label>
          </div>
          <div className="field-row">
            <label className="field">
              <span>Bitrate (kbps)</span>
              <input
                aria-label="Video bitrate"
                type="number"
                min={0}
                step={100}
                value={settings.video.maxBitrateKbps || ''}
                placeholder={autoKbps ? `auto (${autoKbps})` : 'auto'}
                disabled={onAir}
                onChange={(e) =>
                  update({
                    video: {
                      ...settings.video,
                      maxBitrateKbps: Math.max(0, Math.round(Number(e.target.value) || 0)),
                    },
                  })
                }
              />
            </label>
            <label className="field">
              <span>Codec</span>
              <select
                aria-label="Video codec"
                value={settings.video.codec}
                disabled={onAir}
                onChange={(e) =>
                  update({
                    video: {
                      ...settings.video,
                      codec: e.target.value as LiveSettings['video']['codec'],
                    },
                  })
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
              checked={settings.video.simulcast}
              disabled={onAir}
              onChange={(e) =>
                update({ video: { ...settings.video, simulcast: e.target.checked } })
              }
            />{' '}
            Simulcast (half and quarter size for weak links)
          </label>
          <div className="field-row">
            <button type="button" onClick={() => void toggleLive()} disabled={busy || !lesson}>
              {onAir ? '■ Stop stream' : '◉ Go Live'}
            </button>
          </div>
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
      ) : (
        <p className="hint">Loading…</p>
      )}
    </section>
  );
}
