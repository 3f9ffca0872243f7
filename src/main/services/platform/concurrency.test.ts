import { describe, expect, test } from 'vitest';
import { createLimiter, mapLimited } from './concurrency.ts';

describe('mapLimited', () => {
  test('keeps at most the limit in flight and the results in order', async () => {
    let inFlight = 0;
    let most = 0;
    const items = Array.from({ length: 200 }, (_, index) => index);
    const results = await mapLimited(items, 16, async (item) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      // Finish out of order, so order comes from the index and not from timing.
      await new Promise((resolve) => setImmediate(resolve));
      if (item % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return item * 2;
    });
    expect(most).toBe(16);
    expect(results).toEqual(items.map((item) => item * 2));
  });
});

describe('createLimiter', () => {
  test('runs at most the limit at once, every task once, failures passed on', async () => {
    const limit = createLimiter(4);
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const tasks = Array.from({ length: 50 }, (_, index) =>
      limit(async () => {
        started.push(index);
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        if (index === 7) throw new Error('seven');
        return index;
      }),
    );
    const settled = await Promise.allSettled(tasks);
    expect(most).toBe(4);
    expect(started).toEqual(Array.from({ length: 50 }, (_, index) => index));
    expect(settled[7]).toEqual({ status: 'rejected', reason: new Error('seven') });
    expect(settled.filter((result) => result.status === 'fulfilled')).toHaveLength(49);
    // The failure gave its place back: the limiter still runs four at once afterwards.
    most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        limit(async () => {
          inFlight += 1;
          most = Math.max(most, inFlight);
          await new Promise((resolve) => setImmediate(resolve));
          inFlight -= 1;
        }),
      ),
    );
    expect(most).toBe(4);
    expect(inFlight).toBe(0);
  });
});
