import { describe, expect, it } from 'vitest';
import { err, ok, type Result } from '../../../shared/result.ts';
import type { Slide } from '../../../shared/lesson/lesson-schema.ts';
import {
  lookAheadSlides,
  PresentationPlayer,
  type PlayState,
  type PlayerAudio,
  type PlayerSlides,
} from './presentation-player.ts';
import type { PreparedSlide, SlideContinuation } from './slide-preparer.ts';

/** A fake audio clock: time moves only when the test says so, and started sources are recorded. */
class FakeAudio implements PlayerAudio {
  time = 10;
  suspended = false;
  readonly started: { startAtSec: number; stopped: boolean; buffer: unknown }[] = [];
  readonly bus = {} as AudioNode;
  readonly context = {
    createBufferSource: () => {
      const record = { startAtSec: Number.NaN, stopped: false, buffer: null as unknown };
      this.started.push(record);
      const node = {
        set buffer(value: unknown) {
          record.buffer = value;
        },
        connect: () => undefined,
        disconnect: () => undefined,
        start: (when: number) => {
          record.startAtSec = when;
        },
        stop: () => {
          record.stopped = true;
        },
      };
      return node as unknown as AudioBufferSourceNode;
    },
  };
  now() {
    return this.time;
  }
  resume() {
    this.suspended = false;
    return Promise.resolve();
  }
  suspend() {
    this.suspended = true;
    return Promise.resolve();
  }
}

function preparedSlide(index: number, speechMs: number, holdMs: number): PreparedSlide {
  const mouth = new Float32Array(Math.ceil(speechMs / 40)).fill(0.5);
  return {
    index,
    slide: { id: `s${index}`, image: 'x.png', narration: 'x', holdMs, notes: '' } satisfies Slide,
    image: { source: {} as TexImageSource, width: 1, height: 1, release: () => undefined },
    audio: { id: index } as unknown as AudioBuffer,
    pcm: new Uint8Array(0),
    sampleRateHz: 16_000,
    speechMs,
    holdMs,
    words: [],
    mouth,
    mouthFrameMs: 40,
    cached: false,
    speechFallback: null,
  };
}

class FakeSlides implements PlayerSlides {
  readonly settled = new Map<number, PreparedSlide>();
  constructor(
    readonly all: PreparedSlide[],
    private readonly available: Set<number>,
  ) {}
  get slideCount() {
    return this.all.length;
  }
  makeAvailable(index: number) {
    this.available.add(index);
  }
  readonly broken = new Set<number>();
  prepare(index: number): Promise<Result<PreparedSlide>> {
    if (this.broken.has(index))
      return Promise.resolve(err('asset-not-found', `slide ${index + 1} is broken`));
    const slide = this.all[index]!;
    if (this.available.has(index)) this.settled.set(index, slide);
    return Promise.resolve(ok(slide));
  }
  ready(index: number) {
    return this.available.has(index) ? this.settled.get(index) : undefined;
  }
  startMsOf(index: number) {
    return this.all.slice(0, index).reduce((t, s) => t + s.speechMs + s.holdMs, 0);
  }
  readonly kept: [number, number][] = [];
  releaseOutside(from: number, to: number) {
    this.kept.push([from, to]);
  }
}

function setup(available = [0, 1, 2]) {
  const audio = new FakeAudio();
  const slides = new FakeSlides(
    [preparedSlide(0, 2000, 500), preparedSlide(1, 1000, 0), preparedSlide(2, 1500, 300)],
    new Set(available),
  );
  const states: PlayState[] = [];
  const slideChanges: number[] = [];
  const stalls: { index: number; ms: number }[] = [];
  const errors: string[] = [];
  const player = new PresentationPlayer(audio, slides, {
    onState: (s) => states.push(s),
    onSlide: (i) => slideChanges.push(i),
    onError: (e) => errors.push(e.message),
    onStall: (index, ms) => stalls.push({ index, ms }),
  });
  return { audio, slides, player, states, slideChanges, stalls, errors };
}

describe('presentation player timing', () => {
  it('starts the first slide just after Play and each next one exactly when speech plus hold ends', async () => {
    const { audio, player, states, slideChanges, errors } = setup();
    await player.play(0);
    expect(states).toEqual(['preparing', 'playing']);
    const firstStart = audio.started[0]!.startAtSec;
    expect(firstStart).toBeCloseTo(10.05, 9);

    audio.time = firstStart + 0.5;
    expect(player.frameAt(audio.time)?.slide.index).toBe(0);
    // Slide 2 is queued while slide 1 plays, at the sample where slide 1's speech + hold ends.
    expect(audio.started[1]!.startAtSec).toBeCloseTo(firstStart + 2.5, 9);

    audio.time = firstStart + 2.4; // in the hold: still slide 1, mouth closed
    const inHold = player.frameAt(audio.time)!;
    expect(inHold.slide.index).toBe(0);
    expect(inHold.speaking).toBe(false);
    expect(inHold.mouthOpen).toBe(0);

    audio.time = firstStart + 2.5 + 0.001;
    const second = player.frameAt(audio.time)!;
    expect(second.slide.index).toBe(1);
    expect(second.programMs).toBeCloseTo(2501, 0);
    expect(slideChanges).toEqual([1]);
    expect(audio.started[2]!.startAtSec).toBeCloseTo(firstStart + 3.5, 9);

    audio.time = firstStart + 3.5 + 1.8 + 0.001; // after slide 3's speech (1.5 s) and hold (0.3 s)
    player.frameAt(audio.time);
    expect(states.at(-1)).toBe('ended');
    expect(errors).toEqual([]);
  });

  it('keeps only the slide before, the one on air and the look-ahead as the lesson goes on', async () => {
    const { audio, slides, player } = setup();
    await player.play(0);
    const firstStart = audio.started[0]!.startAtSec;
    audio.time = firstStart + 0.5;
    player.frameAt(audio.time);
    expect(slides.kept).toEqual([]);
    audio.time = firstStart + 2.6;
    player.frameAt(audio.time);
    audio.time = firstStart + 3.6;
    player.frameAt(audio.time);
    expect(slides.kept).toEqual([
      [0, 1 + lookAheadSlides],
      [1, 2 + lookAheadSlides],
    ]);
  });

  it('chooses the mouth for the audio time: frame n of the speech is n x 40 ms', async () => {
    const { audio, player, slides } = setup();
    slides.all[0]!.mouth.fill(0);
    slides.all[0]!.mouth[10] = 0.9;
    await player.play(0);
    const start = audio.started[0]!.startAtSec;
    expect(player.frameAt(start + 0.398)?.mouthOpen).toBe(0);
    expect(player.frameAt(start + 0.401)?.mouthOpen).toBeCloseTo(0.9, 6);
    expect(player.frameAt(start + 0.438)?.mouthOpen).toBeCloseTo(0.9, 6);
    expect(player.frameAt(start + 0.442)?.mouthOpen).toBe(0);
  });

  it('never starts a late slide in the past: it starts as soon as it is ready and reports the stall', async () => {
    const { audio, player, slides, stalls } = setup([0]);
    await player.play(0);
    const start = audio.started[0]!.startAtSec;
    audio.time = start + 2.6; // slide 2 should have started at +2.5 but is not prepared
    player.frameAt(audio.time);
    expect(audio.started).toHaveLength(1);
    slides.makeAvailable(1);
    await slides.prepare(1);
    player.frameAt(audio.time);
    expect(audio.started[1]!.startAtSec).toBeCloseTo(start + 2.62, 9);
    expect(stalls[0]?.index).toBe(1);
    expect(stalls[0]?.ms).toBeCloseTo(120, 3);
  });

  it('pauses the clock, and a jump restarts speech at the start of that slide', async () => {
    const { audio, player, states } = setup();
    await player.play(0);
    await player.pause();
    expect(audio.suspended).toBe(true);
    expect(states.at(-1)).toBe('paused');
    await player.resume();
    expect(audio.suspended).toBe(false);
    audio.time = 11;
    await player.jumpTo(2);
    // Everything scheduled before the jump is stopped; slide 3 starts from its first sample.
    expect(audio.started.slice(0, -1).every((s) => s.stopped)).toBe(true);
    const jumped = audio.started.at(-1)!;
    expect(jumped.buffer).toEqual({ id: 2 });
    expect(jumped.startAtSec).toBeCloseTo(11.05, 9);
    expect(player.frameAt(11.05)?.programMs).toBeCloseTo(3500, 6);
    player.stop();
    expect(states.at(-1)).toBe('idle');
    expect(player.frameAt(12)).toBeNull();
  });

  it('stops where a slide that failed to prepare was due, instead of waiting for it', async () => {
    const { audio, player, slides, states, errors } = setup([0]);
    slides.broken.add(1);
    await player.play(0);
    await Promise.resolve();
    expect(errors).toEqual(['slide 2 is broken']);
    const start = audio.started[0]!.startAtSec;
    expect(player.frameAt(start + 1)?.slide.index).toBe(0);
    expect(states.at(-1)).toBe('playing');
    player.frameAt(start + 2.5);
    expect(states.at(-1)).toBe('idle');
  });
});

/** A promise the test settles by hand: network-like arrival order without timers. */
function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('starting on the first sentence', () => {
  function headSetup() {
    const audio = new FakeAudio();
    const full = [preparedSlide(0, 2000, 500), preparedSlide(1, 1000, 0)];
    const head = preparedSlide(0, 800, 500);
    const whole = deferred<Result<PreparedSlide>>();
    const continuation = deferred<Result<SlideContinuation>>();
    head.continuation = continuation.promise;
    const restBuffer = { id: 'rest' } as unknown as AudioBuffer;
    let headAsked = 0;
    const settled = new Map<number, PreparedSlide>();
    const slides: PlayerSlides = {
      slideCount: 2,
      prepare: (index) => {
        if (index === 0) return whole.promise;
        settled.set(index, full[index]!);
        return Promise.resolve(ok(full[index]!));
      },
      prepareHead: (index) => {
        if (index !== 0) return null;
        headAsked += 1;
        return Promise.resolve(ok(head));
      },
      ready: (index) => settled.get(index),
      startMsOf: () => 0,
    };
    const stalls: number[] = [];
    const states: PlayState[] = [];
    const player = new PresentationPlayer(audio, slides, {
      onState: (s) => states.push(s),
      onSlide: () => undefined,
      onError: () => undefined,
      onStall: (_index, ms) => stalls.push(ms),
    });
    const finish = () => {
      settled.set(0, full[0]!);
      whole.resolve(ok(full[0]!));
      continuation.resolve(ok({ full: full[0]!, rest: restBuffer }));
    };
    return {
      audio,
      player,
      head,
      full,
      finish,
      stalls,
      states,
      restBuffer,
      headAsked: () => headAsked,
    };
  }

  it('plays the head at once and queues the rest exactly where it ends', async () => {
    const { audio, player, full, finish, stalls, restBuffer } = headSetup();
    expect(await player.play(0)).toBe(true);
    const start = audio.started[0]!.startAtSec;
    expect(start).toBeCloseTo(10.05, 9);
    audio.time = start + 0.3;
    expect(player.frameAt(audio.time)?.slide.speechMs).toBe(800);
    finish();
    await Promise.resolve();
    await Promise.resolve();
    const frame = player.frameAt(audio.time)!;
    expect(frame.slide).toBe(full[0]);
    const rest = audio.started.find((s) => s.buffer === restBuffer);
    expect(rest?.startAtSec).toBeCloseTo(start + 0.8, 9);
    // The next slide follows the whole slide's speech and hold, not the head's.
    audio.time = start + 1;
    player.frameAt(audio.time);
    expect(audio.started.at(-1)?.startAtSec).toBeCloseTo(start + 2.5, 9);
    expect(stalls).toEqual([]);
  });

  it('a rest that comes after the head has ended starts at once and is reported as a stall', async () => {
    const { audio, player, finish, stalls, states, restBuffer } = headSetup();
    await player.play(0);
    const start = audio.started[0]!.startAtSec;
    audio.time = start + 1.5; // the head (0.8 s) and its 0.5 s hold are over: nothing ends
    player.frameAt(audio.time);
    expect(states.at(-1)).toBe('playing');
    expect(audio.started).toHaveLength(1);
    finish();
    await Promise.resolve();
    await Promise.resolve();
    player.frameAt(audio.time);
    expect(audio.started.find((s) => s.buffer === restBuffer)?.startAtSec).toBeCloseTo(
      start + 1.52,
      9,
    );
    expect(stalls[0]).toBeCloseTo(720, 3);
  });

  it('a recording waits for the whole slide', async () => {
    const { audio, player, finish, headAsked } = headSetup();
    const playing = player.play(0, () => Promise.resolve(true));
    finish();
    expect(await playing).toBe(true);
    expect(headAsked()).toBe(0);
    expect(audio.started).toHaveLength(1);
  });
});
