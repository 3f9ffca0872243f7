import { useCallback, useEffect, useRef, useState } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import type {
  ElevenLabsModelInfo,
  ElevenLabsStatusInfo,
  ElevenLabsVoiceInfo,
  QuotaInfo,
} from '../../../shared/ipc/contract.ts';
import type { RapidoError, Result } from '../../../shared/result.ts';

/**
 * The ElevenLabs account as the Voice panel sees it: key status, quota, voices and models. All of
 * it is asked of main (the key never comes back); answers that arrive after a newer question, or
 * after the panel is gone, are dropped.
 */

export type Fetched<T> =
  { phase: 'loading' } | { phase: 'ready'; value: T } | { phase: 'failed'; error: RapidoError };

export type KeyAction =
  | { phase: 'idle' }
  | { phase: 'saving' }
  | { phase: 'removing' }
  | { phase: 'failed'; error: RapidoError };

function fetched<T>(result: Result<T>): Fetched<T> {
  return result.ok
    ? { phase: 'ready', value: result.value }
    : { phase: 'failed', error: result.error };
}

/** Latest-wins requests: each call gets a ticket and only the newest ticket may write. */
function useLatest() {
  const counter = useRef(0);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      counter.current += 1;
    };
  }, []);
  return useCallback(() => {
    counter.current += 1;
    const mine = counter.current;
    return () => alive.current && mine === counter.current;
  }, []);
}

export interface ElevenLabsAccount {
  status: Fetched<ElevenLabsStatusInfo>;
  /** Null while there is no key to ask with. */
  quota: Fetched<QuotaInfo> | null;
  keyAction: KeyAction;
  /** Bumped whenever the key is set or removed here: what was listed for the old key is stale. */
  keyRevision: number;
  refresh: () => void;
  refreshQuota: () => void;
  saveKey: (apiKey: string) => Promise<void>;
  removeKey: () => Promise<void>;
}

export function useElevenLabsAccount(): ElevenLabsAccount {
  const [status, setStatus] = useState<Fetched<ElevenLabsStatusInfo>>({ phase: 'loading' });
  const [quota, setQuota] = useState<Fetched<QuotaInfo> | null>(null);
  const [keyAction, setKeyAction] = useState<KeyAction>({ phase: 'idle' });
  const [keyRevision, setKeyRevision] = useState(0);
  const statusTicket = useLatest();
  const quotaTicket = useLatest();

  const refreshQuota = useCallback(() => {
    const current = quotaTicket();
    void rapido.elevenLabs.quota().then((result) => {
      if (current()) setQuota(fetched(result));
    });
  }, [quotaTicket]);

  const refresh = useCallback(() => {
    const current = statusTicket();
    void rapido.elevenLabs.status().then((result) => {
      if (!current()) return;
      setStatus((previous) =>
        // A failed refresh keeps the last answer on screen rather than blanking the panel.
        result.ok || previous.phase !== 'ready' ? fetched(result) : previous,
      );
      if (!result.ok) return;
      if (result.value.key.present) refreshQuota();
      else {
        quotaTicket();
        setQuota(null);
      }
    });
  }, [statusTicket, quotaTicket, refreshQuota]);

  useEffect(() => {
    refresh();
  }, [refresh]);

  // A key action's own answer always lands (React drops writes after unmount); taking a ticket
  // afterwards makes a status refresh still in flight, asked before the change, stale.
  const saveKey = useCallback(
    async (apiKey: string) => {
      setKeyAction({ phase: 'saving' });
      const saved = await rapido.elevenLabs.setKey(apiKey);
      if (saved.ok) {
        statusTicket();
        quotaTicket();
        setStatus({ phase: 'ready', value: saved.value.status });
        setQuota({ phase: 'ready', value: saved.value.quota });
        setKeyAction({ phase: 'idle' });
        setKeyRevision((revision) => revision + 1);
      } else {
        setKeyAction({ phase: 'failed', error: saved.error });
        // The key was refused, not stored: show what main now holds (usually: no key).
        refresh();
      }
    },
    [statusTicket, quotaTicket, refresh],
  );

  const removeKey = useCallback(async () => {
    setKeyAction({ phase: 'removing' });
    const cleared = await rapido.elevenLabs.clearKey();
    if (!cleared.ok) {
      setKeyAction({ phase: 'failed', error: cleared.error });
      return;
    }
    statusTicket();
    setStatus({ phase: 'ready', value: cleared.value });
    setKeyAction({ phase: 'idle' });
    setKeyRevision((revision) => revision + 1);
    // An ELEVENLABS_API_KEY may still be there once the typed key is gone.
    if (cleared.value.key.present) refreshQuota();
    else {
      quotaTicket();
      setQuota(null);
    }
  }, [statusTicket, quotaTicket, refreshQuota]);

  return { status, quota, keyAction, keyRevision, refresh, refreshQuota, saveKey, removeKey };
}

export interface ElevenLabsCatalogue {
  voices: Fetched<ElevenLabsVoiceInfo[]>;
  models: Fetched<ElevenLabsModelInfo[]>;
  retry: () => void;
}

/**
 * The account's voices and models, asked for whenever `keyIdentity` changes (a key was set,
 * replaced or removed) and on Retry. Null `keyIdentity`: no key, nothing to ask.
 */
export function useElevenLabsCatalogue(keyIdentity: string | null): ElevenLabsCatalogue {
  const [voices, setVoices] = useState<Fetched<ElevenLabsVoiceInfo[]>>({ phase: 'loading' });
  const [models, setModels] = useState<Fetched<ElevenLabsModelInfo[]>>({ phase: 'loading' });
  const ticket = useLatest();

  const load = useCallback(() => {
    const current = ticket();
    setVoices({ phase: 'loading' });
    setModels({ phase: 'loading' });
    if (keyIdentity === null) return;
    void rapido.elevenLabs.voices().then((result) => {
      if (current())
        setVoices(fetched(result.ok ? { ok: true, value: result.value.voices } : result));
    });
    void rapido.elevenLabs.models().then((result) => {
      if (current())
        setModels(fetched(result.ok ? { ok: true, value: result.value.models } : result));
    });
  }, [keyIdentity, ticket]);

  useEffect(() => {
    load();
  }, [load]);

  return { voices, models, retry: load };
}
