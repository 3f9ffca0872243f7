import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiTestServer } from '../../../../testing/farm/api-test-server.ts';
import { createApiRateLimiter } from './rate-limit.ts';

/**
 * Rate limits in memory, and in a real Redis (no mock) shared by two API servers: a client's
 * allowance is counted once across them. The Redis is the suite's (RAPIDO_TEST_REDIS_URL, which
 * .ci/run starts) or, run alone, a redis-server of this test's own on a free loopback port.
 * TODO(lead, after merging H1): start it with testing/support/redis-server.ts instead.
 */
let redisProcess: ChildProcess | null = null;
let redisUrl: string;

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

beforeAll(async () => {
  const given = process.env.RAPIDO_TEST_REDIS_URL;
  if (given !== undefined && given !== '') {
    redisUrl = given;
    return;
  }
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  redisProcess = child;
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('Ready to accept connections')) resolve();
    });
  });
  redisUrl = `redis://127.0.0.1:${port}`;
});
afterAll(async () => {
  if (redisProcess !== null) {
    redisProcess.kill('SIGTERM');
    await once(redisProcess, 'exit');
  }
});

describe('rate limits', () => {
  it('in memory: per client, a retry time once spent', async () => {
    const limiter = createApiRateLimiter({ requestsPerMinute: 2, submitsPerMinute: 1 }, null);
    expect(await limiter.take('a', 'submit')).toEqual({ ok: true });
    const second = await limiter.take('a', 'submit');
    expect(second.ok).toBe(false);
    expect(second.ok ? 0 : second.retryAfterSeconds).toBeGreaterThan(0);
    expect(await limiter.take('b', 'request')).toEqual({ ok: true });
    // The refused submit still counted as a request: the request allowance is spent too.
    expect((await limiter.take('a', 'request')).ok).toBe(false);
  });

  it('in Redis: two API servers count one client once', async () => {
    const clients = [new Redis(redisUrl), new Redis(redisUrl)];
    const prefix = `test-${Date.now()}`;
    const servers = await Promise.all(
      clients.map((redis) =>
        startApiTestServer({ limits: { requestsPerMinute: 4 }, redis, rateLimitPrefix: prefix }),
      ),
    );
    try {
      const [first, second] = servers;
      if (!first || !second) throw new Error('two servers expected');
      const token = await first.token(['jobs:read']);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i += 1) {
        const server = i % 2 === 0 ? first : second;
        const response = await fetch(`${server.server.url}/v1/jobs`, {
          headers: { authorization: `Bearer ${token}` },
        });
        statuses.push(response.status);
        if (response.status === 429)
          expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      const keys = await clients[0]?.keys(`${prefix}*`);
      expect(keys?.length).toBeGreaterThan(0);
    } finally {
      await Promise.all(servers.map((server) => server.close()));
      for (const client of clients) client.disconnect();
    }
  });
});
