import { describe, expect, it } from 'vitest';
import type { PreparedSlide, SlidePreparer } from '../playback/slide-preparer.ts';
import { IdleLookAhead } from './look-ahead.ts';

function preparer(): SlidePreparer {
  return {
    slideCount: 2,
    prepare: (index: number) =>
      Promise.resolve({ ok: true, value: { index } as unknown as PreparedSlide }),
  } as unknown as SlidePreparer;
}

function settledFlag(promise: Promise<void>): { settled: boolean } {
  const flag = { settled: false };
  void promise.then(() => (flag.settled = true));
  return flag;
}

describe('IdleLookAhead.whenPreRolled', () => {
  it('settles at once when nothing was pre-rolled', async () => {
    await expect(new IdleLookAhead().whenPreRolled()).resolves.toBeUndefined();
  });

  it('settles when the selected slide is pre-rolled, not when the lesson shows', async () => {
    const lookAhead = new IdleLookAhead();
    let ready: () => void = () => undefined;
    const asked: number[] = [];
    await lookAhead.schedule(
      preparer(),
      0,
      false,
      () => true,
      (prepared) => {
        asked.push(prepared.index);
        return new Promise<void>((resolve) => (ready = resolve));
      },
    );
    // schedule returned (the lesson shows) while the pre-roll is still under way.
    expect(asked).toEqual([0]);
    const flag = settledFlag(lookAhead.whenPreRolled());
    await Promise.resolve();
    expect(flag.settled).toBe(false);
    ready();
    await lookAhead.whenPreRolled();
    expect(flag.settled).toBe(true);
  });

  it('a failed pre-roll still settles (Play asks again and tells its own failure)', async () => {
    const lookAhead = new IdleLookAhead();
    await lookAhead.schedule(
      preparer(),
      0,
      false,
      () => true,
      () => Promise.reject(new Error('server gone')),
    );
    await expect(lookAhead.whenPreRolled()).resolves.toBeUndefined();
  });

  it('no pre-roll for a slide no longer selected', async () => {
    const lookAhead = new IdleLookAhead();
    const asked: number[] = [];
    await lookAhead.schedule(
      preparer(),
      1,
      false,
      () => false,
      (prepared) => {
        asked.push(prepared.index);
        return Promise.resolve();
      },
    );
    expect(asked).toEqual([]);
  });
});
