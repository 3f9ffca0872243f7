import type { Redis } from 'ioredis';
import type { Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { renderQueueName } from '../queue/farm-keys.ts';

/**
 * Farm-wide caps on shared services (issue 18, item 4): however many workers there are, at most
 * so many renders use SyncTalk streams (the GPU server admits only so many) or ElevenLabs (the
 * account's concurrency) at once. A render job holds a lease on what its lesson needs for as long
 * as it renders. A lease is a set of units in a Redis sorted set per resource, each scored by
 * its expiry; the holder renews them while it renders, so a worker killed with SIGKILL frees its
 * units within one lease time. Taking units is one Lua script: all of a job's needs or none.
 */
export const farmResources = ['synctalk-streams', 'elevenlabs-requests'] as const;
export type FarmResource = (typeof farmResources)[number];
export type FarmNeeds = Partial<Record<FarmResource, number>>;
export type FarmLimits = Record<FarmResource, number>;

/** Defaults: one SyncTalk stream (a single GPU), and ElevenLabs' smallest plan's concurrency. */
export const defaultFarmLimits: FarmLimits = { 'synctalk-streams': 1, 'elevenlabs-requests': 2 };

/** The farm limits from RAPIDO_FARM_SYNCTALK_STREAMS and RAPIDO_FARM_ELEVENLABS_CONCURRENCY. */
export function farmLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): FarmLimits {
  const read = (name: string, fallback: number): number => {
    const value = Number(env[name] ?? Number.NaN);
    return Number.isInteger(value) && value >= 1 && value <= 1_000 ? value : fallback;
  };
  return {
    'synctalk-streams': read('RAPIDO_FARM_SYNCTALK_STREAMS', defaultFarmLimits['synctalk-streams']),
    'elevenlabs-requests': read(
      'RAPIDO_FARM_ELEVENLABS_CONCURRENCY',
      defaultFarmLimits['elevenlabs-requests'],
    ),
  };
}

/**
 * What one render of the lesson uses at once: a SyncTalk avatar streams one slide at a time and
 * an ElevenLabs voice synthesises for one playback, so one unit each per render process (a job
 * split into `parallel` parts runs that many).
 */
export function lessonNeeds(lesson: Pick<Lesson, 'voice' | 'avatar'>, parallel: number): FarmNeeds {
  const needs: FarmNeeds = {};
  if (lesson.avatar.provider === 'synctalk') needs['synctalk-streams'] = parallel;
  if (lesson.voice.provider === 'elevenlabs') needs['elevenlabs-requests'] = parallel;
  return needs;
}

const acquireScript = `
local now = tonumber(ARGV[1])
local expiry = tonumber(ARGV[2])
local holder = ARGV[3]
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  local need = tonumber(ARGV[2 + i * 2])
  local limit = tonumber(ARGV[3 + i * 2])
  local own = 0
  for _, member in ipairs(redis.call('ZRANGE', key, 0, -1)) do
    if string.sub(member, 1, string.len(holder) + 1) == holder .. '#' then own = own + 1 end
  end
  if redis.call('ZCARD', key) - own + need > limit then return 0 end
end
for i, key in ipairs(KEYS) do
  local need = tonumber(ARGV[2 + i * 2])
  for unit = 1, need do redis.call('ZADD', key, expiry, holder .. '#' .. unit) end
end
return 1
`;

export interface FarmLease {
  /** Gives the units back (also stops renewing them). */
  release(): Promise<void>;
}

export interface FarmLeases {
  /** Takes the units if free now (all or none): the lease, or null. */
  tryAcquire(holder: string, needs: FarmNeeds): Promise<FarmLease | null>;
  /** Units in use now, by resource (expired ones not counted). */
  inUse(): Promise<Record<FarmResource, number>>;
  readonly limits: FarmLimits;
}

export function createFarmLeases(options: {
  redis: Redis;
  prefix: string;
  limits: FarmLimits;
  /** A lease not renewed for this long is free again (default 30 s; renewed every third of it). */
  leaseMs?: number;
}): FarmLeases {
  const { redis, limits } = options;
  const leaseMs = options.leaseMs ?? 30_000;
  const keyOf = (resource: FarmResource): string =>
    `${options.prefix}:${renderQueueName}:rapido-lease:${resource}`;

  return {
    limits,
    async tryAcquire(holder, needs) {
      // More than the farm allows could never be granted: such a job takes the whole allowance.
      const wanted = farmResources.flatMap((resource) => {
        const need = Math.min(needs[resource] ?? 0, limits[resource]);
        return need > 0 ? [{ resource, need }] : [];
      });
      const release = async (): Promise<void> => Promise.resolve();
      if (wanted.length === 0) return { release };
      const members = (need: number): string[] =>
        Array.from({ length: need }, (_, unit) => `${holder}#${unit + 1}`);
      const now = Date.now();
      const granted = await redis.eval(
        acquireScript,
        wanted.length,
        ...wanted.map(({ resource }) => keyOf(resource)),
        now,
        now + leaseMs,
        holder,
        ...wanted.flatMap(({ resource, need }) => [need, limits[resource]]),
      );
      if (granted !== 1) return null;
      const renew = setInterval(() => {
        const expiry = Date.now() + leaseMs;
        const pipeline = redis.pipeline();
        for (const { resource, need } of wanted) {
          for (const member of members(need)) pipeline.zadd(keyOf(resource), 'XX', expiry, member);
        }
        pipeline.exec().catch(() => undefined);
      }, leaseMs / 3);
      return {
        async release() {
          clearInterval(renew);
          const pipeline = redis.pipeline();
          for (const { resource, need } of wanted) pipeline.zrem(keyOf(resource), ...members(need));
          await pipeline.exec();
        },
      };
    },
    async inUse() {
      const now = Date.now();
      const counts = await Promise.all(
        farmResources.map((resource) => redis.zcount(keyOf(resource), `(${now}`, '+inf')),
      );
      return Object.fromEntries(
        farmResources.map((resource, index) => [resource, counts[index] ?? 0]),
      ) as Record<FarmResource, number>;
    },
  };
}
