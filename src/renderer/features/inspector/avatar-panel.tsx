import { useCallback, useEffect, useRef, useState } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import { useAppStore, type AppStore, type ProgramSnapshot } from '../../store/app-store.ts';
import type { SyncTalkCheckInfo } from '../../../shared/ipc/contract.ts';
import type { SyncTalkAvatarSettings } from '../../../shared/lesson/lesson-schema.ts';
import type { RapidoError } from '../../../shared/result.ts';

/**
 * The lesson's avatar: for SyncTalk, whether its server answers, offers and has loaded the
 * lesson's avatar, a way to load it, and which avatar is on air. Check and load state is
 * transient and belongs to this panel; only `avatarSource` comes from the engine's snapshot.
 */

type CheckState =
  /** `info` is the previous answer while "Check again" runs, so the panel does not flash empty. */
  | { phase: 'checking'; info: SyncTalkCheckInfo | null }
  | { phase: 'checked'; info: SyncTalkCheckInfo }
  /** The check itself could not run (IPC failure); an unreachable server is a `checked` answer. */
  | { phase: 'failed'; error: RapidoError };

type LoadState =
  | { phase: 'idle' }
  | { phase: 'loading'; message: string; elapsedMs: number }
  | { phase: 'loaded'; message: string; elapsedMs: number }
  | { phase: 'failed'; error: RapidoError };

function selectAvatarSource(s: AppStore): ProgramSnapshot['avatarSource'] {
  // A primitive, so the panel re-renders on a source change, not on every snapshot.
  return s.playback.avatarSource;
}

function formatSeconds(ms: number): string {
  return `${Math.floor(ms / 1000)} s`;
}

function describeOnAir(source: ProgramSnapshot['avatarSource']): string {
  switch (source) {
    case 'synctalk':
      return 'SyncTalk';
    case 'local-fallback':
      return 'Built-in avatar standing in';
    case 'local':
      return 'Built-in avatar';
  }
}

function describeReadiness(readiness: SyncTalkCheckInfo['readiness']): string {
  switch (readiness) {
    case 'loaded':
      return 'Loaded';
    case 'not-loaded':
      return 'Not loaded';
    case 'not-offered':
      return 'Not offered by this server';
    case 'unknown':
      return 'Unknown';
  }
}

let nextLoadNumber = 1;

function newLoadRequestId(): string {
  const id = `avatar-load-${Date.now().toString(36)}-${nextLoadNumber}`;
  nextLoadNumber += 1;
  return id;
}

/** Checks the server now and whenever `avatar` changes (a lesson was opened). */
function useSyncTalkCheck(avatar: SyncTalkAvatarSettings) {
  const [state, setState] = useState<CheckState>({ phase: 'checking', info: null });
  /** Bumped by every check and on unmount: only the newest check may write its answer. */
  const generation = useRef(0);

  const check = useCallback(() => {
    generation.current += 1;
    const mine = generation.current;
    setState((previous) => ({
      phase: 'checking',
      info: previous.phase === 'failed' ? null : previous.info,
    }));
    void rapido.avatar.checkSyncTalk(avatar).then((result) => {
      if (mine !== generation.current) return;
      setState(
        result.ok
          ? { phase: 'checked', info: result.value }
          : { phase: 'failed', error: result.error },
      );
    });
  }, [avatar]);

  useEffect(() => {
    check();
    return () => {
      generation.current += 1;
    };
  }, [check]);

  return { state, check };
}

/** Loads the avatar on its server, following the progress events of this one request. */
function useSyncTalkLoad(avatar: SyncTalkAvatarSettings, onLoaded: () => void) {
  const [state, setState] = useState<LoadState>({ phase: 'idle' });
  const running = useRef<{ requestId: string; unsubscribe: () => void } | null>(null);

  useEffect(
    () => () => {
      // The load goes on in main (it has no cancel); its answer is simply not shown any more.
      running.current?.unsubscribe();
      running.current = null;
    },
    [],
  );

  async function load(): Promise<void> {
    if (running.current) return;
    const requestId = newLoadRequestId();
    // Listen before asking, so the first progress event cannot be missed.
    const unsubscribe = rapido.avatar.onLoadProgress((progress) => {
      if (progress.requestId !== requestId || running.current?.requestId !== requestId) return;
      setState({ phase: 'loading', message: progress.message, elapsedMs: progress.elapsedMs });
    });
    const ticket = { requestId, unsubscribe };
    running.current = ticket;
    setState({ phase: 'loading', message: 'Asking the server…', elapsedMs: 0 });
    const result = await rapido.avatar.loadSyncTalk({ avatar, requestId });
    unsubscribe();
    // Unmounted meanwhile (another lesson opened): its answer is no longer this panel's.
    if (running.current !== ticket) return;
    running.current = null;
    if (!result.ok) {
      setState({ phase: 'failed', error: result.error });
      return;
    }
    setState({
      phase: 'loaded',
      message: result.value.message,
      elapsedMs: result.value.elapsedMs,
    });
    onLoaded();
  }

  return { state, load };
}

function ServerAvatars({ info, avatarName }: { info: SyncTalkCheckInfo; avatarName: string }) {
  const offered = info.models.includes(avatarName);
  return (
    <div className="avatar-models">
      <span className="avatar-label">Avatars on the server</span>
      {info.models.length === 0 ? (
        <p className="hint">The server lists no avatars.</p>
      ) : (
        <ul data-testid="avatar-models">
          {info.models.map((model) => (
            <li
              key={model}
              className={model === avatarName ? 'lesson-avatar' : undefined}
              aria-current={model === avatarName ? 'true' : undefined}
            >
              <code>{model}</code>
              {model === avatarName ? ' (this lesson)' : null}
            </li>
          ))}
        </ul>
      )}
      {offered ? null : (
        <p className="avatar-problem" data-testid="avatar-not-offered">
          This server does not offer “{avatarName}”.
        </p>
      )}
    </div>
  );
}

function LoadStatus({ state }: { state: LoadState }) {
  switch (state.phase) {
    case 'idle':
      return null;
    case 'loading':
      return (
        <p className="avatar-progress" role="status" data-testid="avatar-load-progress">
          {state.message} <span className="avatar-elapsed">({formatSeconds(state.elapsedMs)})</span>
        </p>
      );
    case 'loaded':
      return (
        <p className="avatar-ok" role="status" data-testid="avatar-load-result">
          {state.message} ({formatSeconds(state.elapsedMs)})
        </p>
      );
    case 'failed':
      return (
        <div className="avatar-problem" role="alert" data-testid="avatar-load-result">
          <p>{state.error.message}</p>
          {state.error.hint ? <p className="hint">{state.error.hint}</p> : null}
        </div>
      );
  }
}

function SyncTalkStatus({ avatar }: { avatar: SyncTalkAvatarSettings }) {
  const avatarSource = useAppStore(selectAvatarSource);
  const { state: check, check: checkAgain } = useSyncTalkCheck(avatar);
  const { state: load, load: loadAvatar } = useSyncTalkLoad(avatar, checkAgain);
  const info = check.phase === 'failed' ? null : check.info;
  const loading = load.phase === 'loading';
  const canLoad =
    info !== null &&
    info.reachable &&
    (info.readiness === 'not-loaded' || info.readiness === 'unknown');

  return (
    <>
      <p data-testid="avatar-provider">
        SyncTalk avatar <code>{avatar.avatarName}</code>
      </p>
      <p data-testid="avatar-on-air">On air: {describeOnAir(avatarSource)}</p>
      <p data-testid="avatar-server-url">
        Server <code>{info?.serverUrl ?? avatar.serverUrl}</code>
        {info?.urlFromEnvironment ? ' (from SYNCTALK_SERVER_URL)' : null}
      </p>
      {check.phase === 'failed' ? (
        <div className="avatar-problem" role="alert" data-testid="avatar-reachability">
          <p>Could not check the server: {check.error.message}</p>
          {check.error.hint ? <p className="hint">{check.error.hint}</p> : null}
        </div>
      ) : info === null ? (
        <p className="hint" data-testid="avatar-reachability">
          Checking…
        </p>
      ) : info.reachable ? (
        <p className="avatar-ok" data-testid="avatar-reachability">
          Reachable{check.phase === 'checking' ? ' (checking again…)' : null}
        </p>
      ) : (
        <div className="avatar-problem" data-testid="avatar-reachability">
          <p>
            Unreachable: {info.problem?.message ?? 'the server did not answer.'}
            {check.phase === 'checking' ? ' (checking again…)' : null}
          </p>
          {info.problem?.hint ? <p className="hint">{info.problem.hint}</p> : null}
        </div>
      )}
      {info?.reachable ? (
        <>
          <ServerAvatars info={info} avatarName={avatar.avatarName} />
          <div data-testid="avatar-readiness">
            <p className={info.readiness === 'loaded' ? 'avatar-ok' : undefined}>
              {describeReadiness(info.readiness)}
            </p>
            {info.note ? <p className="hint">{info.note}</p> : null}
          </div>
          {info.capacity ? (
            <p data-testid="avatar-capacity">
              Streams: {info.capacity.currentStreams} of {info.capacity.maximumStreams} in use
            </p>
          ) : null}
        </>
      ) : null}
      <div className="field-row">
        {canLoad || loading ? (
          <button
            type="button"
            className="primary"
            onClick={() => void loadAvatar()}
            disabled={loading}
          >
            Load avatar
          </button>
        ) : null}
        <button type="button" onClick={checkAgain} disabled={check.phase === 'checking'}>
          Check again
        </button>
      </div>
      <LoadStatus state={load} />
    </>
  );
}

export function AvatarPanel() {
  const lesson = useAppStore((s) => s.lesson);
  const avatar = lesson?.avatar ?? null;
  return (
    <section className="panel avatar-panel" aria-label="Avatar">
      <h2>Avatar</h2>
      {lesson === null || avatar === null ? (
        <p className="hint">No lesson open.</p>
      ) : avatar.provider === 'local' ? (
        <p data-testid="avatar-provider">Built-in avatar</p>
      ) : (
        // A new lesson or avatar starts from a clean slate: no answer from the previous one.
        <SyncTalkStatus key={`${lesson.id}\n${JSON.stringify(avatar)}`} avatar={avatar} />
      )}
    </section>
  );
}
