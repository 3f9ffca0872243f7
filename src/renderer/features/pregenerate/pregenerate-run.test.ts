import { afterEach, describe, expect, it } from 'vitest';
import type { EventPayload, PrepareProgressInfo } from '../../../shared/ipc/contract.ts';
import { lessonSchema, type Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { ok } from '../../../shared/result.ts';
import { initialPlayback, useAppStore } from '../../store/app-store.ts';
import {
  cancelPregenerate,
  startPregenerate,
  usePregenerateRun,
  type PregenerateApi,
} from './pregenerate-run.ts';

const lesson: Lesson = lessonSchema.parse({
  schemaVersion: 1,
  id: 'run-test',
  title: 'Run',
  slides: [1, 2, 3].map((i) => ({ id: `s${i}`, image: `${i}.png`, narration: `Slide ${i}.` })),
});

function progressAfter(slidesDone: number, state: PrepareProgressInfo['state']) {
  return {
    state,
    phase: state === 'running' ? ('speech' as const) : ('done' as const),
    slideIndex: Math.min(slidesDone, 2),
    slidesDone,
    slidesTotal: 3,
    slidesReady: slidesDone,
    slidesFromCache: 0,
    fraction: slidesDone / 3,
    speechMsDone: 0,
    speechMsTotalEstimate: 0,
    elapsedMs: 0,
    etaMs: null,
    speechCached: 0,
    avatarCached: 0,
    avatarMade: 0,
    failures: [],
    warnings: [],
  };
}

/**
 * Main's pipeline as the run sees it: each slide's speech answers only when released, progress
 * comes as events for the run, and a cancel ends the run with its summary.
 */
function heldApi() {
  const asked: string[] = [];
  const waiting: (() => void)[] = [];
  let listeners: ((payload: EventPayload<'pipeline:prepare-progress'>) => void)[] = [];
  const cancelled = new Set<string>();
  let wakeCancel: () => void = () => undefined;
  const api: PregenerateApi = {
    pipeline: {
      prepareLesson: async ({ runId, lesson: asked_lesson }) => {
        for (let index = 0; index < asked_lesson.slides.length; index += 1) {
          asked.push(asked_lesson.slides[index]?.id ?? '');
          await new Promise<void>((resolve) => {
            waiting.push(resolve);
            wakeCancel = resolve;
          });
          if (cancelled.has(runId)) return ok(progressAfter(index, 'cancelled'));
          for (const listener of listeners) {
            listener({ runId, progress: progressAfter(index + 1, 'running') });
          }
        }
        return ok(progressAfter(asked_lesson.slides.length, 'done'));
      },
      onPrepareProgress: (listener) => {
        listeners.push(listener);
        return () => {
          listeners = listeners.filter((l) => l !== listener);
        };
      },
      cancelPrepare: (runId) => {
        cancelled.add(runId);
        wakeCancel();
      },
    },
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
