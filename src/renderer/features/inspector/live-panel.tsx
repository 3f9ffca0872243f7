import { useEffect, useState } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import type { LiveStatus } from '../../outputs/live/live-publisher.ts';
import { useAppStore, type AppStore } from '../../store/app-store.ts';
import type { LiveConfigInfo } from '../../../shared/ipc/contract.ts';
import { defaultBitrateKbps, type LiveSettings } from '../../../shared/live/live-settings.ts';
import { useProgram } from '../program/use-program.tsx';
import {
  describeCredentials,
  LiveCredentialsFields,
  LiveStatusLine,
  LiveVideoFields,
  type LiveCredentialsInput,
} from './live-fields.tsx';

/**
 * Going live on LiveKit: the server, the credentials (an API key and secret, from which main
 * mints short-lived tokens, or a pasted token; neither is ever shown again), the room, how the
 * program is encoded, and Go Live / Stop stream with the connection state and outbound stats.
 */
function selectLive(s: AppStore): LiveStatus {
  return s.playback.live;
}

export function LivePanel() {
  const program = useProgram();
  const live = useAppStore(selectLive);
  const lesson = useAppStore((s) => s.lesson);
  const pushError = useAppStore((s) => s.pushError);
  const [config, setConfig] = useState<LiveConfigInfo | null>(null);
  const [settings, setSettings] = useState<LiveSettings | null>(null);
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

  async function saveCredentials(credentials: LiveCredentialsInput) {
    if (!settings) return;
    setBusy(true);
    const saved = await rapido.live.saveConfig({ settings, credentials });
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
          <LiveCredentialsFields
            config={config}
            disabled={onAir || busy}
            onSave={saveCredentials}
            onRemove={() => void removeCredentials()}
          />
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
          <LiveVideoFields
            video={settings.video}
            autoKbps={autoKbps}
            disabled={onAir}
            onChange={(video) => update({ video })}
          />
          <div className="field-row">
            <button type="button" onClick={() => void toggleLive()} disabled={busy || !lesson}>
              {onAir ? '■ Stop stream' : '◉ Go Live'}
            </button>
          </div>
          <LiveStatusLine live={live} />
        </>
      ) : (
        <p className="hint">Loading…</p>
      )}
    </section>
  );
}
