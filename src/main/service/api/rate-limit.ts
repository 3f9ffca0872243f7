import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

/**
 * Per-client rate limits (issue 18, item 3) on rate-limiter-flexible: in Redis when the API is
 * given a Redis client (RAPIDO_REDIS_URL), so every API process behind one balancer counts a
 * client once; in memory otherwise. A client is its token's subject, or its address when it has
 * no valid token. Requests of every kind count against `requestsPerMinute`; submits also against
 * the smaller `submitsPerMinute` (each one may unpack an archive or import slide data).
 */
export interface RateLimits {
  requestsPerMinute: number;
  submitsPerMinute: number;
}

export const defaultRateLimits: RateLimits = { requestsPerMinute: 600, submitsPerMinute: 60 };

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface ApiRateLimiter {
  take(client: string, kind: 'request' | 'submit'): Promise<RateDecision>;
}

/** The subset of an ioredis client rate-limiter-flexible uses (defineCommand, eval, …). */
export type RedisStoreClient = object;

export function createApiRateLimiter(
  limits: RateLimits,
  redis: RedisStoreClient | null,
  keyPrefix = 'rapido-api',
): ApiRateLimiter {
  const make = (points: number, name: string): RateLimiterAbstract => {
    const options = { points, duration: 60, keyPrefix: `${keyPrefix}:${name}` };
    if (redis === null) return new RateLimiterMemory(options);
    // If Redis is down the memory limiter stands in (per process), rather than every request
    // failing or none being limited.
    return new RateLimiterRedis({
      ...options,
      storeClient: redis,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(options),
    });
  };
  const requests = make(limits.requestsPerMinute, 'requests');
  const submits = make(limits.submitsPerMinute, 'submits');
  const consume = async (limiter: RateLimiterAbstract, client: string): Promise<RateDecision> => {
    try {
      await limiter.consume(client, 1);
      return { ok: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return {
          ok: false,
          retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
        };
      }
      throw rejection;
    }
  };
  return {
    async take(client, kind) {
      const first = await consume(requests, client);
      if (!first.ok || kind === 'request') return first;
      return consume(submits, client);
    },
  };
}
