/**
 * A token bucket per client for lines the page asks main to log: a page (compromised or just
 * looping) could otherwise fill the disk at full speed (20 MB in 3.5 s was measured). Lines over
 * the rate are dropped and counted; the count is logged once lines flow again, so the log still
 * says that something was lost and how much.
 */

export interface LogRateLimitOptions {
  /** Lines a client may log at once after being quiet. */
  burst: number;
  /** Lines per second a client may log in the long run. */
  perSecond: number;
  now?: () => number;
}

export type Admission =
  /** Log the line; `droppedBefore` lines were dropped since the last admitted one. */
  | { admit: true; droppedBefore: number }
  /** Drop it; `firstDrop` is true for the first line dropped in a run (worth one warning). */
  | { admit: false; firstDrop: boolean };

interface Bucket {
  tokens: number;
  updatedMs: number;
  dropped: number;
}

/** Past this many clients, buckets that have refilled are forgotten (they equal a new one). */
const maxRememberedClients = 256;

export function createLogRateLimiter(options: LogRateLimitOptions): {
  admit(clientId: string): Admission;
} {
  const now = options.now ?? (() => performance.now());
  const buckets = new Map<string, Bucket>();
  const refill = (bucket: Bucket, at: number) => {
    const elapsedSeconds = Math.max(0, at - bucket.updatedMs) / 1000;
    bucket.tokens = Math.min(options.burst, bucket.tokens + elapsedSeconds * options.perSecond);
    bucket.updatedMs = at;
  };
  const forgetIdle = (at: number) => {
    for (const [client, bucket] of buckets) {
      refill(bucket, at);
      if (bucket.tokens >= options.burst && bucket.dropped === 0) buckets.delete(client);
    }
  };
  return {
    admit(clientId) {
      const at = now();
      let bucket = buckets.get(clientId);
      if (bucket === undefined) {
        if (buckets.size >= maxRememberedClients) forgetIdle(at);
        bucket = { tokens: options.burst, updatedMs: at, dropped: 0 };
        buckets.set(clientId, bucket);
      }
      refill(bucket, at);
      if (bucket.tokens < 1) {
        bucket.dropped += 1;
        return { admit: false, firstDrop: bucket.dropped === 1 };
      }
      bucket.tokens -= 1;
      const droppedBefore = bucket.dropped;
      bucket.dropped = 0;
      return { admit: true, droppedBefore };
    },
  };
}
