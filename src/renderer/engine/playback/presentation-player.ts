import type { RapidoError, Result } from '../../../shared/result.ts';
import type { PreparedSlide, SlideContinuation } from './slide-preparer.ts';

/** The parts of the program audio the player uses (ProgramAudio in the app, a fake clock in tests). */
export interface PlayerAudio {
  readonly context: { createBufferSource(): AudioBufferSourceNode };
  readonly bus: AudioNode;
  now(): number;
  resume(): Promise<void>;
  suspend(): Promise<void>;
}

/** Where prepared slides come from (SlidePreparer in the app). */
export interface PlayerSlides {
  readonly slideCount: number;
  prepare(index: number): Promise<Result<PreparedSlide>>;
  /** The slide's first sentence alone, when it can start sooner (see SlidePreparer). */
  prepareHead?(index: number): Promise<Result<PreparedSlide>> | null;
  ready(index: number): PreparedSlide | undefined;
  startMsOf(index: number): number | null;
  /** Forgets prepared slides outside [from, to], to bound memory over a long lesson. */
  releaseOutside?(from: number, to: number): void;
}

export type PlayState = 'idle' | 'preparing' | 'playing' | 'paused' | 'ended';

/** A slide placed on the master clock. */
interface ScheduledSlide {
  prepared: PreparedSlide;
  /** AudioContext time at which its speech starts. */
  startAtSec: number;
  /** Program time (ms since the lesson's start) of the same instant. */
  programStartMs: number;
  source: AudioBufferSourceNode;
  /** The rest of a slide that started on its head: waiting, or ready to be queued. */
  rest: { state: 'waiting' } | { state: 'ready'; value: SlideContinuation } | null;
  restSource: AudioBufferSourceNode | null;
}

/** What the program shows at one instant on the master clock. */
export interface ProgramFrame {
  slide: PreparedSlide;
  /** Milliseconds into the slide's speech (negative before it starts). */
  speechMs: number;
  programMs: number;
  speaking: boolean;
  mouthOpen: number;
}

/**
 * What a prepared slide shows `speechMs` into its speech: the one definition of a program frame,
 * shared by live playback (audio clock) and the exporter (frame-stepped program time).
 */
export function programFrameOf(
  prepared: PreparedSlide,
  speechMs: number,
  programStartMs: number,
): ProgramFrame {
  const speaking = speechMs >= 0 && speechMs < prepared.speechMs;
  const mouthIndex = Math.floor(speechMs / prepared.mouthFrameMs);
  return {
    slide: prepared,
    speechMs,
    programMs: programStartMs + Math.max(0, speechMs),
    speaking,
    mouthOpen: speaking ? (prepared.mouth[mouthIndex] ?? 0) : 0,
  };
}

export interface PlayerListener {
  onState(state: PlayState): void;
  onSlide(index: number): void;
  onError(error: RapidoError): void;
  onStall?(slideIndex: number, stallMs: number): void;
}

/** Lead between "go" and the first sample, so the first buffer is scheduled, not late. */
const startLeadSec = 0.05;
/** How many slides beyond the current one are prepared while it plays. */
export const lookAheadSlides = 2;

/** The slides prepared ahead of `index` (playback and export look ahead alike). */
export function slidesAhead(index: number, slideCount: number): number[] {
  const ahead: number[] = [];
  for (let i = index + 1; i <= index + lookAheadSlides && i < slideCount; i += 1) ahead.push(i);
  return ahead;
}

/**
 * Plays a lesson on the audio clock. Each slide's narration is an AudioBufferSourceNode started
 * at an exact context time; the next slide is scheduled as soon as it is prepared, to start when
 * the current slide's speech plus hold ends, so slide changes come from the speech actually
 * produced and are sample-accurate. Video only ever reads the clock (frameAt); it never moves it.
 */
export class PresentationPlayer {
  private scheduled: ScheduledSlide[] = [];
  private stateValue: PlayState = 'idle';
  private currentIndex = 0;
  private generation = 0;
  /** Slides whose preparation failed: playback stops where one was due, instead of waiting. */
  private readonly failed = new Set<number>();
  /** AudioContext time the latest play()'s first slide starts speaking (for latency figures). */
  firstStartAtSec: number | null = null;
  /** What the latest play() started with (a slide's head when it started early). */
  firstScheduled: PreparedSlide | null = null;

  constructor(
    private readonly audio: PlayerAudio,
    private readonly preparer: PlayerSlides,
    private readonly listener: PlayerListener,
  ) {}

  get state(): PlayState {
    return this.stateValue;
  }

  get slideIndex(): number {
    return this.currentIndex;
  }

  /**
   * Prepares the first slide, runs `beforeStart` (e.g. start a recorder) and starts the clock.
   * Resolves once playing (or failed).
   */
  async play(fromIndex: number, beforeStart?: () => Promise<boolean>): Promise<boolean> {
    this.cancelScheduled();
    const generation = ++this.generation;
    this.setState('preparing');
    this.setSlide(fromIndex);
    const first = await this.firstOf(fromIndex, beforeStart === undefined);
    if (generation !== this.generation) return false;
    if (!first.ok) {
      this.setState('idle');
      this.listener.onError(first.error);
      return false;
    }
    this.prefetch(fromIndex);
    await this.audio.resume();
    if (beforeStart && !(await beforeStart())) {
      this.setState('idle');
      return false;
    }
    if (generation !== this.generation) return false;
    const programStartMs = this.preparer.startMsOf(fromIndex) ?? 0;
    this.firstStartAtSec = this.audio.now() + startLeadSec;
    this.firstScheduled = first.value;
    const item = this.schedule(first.value, this.firstStartAtSec, programStartMs);
    const continuation = first.value.continuation;
    if (continuation) {
      item.rest = { state: 'waiting' };
      void continuation.then((rest) => {
        if (generation !== this.generation || !this.scheduled.includes(item)) return;
        if (rest.ok) {
          item.rest = { state: 'ready', value: rest.value };
        } else {
          // The head was said; the slide ends there and the error is shown.
          item.rest = null;
          this.listener.onError(rest.error);
        }
      });
    }
    this.setState('playing');
    return true;
  }

  async pause(): Promise<void> {
    if (this.stateValue !== 'playing') return;
    await this.audio.suspend();
    this.setState('paused');
  }

  async resume(): Promise<void> {
    if (this.stateValue !== 'paused') return;
    await this.audio.resume();
    this.setState('playing');
  }

  stop(): void {
    this.generation += 1;
    this.cancelScheduled();
    void this.audio.resume();
    this.setState('idle');
  }

  /** Jump while playing: speech restarts at the start of that slide's narration. */
  async jumpTo(index: number): Promise<void> {
    const clamped = Math.max(0, Math.min(this.preparer.slideCount - 1, index));
    if (
      this.stateValue === 'playing' ||
      this.stateValue === 'paused' ||
      this.stateValue === 'preparing'
    ) {
      await this.play(clamped);
    } else {
      this.setSlide(clamped);
    }
  }

  /**
   * Advances the schedule (call once per rendered frame) and says what is on air now.
   * Returns null when nothing is scheduled.
   */
  frameAt(nowSec: number): ProgramFrame | null {
    if (this.scheduled.length === 0) return null;
    this.continueHeads();
    this.scheduleNextIfReady();
    let current = this.scheduled[0];
    for (const item of this.scheduled) if (item.startAtSec <= nowSec) current = item;
    if (!current) return null;
    if (current.prepared.index !== this.currentIndex && current.startAtSec <= nowSec) {
      const index = current.prepared.index;
      this.setSlide(index);
      // The slide before stays (it may still be on screen for a frame); older ones go.
      this.preparer.releaseOutside?.(index - 1, index + lookAheadSlides);
      this.prefetch(index);
    }
    const speechMs = (nowSec - current.startAtSec) * 1000;
    const { prepared } = current;
    const endMs = prepared.speechMs + prepared.holdMs;
    const isLast = prepared.index === this.preparer.slideCount - 1;
    if (current.rest !== null) {
      // Only the head is queued: the slide is not over until its rest has been played.
    } else if (this.stateValue === 'playing' && isLast && speechMs >= endMs) {
      this.scheduled = [];
      this.setState('ended');
    } else if (
      this.stateValue === 'playing' &&
      speechMs >= endMs &&
      this.failed.has(prepared.index + 1)
    ) {
      // The next slide cannot be prepared (its error is already shown): stop rather than hang.
      this.stop();
    }
    return programFrameOf(prepared, speechMs, current.programStartMs);
  }

  dispose(): void {
    this.stop();
  }

  private schedule(
    prepared: PreparedSlide,
    startAtSec: number,
    programStartMs: number,
  ): ScheduledSlide {
    const source = this.audio.context.createBufferSource();
    source.buffer = prepared.audio;
    source.connect(this.audio.bus);
    source.start(startAtSec);
    const item: ScheduledSlide = {
      prepared,
      startAtSec,
      programStartMs,
      source,
      rest: null,
      restSource: null,
    };
    this.scheduled.push(item);
    // Keep only what can still be on air: the previous slide stays until the next starts.
    if (this.scheduled.length > 3) this.scheduled.shift();
    return item;
  }

  /**
   * The first slide of a run, as soon as it can start: the whole slide, or its first sentence
   * when that comes first (live only: a recording waits for the whole slide, so a late rest can
   * never leave a gap in a file).
   */
  private async firstOf(index: number, allowHead: boolean): Promise<Result<PreparedSlide>> {
    const full = this.preparer.prepare(index);
    const head = allowHead ? (this.preparer.prepareHead?.(index) ?? null) : null;
    if (!head) return full;
    const winner = await Promise.race([
      full.then((result) => ({ result, isHead: false })),
      head.then((result) => ({ result, isHead: true })),
    ]);
    if (winner.isHead && !winner.result.ok) return full;
    return winner.result;
  }

  /**
   * Queues the rest of a slide that started on its head, right where the head ends, and puts
   * the whole slide on air in its place (same start, so timings carry on). If the rest came
   * after the head had finished, it starts now and the gap is reported as a stall.
   */
  private continueHeads(): void {
    for (const item of this.scheduled) {
      if (item.rest?.state !== 'ready') continue;
      const { full, rest } = item.rest.value;
      const plannedSec = item.startAtSec + item.prepared.speechMs / 1000;
      const startAtSec = Math.max(plannedSec, this.audio.now() + 0.02);
      const source = this.audio.context.createBufferSource();
      source.buffer = rest;
      source.connect(this.audio.bus);
      source.start(startAtSec);
      if (startAtSec > plannedSec + 0.001) {
        this.listener.onStall?.(full.index, (startAtSec - plannedSec) * 1000);
      }
      item.prepared = full;
      item.rest = null;
      item.restSource = source;
    }
  }

  private scheduleNextIfReady(): void {
    const last = this.scheduled[this.scheduled.length - 1];
    if (!last || this.stateValue !== 'playing' || last.rest !== null) return;
    const nextIndex = last.prepared.index + 1;
    if (nextIndex >= this.preparer.slideCount) return;
    const now = this.audio.now();
    // One slide ahead at most: the next is queued once the last queued one is on air.
    if (last.startAtSec > now) return;
    const next = this.preparer.ready(nextIndex);
    if (!next) return;
    const plannedSec = last.startAtSec + (last.prepared.speechMs + last.prepared.holdMs) / 1000;
    const startAtSec = Math.max(plannedSec, now + 0.02);
    if (startAtSec > plannedSec + 0.001)
      this.listener.onStall?.(nextIndex, (startAtSec - plannedSec) * 1000);
    this.schedule(
      next,
      startAtSec,
      last.programStartMs + last.prepared.speechMs + last.prepared.holdMs,
    );
  }

  private prefetch(fromIndex: number): void {
    for (const i of slidesAhead(fromIndex, this.preparer.slideCount)) {
      void this.preparer.prepare(i).then((result) => {
        if (result.ok) {
          this.failed.delete(i);
        } else {
          this.failed.add(i);
          this.listener.onError(result.error);
        }
      });
    }
  }

  private cancelScheduled(): void {
    for (const item of this.scheduled) {
      for (const source of [item.source, item.restSource]) {
        if (!source) continue;
        try {
          source.stop();
        } catch {
          // Already stopped: nothing to release.
        }
        source.disconnect();
      }
    }
    this.scheduled = [];
  }

  private setState(state: PlayState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    this.listener.onState(state);
  }

  private setSlide(index: number): void {
    if (index === this.currentIndex) return;
    this.currentIndex = index;
    this.listener.onSlide(index);
  }
}
