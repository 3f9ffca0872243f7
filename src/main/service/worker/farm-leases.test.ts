import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisSkipReason, testRedis } from '../../../../testing/support/redis-server.ts';
import { createFarmLeases, farmLimitsFromEnv, lessonNeeds } from './farm-leases.ts';

/** The farm-wide caps on a real Redis (RAPIDO_TEST_REDIS_URL, or one started here). */
const skip = redisSkipReason();
let server: { url: string; release: () => Promise<void> } | null = null;
let redis: Redis | null = null;

beforeAll(async () => {
  if (skip !== null) return;
  server = await testRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.release();
});

function leases(leaseMs = 30_000, limits = { 'synctalk-streams': 1, 'elevenlabs-requests': 2 }) {
  if (!redis) throw new Error('no Redis');
  return createFarmLeases({ redis, prefix: `t${randomUUID().slice(0, 8)}`, limits, leaseMs });
}

describe('lessonNeeds and farmLimitsFromEnv', () => {
  it('counts a unit per render process for SyncTalk avatars and ElevenLabs voices', () => {
    const offline = { voice: { provider: 'offline' }, avatar: { provider: 'local' } } as const;
    expect(lessonNeeds(offline as never, 1)).toEqual({});
    const remote = { voice: { provider: 'elevenlabs' }, avatar: { provider: 'synctalk' } } as const;
    expect(lessonNeeds(remote as never, 3)).toEqual({
      'synctalk-streams': 3,
      'elevenlabs-requests': 3,
    });
  });

  it('reads the caps from the environment, keeping defaults for bad values', () => {
    expect(
      farmLimitsFromEnv({
        RAPIDO_FARM_SYNCTALK_STREAMS: '4',
        RAPIDO_FARM_ELEVENLABS_CONCURRENCY: 'many',
      }),
    ).toEqual({ 'synctalk-streams': 4, 'elevenlabs-requests': 2 });
  });
});

describe('createFarmLeases', () => {
  it('grants up to the cap, all of a job\u2019s needs or none, and frees units on release', async (ctx) => {
    if (skip !== null) return ctx.skip(skip);
    const farm = leases();
    const first = await farm.tryAcquire('w1:job-1', { 'synctalk-streams': 1 });
    expect(first).not.toBeNull();
    expect(await farm.tryAcquire('w2:job-2', { 'synctalk-streams': 1 })).toBeNull();
    // ElevenLabs is free, but the job needs a stream too: nothing is taken.
    expect(
      await farm.tryAcquire('w2:job-3', { 'synctalk-streams': 1, 'elevenlabs-requests': 1 }),
    ).toBeNull();
    expect(await farm.inUse()).toEqual({ 'synctalk-streams': 1, 'elevenlabs-requests': 0 });
    const voices = await farm.tryAcquire('w2:job-4', { 'elevenlabs-requests': 2 });
    expect(voices).not.toBeNull();
    expect(await farm.tryAcquire('w3:job-5', { 'elevenlabs-requests': 1 })).toBeNull();
    await first?.release();
    await voices?.release();
    const both = await farm.tryAcquire('w2:job-3', {
      'synctalk-streams': 1,
      'elevenlabs-requests': 1,
    });
    expect(both).not.toBeNull();
    expect(await farm.inUse()).toEqual({ 'synctalk-streams': 1, 'elevenlabs-requests': 1 });
    await both?.release();
    // A job that needs more than the farm allows gets the whole allowance.
    const greedy = await farm.tryAcquire('w1:job-6', { 'synctalk-streams': 5 });
    expect(greedy).not.toBeNull();
    await greedy?.release();
    // Needing nothing takes nothing.
    expect(await farm.tryAcquire('w1:job-7', {})).not.toBeNull();
    expect(await farm.inUse()).toEqual({ 'synctalk-streams': 0, 'elevenlabs-requests': 0 });
  });

  it('renews a held lease, and frees a lease whose holder stopped renewing (a dead worker)', async (ctx) => {
    if (skip !== null) return ctx.skip(skip);
    const leaseMs = 600;
    const live = leases(leaseMs);
    const held = await live.tryAcquire('alive:job', { 'synctalk-streams': 1 });
    // Three lease times later the live holder still has it (renewed every third).
    const until = Date.now() + leaseMs * 3;
    while (Date.now() < until) {
      expect(await live.tryAcquire('other:job', { 'synctalk-streams': 1 })).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await held?.release();

    // A holder that never renews: its unit is in Redis with an expiry and nothing else.
    if (!redis) throw new Error('no Redis');
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const limits = { 'synctalk-streams': 1, 'elevenlabs-requests': 1 };
    await redis.zadd(`${prefix}:render:rapido-lease:synctalk-streams`, Date.now() + 300, 'dead#1');
    const farm = createFarmLeases({ redis, prefix, limits, leaseMs });
    expect(await farm.tryAcquire('next:job', { 'synctalk-streams': 1 })).toBeNull();
    const deadline = Date.now() + 5_000;
    let taken = null;
    while (taken === null && Date.now() < deadline) {
      taken = await farm.tryAcquire('next:job', { 'synctalk-streams': 1 });
      if (taken === null) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(taken).not.toBeNull();
    await taken?.release();
  });
});
