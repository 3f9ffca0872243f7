import { createHash } from 'node:crypto';
import type { ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';

/**
 * Names the API's queue and the workers must agree on: the BullMQ queue, the few keys of our own
 * beside BullMQ's (cancel requests, cancelled jobs, worker details), and how a job id is made.
 * Both sides import this module, so a worker of one version and an API of another that agree on
 * it read each other's jobs.
 */

/** The BullMQ queue every API and worker of a farm shares. */
export const renderQueueName = 'render';
/** BullMQ's key prefix for the farm (several farms can share one Redis with other prefixes). */
export const defaultFarmPrefix = 'rapido';

/** Our own keys, inside BullMQ's namespace for the queue (`<prefix>:render:`). */
export function farmKeys(prefix: string) {
  const base = `${prefix}:${renderQueueName}:rapido`;
  return {
    /** A cancel asked for this job (string, expires): a worker that holds it aborts. */
    cancelRequest: (jobId: string) => `${base}-cancel-request:${jobId}`,
    /** Every cancelled job: zset, score = submittedAtMs. */
    cancelled: `${base}-cancelled`,
    /** Views of cancelled jobs that were removed from BullMQ while queued: hash id -> JSON. */
    cancelledViews: `${base}-cancelled-views`,
    /** Each worker's concurrency, by worker name: hash. */
    workers: `${base}-workers`,
  };
}

/** How long a cancel request stays (a job that no worker takes up in this time was removed). */
export const cancelRequestTtlSeconds = 7 * 24 * 3600;

/**
 * The job id of an idempotency key: the same key always gives the same id, any key gives a safe
 * id (letters and digits only: it names a folder and a Redis key; BullMQ forbids ':' and
 * integer-looking custom ids), and the key itself (which may be secret-ish) is not stored.
 */
export function jobIdForKey(idempotencyKey: string): string {
  return `k-${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex')}`;
}

/** Job ids we make (`k-<sha256>` or a UUID); anything else is not ours and names no folder. */
export const jobIdPattern = /^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/;

/**
 * The reason a failed job records: `[code] message`, so the view can tell a cancelled job (code
 * `cancelled`) and a bad lesson (`bad-input`) from a render that failed.
 */
export function failureReason(code: string, message: string): string {
  return `[${code}] ${message}`;
}

export function parseFailureReason(reason: string): { code: string; message: string } {
  const match = /^\[([a-z][a-z0-9-]{0,59})\] ([\s\S]*)$/.exec(reason);
  const [, code, message] = match ?? [];
  if (code !== undefined && message !== undefined) return { code, message: message.slice(0, 2000) };
  // BullMQ's own reasons (a job that stalled too often): no code of ours.
  return { code: 'failed', message: reason.slice(0, 2000) };
}

export const cancelledCode = 'cancelled';

/**
 * ioredis settings for every farm connection: commands wait through a Redis restart instead of
 * failing after 20 retries (BullMQ requires this for workers; the API waits too rather than
 * answering 500 while Redis restarts), and reconnects back off to at most 2 s.
 */
export function farmConnection(redisUrl: string): ConnectionOptions {
  return { url: redisUrl, maxRetriesPerRequest: null, retryStrategy: reconnectDelay };
}

/** A plain client with the same settings, for the farm's own keys. */
export function farmRedis(redisUrl: string): Redis {
  return new Redis(redisUrl, { maxRetriesPerRequest: null, retryStrategy: reconnectDelay });
}

function reconnectDelay(times: number): number {
  return Math.min(100 * times, 2_000);
}
