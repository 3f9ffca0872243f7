/**
 * A bound on requests in flight, granted first come first served: the renderer asks for the
 * slide on air before its look-ahead, so arrival order is also priority order. The bound can
 * change while running (the service reports its own limit in `maximum-concurrent-requests`).
 */
export interface RequestSlots {
  /**
   * Resolves with a release function, or rejects with the signal's reason if aborted first.
   * `first` puts a retry ahead of requests that have not been tried yet (it was asked earlier,
   * so it is usually for the slide on air).
   */
  acquire(signal?: AbortSignal, options?: { first?: boolean }): Promise<() => void>;
  setLimit(limit: number): void;
  readonly limit: number;
  readonly active: number;
  readonly waiting: number;
}

export function createRequestSlots(initialLimit: number): RequestSlots {
  let limit = Math.max(1, Math.floor(initialLimit));
  let active = 0;
  const queue: { grant: () => void }[] = [];

  function pump(): void {
    while (active < limit && queue.length > 0) {
      const next = queue.shift();
      if (!next) return;
      active += 1;
      next.grant();
    }
  }

  function releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      active -= 1;
      pump();
    };
  }

  return {
    acquire(signal, options) {
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      if (active < limit && queue.length === 0) {
        active += 1;
        return Promise.resolve(releaser());
      }
      return new Promise((resolve, reject) => {
        const entry = {
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve(releaser());
          },
        };
        const onAbort = () => {
          const index = queue.indexOf(entry);
          if (index >= 0) queue.splice(index, 1);
          reject(signal?.reason as Error);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        if (options?.first) queue.unshift(entry);
        else queue.push(entry);
      });
    },
    setLimit(next) {
      limit = Math.max(1, Math.floor(next));
      pump();
    },
    get limit() {
      return limit;
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}
