import { readdir } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  pingRedis,
  redisSkipReason,
  startRedisServer,
  type RedisTestServer,
} from './redis-server.ts';

/** The test Redis itself: it answers, it keeps what was written across a restart, it stops. */
describe('startRedisServer', () => {
  let server: RedisTestServer | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it('answers PING, keeps writes across a restart on the same port, and stops', async (ctx) => {
    const skip = redisSkipReason({ ownServer: true });
    if (skip !== null) return ctx.skip(skip);
    server = await startRedisServer();
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(await pingRedis(server.port)).toBe(true);

    const client = new Redis(server.url, { maxRetriesPerRequest: null });
    try {
      await client.set('kept', 'across a restart');
      await client.rpush('list', 'a', 'b');
      await server.restart();
      // The same client reconnects to the same port and reads what the append-only file kept.
      expect(await client.get('kept')).toBe('across a restart');
      expect(await client.lrange('list', 0, -1)).toEqual(['a', 'b']);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await client.config('GET', 'appendfsync')).toEqual(['appendfsync', 'always']);
    } finally {
      client.disconnect();
    }
    // Persistence stays in its own folder.
    expect(await readdir(server.dataDir)).toEqual(
      expect.arrayContaining(['appendonlydir', 'redis-server.log']),
    );
    const port = server.port;
    await server.stop();
    server = null;
    expect(await pingRedis(port)).toBe(false);
  });
});
