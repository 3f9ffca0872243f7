import type {
  PrepareFailureInfo,
  PrepareProgressInfo,
  PrepareWarningInfo,
  SendPayload,
  SlideSpeechRequestInfo,
  SpeechInfo,
} from '../../../shared/ipc/contract.ts';
import type { Lesson, SyncTalkAvatarSettings } from '../../../shared/lesson/lesson-schema.ts';
import { err, errorMessage, type RapidoError, type Result } from '../../../shared/result.ts';
import { slideSpeechRequest } from '../../../shared/speech/slide-speech-request.ts';
import type {
  PrepareHandlers,
  SegmentSummary,
} from '../avatar/avatar-segments/avatar-segment-service.ts';
import type { AvatarPrepareJob } from '../avatar/synctalk-avatar-service.ts';
import { PregenerateEta } from './prepare-eta.ts';

/**
 * Prepares a whole lesson ahead of time, in main, so presenting, recording or exporting it later
 * needs no network: every slide's speech (the very request playback makes, so the speech cache
 * answers it later) and, for a SyncTalk lesson, every slide's avatar segment, made straight into
 * the segment cache (a cached one is recognised by its first frame and not read further). No
 * frame leaves main: the editor and `rapido prepare` see progress only.
 *
 * Slides go in order, one at a time (the server makes frames at about real time, and one stream
 * leaves the second for a presentation); the next slide's speech is asked for while the current
 * slide's avatar is made. A slide that fails is reported with its number and the provider's
 * message, and the run goes on. Cancel (the AbortSignal) answers at once.
 */
export interface PrepareSteps {
  speech(request: SlideSpeechRequestInfo): Promise<Result<SpeechInfo>>;
  avatar(job: AvatarPrepareJob, handlers: PrepareHandlers): Promise<Result<SegmentSummary>>;
  /** Where the run's log lines go (the renderer's entry shape, so both hosts log alike). */
  log(entry: SendPayload<'log:write'>): void;
}

export type PregenerateProgress = PrepareProgressInfo;
export type SlideFailure = PrepareFailureInfo;
export type SlideWarning = PrepareWarningInfo;

export interface PregenerateOptions {
  /** Monotonic milliseconds (tests pass a fake clock). */
  now?: () => number;
  /** Least time between two progress reports while avatar frames stream in. */
  progressIntervalMs?: number;
  /**
   * Read a cached avatar segment to its end (main then checks every frame and remakes a damaged
   * entry) instead of stopping at its first frame.
   */
  verifyCachedAvatar?: boolean;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: PregenerateProgress) => void;
}

/** The share of an avatar slide's work that is its speech (the avatar is made at real time). */
const avatarSlideSpeechShare = 0.1;
const frameMs = 40;
const aborted: unique symbol = Symbol('aborted');

type SlideOutcome =
  { kind: 'ready'; fromCache: boolean } | { kind: 'failed' } | { kind: 'aborted' };

let nextRun = 1;

export class LessonPreparer {
  private readonly now: () => number;
  private readonly progressIntervalMs: number;
  private readonly verifyCachedAvatar: boolean;
  private readonly characters: number[];
  private readonly totalCharacters: number;
  private readonly runId = `pregen-${Date.now().toString(36)}-${nextRun++}`;
  private readonly eta = new PregenerateEta();
  private readonly progress: PregenerateProgress;
  private startedAtMs = 0;
  private slideStartedAtMs = 0;
  private charactersDone = 0;
  /** Characters of finished slides whose speech duration is known (for the total estimate). */
  private spokenCharacters = 0;
  private slideFraction = 0;
  private lastReportAtMs = -Infinity;
  private onProgress: ((progress: PregenerateProgress) => void) | undefined;
  private running: Promise<PregenerateProgress> | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private aheadSpeech: { index: number; promise: Promise<Result<SpeechInfo>> } | null = null;

  constructor(
    private readonly steps: PrepareSteps,
    private readonly lessonDir: string,
    private readonly lesson: Lesson,
    options: PregenerateOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.progressIntervalMs = options.progressIntervalMs ?? 100;
    this.verifyCachedAvatar = options.verifyCachedAvatar ?? false;
    // An empty slide still costs a request: it weighs one character.
    this.characters = lesson.slides.map((slide) => Math.max(1, slide.narration.length));
    this.totalCharacters = this.characters.reduce((sum, n) => sum + n, 0);
    this.progress = {
      state: 'running',
      phase: 'speech',
      slideIndex: 0,
      slidesDone: 0,
      slidesTotal: lesson.slides.length,
      slidesReady: 0,
      slidesFromCache: 0,
      fraction: 0,
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
    this.progress.speechMsTotalEstimate = this.estimatedSpeechMs(0);
  }

  /** The run's state now (a copy). */
  snapshot(): PregenerateProgress {
    return {
      ...this.progress,
      failures: [...this.progress.failures],
      warnings: [...this.progress.warnings],
    };
  }

  /**
   * Settles once every speech and avatar request this run started has ended, including those a
   * cancel stopped waiting for: their cache writes go on after the answer, and whoever owns the
   * cache folder must not remove or close it under them.
   */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Keeps `work` in the in-flight set until it ends; answers it unchanged. */
  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const forget = () => this.inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** Runs once; a second call answers the same run. Never rejects. */
  run(options: RunOptions = {}): Promise<PregenerateProgress> {
    this.running ??= this.runAll(options);
    return this.running;
  }

  private async runAll({ signal, onProgress }: RunOptions): Promise<PregenerateProgress> {
    this.onProgress = onProgress;
    this.startedAtMs = this.now();
    const syncTalk = this.lesson.avatar.provider === 'synctalk' ? this.lesson.avatar : null;
    this.log('info', `preparing ${this.lesson.slides.length} slides`, 'pregenerate_start', {
      slides: this.lesson.slides.length,
      characters: this.totalCharacters,
      avatar: this.lesson.avatar.provider,
      voice: this.lesson.voice.provider,
    });
    try {
      for (let index = 0; index < this.lesson.slides.length; index += 1) {
        if (signal?.aborted) return this.finish('cancelled');
        const outcome = await this.prepareSlide(index, syncTalk, signal);
        if (outcome.kind === 'aborted') return this.finish('cancelled');
        this.slideDone(index, outcome);
      }
      return this.finish('done');
    } catch (error) {
      // Not expected (the API answers with values), but a run must always end with a summary.
      this.fail(this.progress.slideIndex, 'speech', {
        code: 'internal',
        message: `Preparing stopped: ${errorMessage(error)}`,
      });
      return this.finish('done');
    }
  }

  /** The slide's speech: the request already made ahead for it, else a new one. */
  private speechFor(index: number): Promise<Result<SpeechInfo>> {
    const ahead = this.aheadSpeech;
    this.aheadSpeech = null;
    return ahead?.index === index ? ahead.promise : this.requestSpeech(index);
  }

  /** Asked while this slide's avatar is made: the next speech is ready when the avatar is. */
  private askAhead(index: number): void {
    if (index + 1 >= this.lesson.slides.length) return;
    this.aheadSpeech = { index: index + 1, promise: this.requestSpeech(index + 1) };
  }

  private requestSpeech(index: number): Promise<Result<SpeechInfo>> {
    const request = slideSpeechRequest(this.lesson, index, this.lessonDir);
    if (!request) return Promise.resolve(err('invalid-request', `There is no slide ${index + 1}.`));
    return this.track(
      this.steps
        .speech(request)
        .catch((error: unknown) => err('speech-failed', errorMessage(error))),
    );
  }

  private async prepareSlide(
    index: number,
    syncTalk: SyncTalkAvatarSettings | null,
    signal: AbortSignal | undefined,
  ): Promise<SlideOutcome> {
    const slide = this.lesson.slides[index];
    if (!slide) return { kind: 'failed' };
    const speechPromise = this.speechFor(index);
    this.slideStartedAtMs = this.now();
    this.slideFraction = 0;
    this.progress.slideIndex = index;
    this.progress.phase = 'speech';
    this.report(true);

    const speech = await untilAborted(speechPromise, signal);
    if (speech === aborted) return { kind: 'aborted' };
    if (!speech.ok) {
      this.fail(index, 'speech', speech.error);
      return { kind: 'failed' };
    }
    const info = speech.value;
    this.progress.speechMsDone += info.durationMs;
    this.spokenCharacters += this.characters[index] ?? 0;
    if (info.cached) this.progress.speechCached += 1;
    if (info.fallback) {
      this.progress.warnings.push({
        slideIndex: index,
        slideNumber: index + 1,
        message: `${info.fallback.sentences} sentence(s) in the offline voice: ${info.fallback.message}`,
      });
    }
    const needsAvatar = syncTalk !== null && !slide.avatar?.hidden && info.pcm.byteLength > 0;
    // Without an avatar to wait for, asking ahead gains nothing (and would outlive a cancel).
    if (!syncTalk || !needsAvatar) return { kind: 'ready', fromCache: info.cached };

    this.slideFraction = avatarSlideSpeechShare;
    this.progress.phase = 'avatar';
    this.report(true);
    this.askAhead(index);
    const avatar = await this.makeAvatar(index, info, syncTalk, signal);
    if (avatar.kind === 'aborted' || avatar.kind === 'failed') return avatar;
    return { kind: 'ready', fromCache: info.cached && avatar.fromCache };
  }

  private async makeAvatar(
    index: number,
    speech: SpeechInfo,
    avatar: SyncTalkAvatarSettings,
    signal: AbortSignal | undefined,
  ): Promise<SlideOutcome> {
    const slide = this.lesson.slides[index];
    if (!slide) return { kind: 'failed' };
    const expectedFrames = Math.max(1, Math.ceil(speech.durationMs / frameMs));
    // The segment's own controller: cancelling the run stops the server's utterance too.
    const segment = new AbortController();
    const cancel = () => segment.abort();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      const answer = await untilAborted(
        this.track(
          this.steps
            .avatar(
              {
                lessonId: this.lesson.id,
                slideId: slide.id,
                avatar,
                pcm: speech.pcm,
                sampleRateHz: speech.sampleRateHz,
              },
              {
                onServerFrame: (frameIndex) => this.frameMade(frameIndex, expectedFrames),
                signal: segment.signal,
                ...(this.verifyCachedAvatar ? { verifyCache: true } : {}),
              },
            )
            .catch((error: unknown) => err('not-available', errorMessage(error))),
        ),
        signal,
      );
      if (answer === aborted) return { kind: 'aborted' };
      if (answer.ok) {
        const fromCache = answer.value.source === 'cache';
        if (fromCache) this.progress.avatarCached += 1;
        else this.progress.avatarMade += 1;
        return { kind: 'ready', fromCache };
      }
      if (signal?.aborted) return { kind: 'aborted' };
      this.fail(index, 'avatar', answer.error);
      return { kind: 'failed' };
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  /** A frame the server made (it went to the cache, not here): moves the bar within the slide. */
  private frameMade(index: number, expectedFrames: number): void {
    const made = Math.min(1, (index + 1) / expectedFrames);
    this.slideFraction = avatarSlideSpeechShare + (1 - avatarSlideSpeechShare) * made;
    this.report(false);
  }

  private slideDone(index: number, outcome: SlideOutcome): void {
    const characters = this.characters[index] ?? 1;
    this.charactersDone += characters;
    this.slideFraction = 0;
    this.progress.slidesDone += 1;
    if (outcome.kind === 'ready') {
      this.progress.slidesReady += 1;
      if (outcome.fromCache) this.progress.slidesFromCache += 1;
    }
    this.eta.record({
      characters,
      wallMs: this.now() - this.slideStartedAtMs,
      fromCache: outcome.kind === 'ready' && outcome.fromCache,
    });
    this.report(true);
  }

  private fail(index: number, part: SlideFailure['part'], error: RapidoError): void {
    const failure: SlideFailure = {
      slideIndex: index,
      slideNumber: index + 1,
      part,
      message: error.message,
      hint: error.hint ?? null,
    };
    this.progress.failures.push(failure);
    this.log('warn', `slide ${index + 1} ${part}: ${error.message}`, 'pregenerate_slide_failed', {
      slide: index + 1,
      part,
      code: error.code,
    });
  }

  private finish(state: 'done' | 'cancelled'): PregenerateProgress {
    this.progress.state = state;
    this.progress.phase = 'done';
    this.slideFraction = 0;
    this.refreshFigures();
    if (state === 'done') this.progress.etaMs = 0;
    const p = this.progress;
    this.log(
      p.failures.length > 0 ? 'warn' : 'info',
      state === 'cancelled'
        ? `cancelled after ${p.slidesDone} of ${p.slidesTotal} slides`
        : `${p.slidesReady} of ${p.slidesTotal} slides ready (${p.slidesFromCache} from cache)`,
      'pregenerate_end',
      {
        state,
        slidesTotal: p.slidesTotal,
        slidesDone: p.slidesDone,
        slidesReady: p.slidesReady,
        slidesFromCache: p.slidesFromCache,
        failures: p.failures.length,
        speechCached: p.speechCached,
        avatarCached: p.avatarCached,
        avatarMade: p.avatarMade,
        speechFallbacks: p.warnings.length,
        speechMs: Math.round(p.speechMsDone),
        wallMs: Math.round(p.elapsedMs),
        characters: this.totalCharacters,
      },
    );
    const final = this.snapshot();
    this.onProgress?.(final);
    return final;
  }

  private refreshFigures(): void {
    const nowMs = this.now();
    const index = this.progress.slideIndex;
    const currentCharacters =
      this.progress.state === 'running' ? (this.characters[index] ?? 0) * this.slideFraction : 0;
    const done = this.charactersDone + currentCharacters;
    this.progress.elapsedMs = nowMs - this.startedAtMs;
    this.progress.fraction =
      this.totalCharacters > 0 ? Math.min(1, done / this.totalCharacters) : 1;
    this.progress.etaMs = this.eta.etaMs(this.totalCharacters - done, {
      characters: currentCharacters,
      wallMs: nowMs - this.slideStartedAtMs,
    });
    this.progress.speechMsTotalEstimate =
      this.progress.speechMsDone + this.estimatedSpeechMs(this.spokenCharacters);
  }

  /** Speech still to come: at the pace heard so far, else from word count and speaking rate. */
  private estimatedSpeechMs(spokenCharacters: number): number {
    const remaining = this.totalCharacters - spokenCharacters;
    if (spokenCharacters > 0 && this.progress.speechMsDone > 0) {
      return (remaining * this.progress.speechMsDone) / spokenCharacters;
    }
    const voice = this.lesson.voice;
    const wordsPerMinute =
      voice.provider === 'offline' ? voice.rateWpm : 155 * (voice.settings.speed ?? 1);
    // About 6 characters per word, spaces and punctuation included.
    return (remaining / 6 / wordsPerMinute) * 60_000;
  }

  private report(force: boolean): void {
    const nowMs = this.now();
    if (!force && nowMs - this.lastReportAtMs < this.progressIntervalMs) return;
    this.lastReportAtMs = nowMs;
    this.refreshFigures();
    this.onProgress?.(this.snapshot());
  }

  private log(
    level: 'info' | 'warn',
    message: string,
    eventType: string,
    performance: Record<string, number | string | boolean | null>,
  ): void {
    this.steps.log({
      level,
      logger: 'pregenerate',
      message: `${message} (${this.lessonDir})`,
      lessonId: this.lesson.id,
      eventType,
      performance,
    });
  }
}

/** The promise's value, or `aborted` as soon as the signal fires (the work itself goes on). */
function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T | typeof aborted> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.resolve(aborted);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(aborted);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
