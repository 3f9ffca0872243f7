import { describe, expect, it } from 'vitest';
import type {
  SendPayload,
  SlideSpeechRequestInfo,
  SpeechInfo,
} from '../../../shared/ipc/contract.ts';
import {
  lessonSchema,
  type Lesson,
  type SyncTalkAvatarSettings,
} from '../../../shared/lesson/lesson-schema.ts';
import { err, ok, type Result } from '../../../shared/result.ts';
import { slideSpeechRequest } from '../../../shared/speech/slide-speech-request.ts';
import type {
  PrepareHandlers,
  SegmentSummary,
} from '../avatar/avatar-segments/avatar-segment-service.ts';
import type { AvatarPrepareJob } from '../avatar/synctalk-avatar-service.ts';
import { LessonPreparer, type PregenerateProgress, type PrepareSteps } from './lesson-preparer.ts';

const syncTalkAvatar: SyncTalkAvatarSettings = {
  provider: 'synctalk',
  serverUrl: 'http://127.0.0.1:1',
  avatarName: 'a',
  frameSize: { width: 8, height: 8 },
  keyColor: '#00ff00',
  chromaKey: { similarity: 0.4, smoothness: 0.08, spill: 0.1 },
  placement: { x: 0, y: 0, width: 1, height: 1 },
};

function lessonWith(narrations: string[], synctalk = false): Lesson {
  return lessonSchema.parse({
    schemaVersion: 1,
    id: 'pregen-test',
    title: 'Pregenerate',
    ...(synctalk ? { avatar: syncTalkAvatar } : {}),
    slides: narrations.map((narration, i) => ({
      id: `s${i + 1}`,
      image: `slides/${i + 1}.png`,
      narration,
    })),
  });
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Lets every queued promise callback and timer run. */
function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

interface FakeOptions {
  /** Slide ids whose speech is already cached. */
  cachedSpeech?: Set<string>;
  /** Slide ids whose avatar segment is already cached. */
  cachedAvatar?: Set<string>;
  speechFailure?: Map<string, string>;
  avatarFailure?: Map<string, string>;
  /** Speech that answers only when the test says so. */
  heldSpeech?: Map<string, Deferred<undefined>>;
  /** Server frames per slide (default 20). */
  framesPerSlide?: number;
  /** Advanced by each request, for the ETA. */
  clock?: { ms: number };
  msPerCharacter?: number;
}

/**
 * Main's speech and segment services as the preparer sees them: speech by slide id; avatar
 * segments made frame by frame (one per tick) into "the cache", stopped by the signal.
 */
class FakeMain {
  readonly speechRequests: SlideSpeechRequestInfo[] = [];
  readonly segmentRequests: AvatarPrepareJob[] = [];
  readonly segmentHandlers: PrepareHandlers[] = [];
  readonly logs: SendPayload<'log:write'>[] = [];
  readonly calls: string[] = [];
  /** Segments whose signal fired while they were being made. */
  readonly cancelled: string[] = [];
  readonly steps: PrepareSteps;

  constructor(private readonly options: FakeOptions = {}) {
    this.steps = {
      speech: (request) => this.synthesize(request),
      avatar: (job, handlers) => this.segment(job, handlers),
      log: (entry) => this.logs.push(entry),
    };
  }

  private async synthesize(request: SlideSpeechRequestInfo): Promise<Result<SpeechInfo>> {
    this.speechRequests.push(request);
    this.calls.push(`speech ${request.slideId}`);
    await flush();
    await this.options.heldSpeech?.get(request.slideId)?.promise;
    const failure = this.options.speechFailure?.get(request.slideId);
    if (failure) return err('speech-failed', failure, { hint: 'Check the voice.' });
    const cached = this.options.cachedSpeech?.has(request.slideId) ?? false;
    if (this.options.clock && !cached) {
      this.options.clock.ms += request.text.length * (this.options.msPerCharacter ?? 1);
    }
    const frames = this.options.framesPerSlide ?? 20;
    return ok({
      pcm: new Uint8Array(frames * 640 * 2),
      sampleRateHz: 16_000,
      durationMs: frames * 40,
      words: [],
      cached,
      providerId: 'fake',
      fallback: null,
    });
  }

  private async segment(
    job: AvatarPrepareJob,
    handlers: PrepareHandlers,
  ): Promise<Result<SegmentSummary>> {
    this.segmentRequests.push(job);
    this.segmentHandlers.push(handlers);
    this.calls.push(`avatar ${job.slideId}`);
    const frameCount = job.pcm.byteLength / 2 / 640;
    const failure = this.options.avatarFailure?.get(job.slideId);
    if (failure) {
      await flush();
      return err('not-available', failure);
    }
    if (this.options.cachedAvatar?.has(job.slideId)) {
      await flush();
      return ok({ frameCount, cached: true, source: 'cache' });
    }
    for (let index = 0; index < frameCount; index += 1) {
      await flush();
      if (handlers.signal?.aborted) {
        this.cancelled.push(job.slideId);
        return err('cancelled', 'The avatar segment was cancelled.');
      }
      handlers.onServerFrame?.(index);
    }
    return ok({ frameCount, cached: false, source: 'server' });
  }
}

async function runAll(
  main: FakeMain,
  lesson: Lesson,
  options: ConstructorParameters<typeof LessonPreparer>[3] = {},
) {
  const reports: PregenerateProgress[] = [];
  const pregenerator = new LessonPreparer(main.steps, '/lessons/x', lesson, options);
  const result = await pregenerator.run({ onProgress: (p) => reports.push(p) });
  return { result, reports };
}

describe('LessonPreparer, speech only (local avatar)', () => {
  it('asks for every slide in order with the request playback makes, and reaches 100 %', async () => {
    const lesson = lessonWith(['One two three.', 'Four five.', 'Six.']);
    const main = new FakeMain({ cachedSpeech: new Set(['s2']) });
    const { result, reports } = await runAll(main, lesson);

    expect(main.speechRequests.map((r) => r.slideId)).toEqual(['s1', 's2', 's3']);
    main.speechRequests.forEach((request, index) =>
      expect(request).toEqual(slideSpeechRequest(lesson, index, '/lessons/x')),
    );
    expect(main.segmentRequests).toHaveLength(0);
    expect(result).toMatchObject({
      state: 'done',
      phase: 'done',
      fraction: 1,
      etaMs: 0,
      slidesDone: 3,
      slidesTotal: 3,
      slidesReady: 3,
      slidesFromCache: 1,
      speechCached: 1,
      avatarMade: 0,
      failures: [],
    });
    expect(result.speechMsDone).toBe(3 * 800);
    expect(result.speechMsTotalEstimate).toBeCloseTo(3 * 800);
    // Progress only ever goes forward.
    const fractions = reports.map((r) => r.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(reports.some((r) => r.state === 'running' && r.slideIndex === 1)).toBe(true);
  });

  it('reports a failed slide with its number and the message, and goes on', async () => {
    const lesson = lessonWith(['One.', 'Two.', 'Three.']);
    const main = new FakeMain({ speechFailure: new Map([['s2', 'Quota exceeded (402).']]) });
    const { result } = await runAll(main, lesson);
    expect(main.speechRequests.map((r) => r.slideId)).toEqual(['s1', 's2', 's3']);
    expect(result.state).toBe('done');
    expect(result.slidesDone).toBe(3);
    expect(result.slidesReady).toBe(2);
    expect(result.failures).toEqual([
      {
        slideIndex: 1,
        slideNumber: 2,
        part: 'speech',
        message: 'Quota exceeded (402).',
        hint: 'Check the voice.',
      },
    ]);
    expect(main.logs.find((l) => l.eventType === 'pregenerate_slide_failed')?.message).toContain(
      'slide 2 speech: Quota exceeded',
    );
  });

  it('logs pregenerate_end with the figures', async () => {
    const lesson = lessonWith(['One.', 'Two.']);
    const main = new FakeMain({ cachedSpeech: new Set(['s1', 's2']) });
    await runAll(main, lesson);
    const end = main.logs.find((l) => l.eventType === 'pregenerate_end');
    expect(end?.lessonId).toBe('pregen-test');
    expect(end?.performance).toMatchObject({
      state: 'done',
      slidesTotal: 2,
      slidesReady: 2,
      slidesFromCache: 2,
      speechCached: 2,
      failures: 0,
    });
  });

  it('cancels while a speech request is in flight: answers at once, asks for nothing more', async () => {
    const lesson = lessonWith(['One.', 'Two.', 'Three.', 'Four.']);
    const held = deferred<undefined>();
    const main = new FakeMain({ heldSpeech: new Map([['s2', held]]) });
    const controller = new AbortController();
    const pregenerator = new LessonPreparer(main.steps, '/x', lesson);
    const running = pregenerator.run({ signal: controller.signal });
    await expect.poll(() => main.speechRequests.length).toBe(2);
    controller.abort();
    const result = await running; // the held speech never answers: cancel must not wait for it
    expect(result.state).toBe('cancelled');
    expect(result.slidesDone).toBe(1);
    held.resolve(undefined);
    await flush();
    expect(main.speechRequests).toHaveLength(2);
    expect(main.logs.find((l) => l.eventType === 'pregenerate_end')?.performance).toMatchObject({
      state: 'cancelled',
      slidesDone: 1,
    });
  });

  it('a second run() answers the same run', async () => {
    const main = new FakeMain();
    const pregenerator = new LessonPreparer(main.steps, '/x', lessonWith(['One.']));
    const [a, b] = await Promise.all([pregenerator.run(), pregenerator.run()]);
    expect(a).toEqual(b);
    expect(main.speechRequests).toHaveLength(1);
  });
});

describe('LessonPreparer, SyncTalk lesson', () => {
  it('makes each avatar segment into the cache; frames never reach it, only their progress', async () => {
    const lesson = lessonWith(['First slide.', 'Second slide.', 'Third slide.'], true);
    const framesPerSlide = 150;
    const main = new FakeMain({ framesPerSlide });
    const { result, reports } = await runAll(main, lesson);

    expect(result).toMatchObject({
      state: 'done',
      slidesReady: 3,
      avatarMade: 3,
      avatarCached: 0,
      slidesFromCache: 0,
    });
    expect(main.segmentRequests.map((r) => r.slideId)).toEqual(['s1', 's2', 's3']);
    // The segment is asked for with the slide's own speech (what playback sends).
    expect(main.segmentRequests[0]?.pcm.byteLength).toBe(framesPerSlide * 640 * 2);
    expect(main.segmentRequests[0]?.avatar).toEqual(syncTalkAvatar);
    // Only an index per frame is handed to the preparer: there is no frame callback to copy into.
    expect(Object.keys(main.segmentHandlers[0] ?? {}).sort()).toEqual(['onServerFrame', 'signal']);
    // The next slide's speech was asked for while this slide's avatar was made.
    expect(main.calls).toEqual([
      'speech s1',
      'speech s2',
      'avatar s1',
      'speech s3',
      'avatar s2',
      'avatar s3',
    ]);
    expect(reports.some((r) => r.phase === 'avatar' && r.fraction > 0 && r.fraction < 1)).toBe(
      true,
    );
    // Frames moved the bar within a slide.
    const firstSlide = reports.filter((r) => r.phase === 'avatar' && r.slideIndex === 0);
    expect(new Set(firstSlide.map((r) => r.fraction)).size).toBeGreaterThan(1);
  });

  it('counts a cached segment as cached (the segment service checks its first frame only)', async () => {
    const lesson = lessonWith(['First slide.', 'Second slide.'], true);
    const main = new FakeMain({
      cachedSpeech: new Set(['s1', 's2']),
      cachedAvatar: new Set(['s1', 's2']),
      framesPerSlide: 200,
    });
    const { result } = await runAll(main, lesson);
    expect(result).toMatchObject({
      state: 'done',
      slidesReady: 2,
      slidesFromCache: 2,
      speechCached: 2,
      avatarCached: 2,
      avatarMade: 0,
    });
    // Not asked to read the cached segments to their end.
    expect(main.segmentHandlers.map((h) => h.verifyCache ?? false)).toEqual([false, false]);
  });

  it('reads a cached segment to its end when asked to verify it', async () => {
    const lesson = lessonWith(['First slide.'], true);
    const main = new FakeMain({ cachedAvatar: new Set(['s1']), framesPerSlide: 120 });
    const { result } = await runAll(main, lesson, { verifyCachedAvatar: true });
    expect(result.avatarCached).toBe(1);
    expect(main.segmentHandlers[0]?.verifyCache).toBe(true);
  });

  it('skips the avatar of a slide that hides it', async () => {
    const base = lessonWith(['One.', 'Two.'], true);
    const lesson: Lesson = {
      ...base,
      slides: base.slides.map((s, i) => (i === 0 ? { ...s, avatar: { hidden: true } } : s)),
    };
    const main = new FakeMain();
    const { result } = await runAll(main, lesson);
    expect(main.segmentRequests.map((r) => r.slideId)).toEqual(['s2']);
    expect(result.slidesReady).toBe(2);
  });

  it('reports a failed avatar with its slide and goes on with the next', async () => {
    const lesson = lessonWith(['One.', 'Two.', 'Three.'], true);
    const main = new FakeMain({
      avatarFailure: new Map([['s2', 'SyncTalk server at 127.0.0.1:1 is not reachable.']]),
    });
    const { result } = await runAll(main, lesson);
    expect(main.segmentRequests.map((r) => r.slideId)).toEqual(['s1', 's2', 's3']);
    expect(result.slidesReady).toBe(2);
    expect(result.avatarMade).toBe(2);
    expect(result.failures).toMatchObject([
      {
        slideNumber: 2,
        part: 'avatar',
        message: 'SyncTalk server at 127.0.0.1:1 is not reachable.',
      },
    ]);
  });

  it('cancel mid-segment stops the segment and answers at once', async () => {
    const lesson = lessonWith(['One.', 'Two.', 'Three.'], true);
    const main = new FakeMain({ framesPerSlide: 1000 });
    const controller = new AbortController();
    const reports: PregenerateProgress[] = [];
    const pregenerator = new LessonPreparer(main.steps, '/x', lesson, { progressIntervalMs: 0 });
    const running = pregenerator.run({
      signal: controller.signal,
      onProgress: (p) => reports.push(p),
    });
    await expect
      .poll(() => reports.some((r) => r.phase === 'avatar' && r.fraction > 0.2))
      .toBe(true);
    const abortedAtMs = performance.now();
    controller.abort();
    const result = await running;
    expect(performance.now() - abortedAtMs).toBeLessThan(100);
    expect(result.state).toBe('cancelled');
    expect(result.slidesDone).toBe(0);
    expect(main.segmentHandlers[0]?.signal?.aborted).toBe(true);
    await expect.poll(() => main.cancelled).toEqual(['s1']);
    expect(main.segmentRequests).toHaveLength(1);
  });
});

describe('LessonPreparer time left', () => {
  it('comes from the pace so far, weighted by narration length', async () => {
    // Slide 1 is 10 characters, slides 2 and 3 are 30 each: at 2 ms a character, after slide 1
    // (20 ms) there are 60 characters (120 ms) left.
    const clock = { ms: 0 };
    const lesson = lessonWith(['a'.repeat(10), 'b'.repeat(30), 'c'.repeat(30)]);
    const main = new FakeMain({ clock, msPerCharacter: 2 });
    const { result, reports } = await runAll(main, lesson, { now: () => clock.ms });
    const afterFirst = reports.find((r) => r.slidesDone === 1);
    expect(afterFirst?.etaMs).toBeCloseTo(120);
    expect(afterFirst?.fraction).toBeCloseTo(10 / 70);
    expect(result.elapsedMs).toBe(140);
  });
});
