/**
 * Reconnection delays: exponential from `initialDelayMs` to `maxDelayMs`, each spread by up to
 * ±`jitterRatio` so several clients that lost the same server do not return in step. After
 * `maxAttempts` consecutive failures the session gives up and reports itself unavailable.
 */
export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
  /** 0.2 spreads each delay over ±20 %. */
  jitterRatio: number;
  maxAttempts: number;
}

export const defaultBackoffPolicy: BackoffPolicy = {
  initialDelayMs: 250,
  maxDelayMs: 4000,
  multiplier: 2,
  jitterRatio: 0.2,
  maxAttempts: 6,
};

/** The delay before attempt `attempt` (0 = the first retry); `random` returns [0, 1). */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number,
): number {
  const baseMs = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * policy.multiplier ** Math.max(0, attempt),
  );
  const jitterMs = baseMs * policy.jitterRatio * (2 * random() - 1);
  return Math.max(0, Math.round(baseMs + jitterMs));
}

/** Every delay the policy allows, in order: its length is the number of retries. */
export function backoffSchedule(policy: BackoffPolicy, random: () => number): number[] {
  return Array.from({ length: policy.maxAttempts }, (_, attempt) =>
    backoffDelayMs(attempt, policy, random),
  );
}
