/**
 * Each provider's reachability for `GET /status`, from the same probes as `rapido status`
 * (hosts/cli/status-probes.ts, handed in by `rapido api`). A probe asks the service for real and
 * may take seconds, so answers come from the last finished round while a new round runs in the
 * background once the last is older than `maxAgeMs`; only the very first request waits for one.
 * A flood of /status requests therefore never becomes a flood of probes.
 */
export interface ProviderState {
  name: string;
  state: 'ok' | 'off' | 'problem';
}

export type ProviderProbe = () => Promise<ProviderState[]>;

export interface ProviderStatusCache {
  current(): Promise<ProviderState[]>;
}

export function createProviderStatusCache(
  probe: ProviderProbe,
  options: { maxAgeMs: number; now: () => number },
): ProviderStatusCache {
  let last: { states: ProviderState[]; atMs: number } | null = null;
  let running: Promise<ProviderState[]> | null = null;
  const refresh = (): Promise<ProviderState[]> => {
    running ??= probe()
      .catch((): ProviderState[] => [{ name: 'probes', state: 'problem' }])
      .then((states) => {
        last = { states, atMs: options.now() };
        running = null;
        return states;
      });
    return running;
  };
  return {
    async current() {
      if (last === null) return refresh();
      if (options.now() - last.atMs > options.maxAgeMs) void refresh();
      return last.states;
    },
  };
}
