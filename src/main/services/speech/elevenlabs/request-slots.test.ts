import { describe, expect, test } from 'vitest';
import { createRequestSlots } from './request-slots.ts';

describe('createRequestSlots', () => {
  test('grants at most the limit, then in arrival order', async () => {
    const slots = createRequestSlots(2);
    const order: string[] = [];
    const releaseA = await slots.acquire();
    const releaseB = await slots.acquire();
    const c = slots.acquire().then((release) => {
      order.push('c');
      return release;
    });
    const d = slots.acquire().then((release) => {
      order.push('d');
      return release;
    });
    expect(slots.active).toBe(2);
    expect(slots.waiting).toBe(2);
    releaseA();
    releaseA(); // a second release is ignored
    const releaseC = await c;
    expect(order).toEqual(['c']);
    expect(slots.active).toBe(2);
    releaseB();
    (await d)();
    releaseC();
    expect(order).toEqual(['c', 'd']);
    expect(slots.active).toBe(0);
  });

  test('an aborted wait leaves the queue and takes no slot', async () => {
    const slots = createRequestSlots(1);
    const release = await slots.acquire();
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(slots.waiting).toBe(0);
    release();
    expect(slots.active).toBe(0);
  });

  test('raising the limit admits waiters at once', async () => {
    const slots = createRequestSlots(1);
    await slots.acquire();
    const second = slots.acquire();
    slots.setLimit(2);
    await second;
    expect(slots.active).toBe(2);
  });

  test('a retry goes ahead of requests not yet tried', async () => {
    const slots = createRequestSlots(1);
    const release = await slots.acquire();
    const order: string[] = [];
    const fresh = slots.acquire().then((r) => {
      order.push('fresh');
      r();
    });
    const retry = slots.acquire(undefined, { first: true }).then((r) => {
      order.push('retry');
      r();
    });
    release();
    await Promise.all([fresh, retry]);
    expect(order).toEqual(['retry', 'fresh']);
  });
});
