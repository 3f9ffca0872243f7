import { afterEach, describe, expect, it } from 'vitest';
import type { PregenerateApi } from '../../engine/pregenerate/lesson-pregenerator.ts';
import { lessonSchema, type Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { ok } from '../../../shared/result.ts';
import { initialPlayback, useAppStore } from '../../store/app-store.ts';
import { cancelPregenerate, startPregenerate, usePregenerateRun } from './pregenerate-run.ts';

const lesson: Lesson = lessonSchema.parse({
  schemaVersion: 1,
  id: 'run-test',
  title: 'Run',
  slides: [1, 2, 3].map((i) => ({ id: `s${i}`, image: `${i}.png`, narration: `Slide ${i}.` })),
});

/** Speech that answers only when released, so the run can be caught mid-way. */
function heldApi() {
  const asked: string[] = [];
  const waiting: (() => void)[] = [];
  const api: PregenerateApi = {
    speech: {
      synthesize: (request) => {
        asked.push(request.slideId);
        return new Promise((resolve) => {
          waiting.push(() =>
            resolve(
              ok({
                pcm: new Uint8Array(640),
                sampleRateHz: 16_000,
                durationMs: 20,
                words: [],
                cached: false,
                providerId: 'fake',
                fallback: null,
              }),
            ),
          );
        });
      },
    },
    avatar: {
      segment: () => Promise.resolve(ok({ frameCount: 0, source: 'server' as const })),
      onSegmentFrame: () => () => undefined,
      grantSegmentCredit: () => undefined,
      cancelSegment: () => undefined,
    },
    log: { write: () => undefined },
  };
  return { api, asked, releaseNext: () => waiting.shift()?.() };
}

afterEach(() => {
  cancelPregenerate();
  useAppStore.setState({ playback: initialPlayback });
});

describe('the preparation run', () => {
  it('runs to the end and keeps its progress for the panel', async () => {
    useAppStore.getState().setLesson('/lessons/a', lesson);
    const { api, asked, releaseNext } = heldApi();
    const done = startPregenerate(api, '/lessons/a', lesson);
    expect(usePregenerateRun.getState()).toMatchObject({ running: true, lessonDir: '/lessons/a' });
    // A second press while it runs starts nothing.
    expect(await startPregenerate(api, '/lessons/a', lesson)).toBeNull();
    for (let i = 0; i < 3; i += 1) {
      await expect.poll(() => asked.length).toBe(i + 1);
      releaseNext();
    }
    const final = await done;
    expect(final?.state).toBe('done');
    expect(usePregenerateRun.getState()).toMatchObject({
      running: false,
      progress: { state: 'done', slidesReady: 3 },
    });
  });

  it('stops when the program starts presenting, and says why', async () => {
    useAppStore.getState().setLesson('/lessons/a', lesson);
    const { api, asked } = heldApi();
    const done = startPregenerate(api, '/lessons/a', lesson);
    await expect.poll(() => asked.length).toBe(1);
    useAppStore.setState({ playback: { ...initialPlayback, playState: 'playing' } });
    const final = await done;
    expect(final?.state).toBe('cancelled');
    expect(usePregenerateRun.getState().stoppedBecause).toBe('the program started presenting');
  });

  it('stops when another lesson is opened', async () => {
    useAppStore.getState().setLesson('/lessons/a', lesson);
    const { api, asked } = heldApi();
    const done = startPregenerate(api, '/lessons/a', lesson);
    await expect.poll(() => asked.length).toBe(1);
    useAppStore.getState().setLesson('/lessons/b', lesson);
    expect((await done)?.state).toBe('cancelled');
    expect(usePregenerateRun.getState().stoppedBecause).toBe('another lesson was opened');
  });
});
