import type {
  AvatarSegmentFrameInfo,
  SlideSpeechRequestInfo,
} from '../../../shared/ipc/contract.ts';
import type { SyncTalkAvatarSettings } from '../../../shared/lesson/lesson-schema.ts';
import type { RapidoError, Result } from '../../../shared/result.ts';
import { FrameJitterBuffer } from './frame-jitter-buffer.ts';

/**
 * SyncTalk avatar video for the slides on air and the next ones. Main's slide pipeline makes it
 * from the speech it made for the slide (named here by the same speech request: no PCM goes back
 * to main), one utterance per slide; its frames arrive from main as binary events, go into a jitter buffer and are read by
 * the audio clock (frame n at n x 40 ms of the slide's speech). A segment is played once: frames
 * behind the playhead are released, so a replayed slide asks again (main answers from its disk
 * cache). Main sends cached frames only as far as the credit granted here, so a long slide never
 * sits in memory whole.
 */
export interface SegmentApi {
  segment(request: {
    requestId: string;
    speech: SlideSpeechRequestInfo;
    avatar: SyncTalkAvatarSettings;
    creditFrames: number;
  }): Promise<Result<SegmentAnswer>>;
  onSegmentFrame(listener: (frame: AvatarSegmentFrameInfo) => void): () => void;
  grantSegmentCredit(requestId: string, shownIndex: number): void;
  cancelSegment(requestId: string): void;
}

export interface SegmentAnswer {
  frameCount: number;
  source: 'cache' | 'server';
  /** Counted in main, where the frames' audio is. */
  audioMismatches: number;
}

export interface SegmentSpeech {
  lessonId: string;
  slideId: string;
  slideIndex: number;
  avatar: SyncTalkAvatarSettings;
  /** The request the slide's speech was made from: main animates that speech. */
  request: SlideSpeechRequestInfo;
  /** s16le mono: the speech as played here (its length bounds the avatar's frames). */
  pcm: Uint8Array<ArrayBuffer>;
  sampleRateHz: number;
}

export interface SegmentImage {
  rgb: Uint8Array;
  width: number;
  height: number;
}

export type SegmentState = 'streaming' | 'complete' | 'failed' | 'cancelled';

export interface SegmentPick {
  image: SegmentImage | null;
  /** The wanted frame is missing and none is coming (failed) or it is overdue by maxHoldMs. */
  useFallback: boolean;
  underrun: boolean;
  wantedIndex: number;
}

export interface SegmentEvents {
  /** The segment ended without all its frames (not a cancel): the local avatar stands in. */
  onFailed(segment: SyncTalkSegment, error: RapidoError): void;
  onComplete?(segment: SyncTalkSegment): void;
  /**
   * A segment asked for ahead of Play (pre-roll) failed before it went on air: nobody waits for
   * it yet, so it is only logged; Play asks again and a failure then is told as usual.
   */
  onPreRollFailed?(segment: SyncTalkSegment, error: RapidoError): void;
  /**
   * A frame arrived for a segment that is being played, whether or not it goes on air: a server
   * slower than real time has its frames arrive behind the playhead while the local avatar
   * stands in, and they still tell what the server sends (the key check reads them).
   */
  onPlayedFrame?(segment: SyncTalkSegment, image: SegmentImage): void;
}

/** Frames main may send beyond the last shown one: 2 s of look-ahead, about 48 MB at 512x512. */
export const creditFrames = 50;
/**
 * When a slide's avatar may start (see `isPrimed`): with 1 s of frames, or 1 s after its first
 * frame, or sooner once the frames in hand and the pace they came at say the buffer will not run
 * dry before the speech ends (a cushion of at least `minCushionFrames`, after watching the pace
 * for `minPaceWindowMs`), or when the segment is shorter. Frames are placed by the audio clock
 * (frame n at n x 40 ms), so starting early never moves lips against the voice: the risk is a
 * held image when the server falls behind, which the projection keeps to a slower server.
 */
export const primedFrames = 25;
export const primeWaitMs = 1000;
export const cachedPrimedFrames = 3;
export const minCushionFrames = 5;
export const minPaceWindowMs = 160;
/** Room for the server's jitter in the projection (its batches come a few frames at a time). */
export const paceSafetyMs = 120;
/** An image held longer than this while speech goes on gives way to the local avatar. */
export const maxHoldMs = 2000;
const frameMs = 40;
const samplesPerFrame = 640;

function frameIndexAt(speechMs: number): number {
  return Math.max(0, Math.floor(speechMs / frameMs));
}

let nextRequest = 1;

export interface PrimingState {
  /** Frames in hand from frame 0 without a gap. */
  contiguousFrames: number;
  /** Frames the slide's speech spans. */
  speechFrames: number;
  /** Since the first frame arrived; null before it. */
  sinceFirstFrameMs: number | null;
  fromCache: boolean;
}

/**
 * Whether a streaming segment has enough frames to start on (see `primedFrames`). The pace is
 * the frames after the first over the time since it came (the time now, not the last frame's:
 * a pause in arrivals lowers it). With that pace kept, frame n arrives (n - k) / pace after now
 * and is due n x 40 ms after now; both grow linearly in n, so checking the cushion (n = k) and
 * the speech's last frame covers every frame between.
 */
export function isPrimed(state: PrimingState): boolean {
  const { contiguousFrames: k, speechFrames, sinceFirstFrameMs: since } = state;
  if (k >= Math.min(primedFrames, speechFrames)) return true;
  // Cached frames come faster than real time: a few in hand are enough to start.
  if (state.fromCache && k >= cachedPrimedFrames) return true;
  if (since === null) return false;
  if (since >= primeWaitMs) return true;
  if (k < minCushionFrames || since < minPaceWindowMs) return false;
  const framesPerMs = (k - 1) / since;
  if (framesPerMs <= 0) return false;
  const last = speechFrames - 1;
  const lastArrivesMs = (last - k) / framesPerMs;
  return k * frameMs >= paceSafetyMs && lastArrivesMs + paceSafetyMs <= last * frameMs;
}

export class SyncTalkSegment {
  readonly requestId = `seg-${Date.now().toString(36)}-${nextRequest++}`;
  readonly buffer = new FrameJitterBuffer<SegmentImage>(frameMs, 2);
  state: SegmentState = 'streaming';
  failure: RapidoError | null = null;
  source: 'cache' | 'server' | null = null;
  /** Set by the first pick: a played segment is not reused. */
  consumed = false;
  /** Asked for while nothing played (pre-roll), and not yet asked for by a run. */
  preRolled = false;
  readonly requestedAtMs = performance.now();
  firstFrameAtMs: number | null = null;
  /** Frames whose 40 ms of audio differed from the speech (main counts them; known at the end). */
  audioMismatches = 0;
  receivedFrames = 0;
  fromCache = false;
  private expectedFrames = Infinity;
  private lastCreditIndex = -1;
  private readonly speechFrames: number;
  private readonly primedWaiters: (() => void)[] = [];
  private frameWaiter: { index: number; wake: () => void } | null = null;

  constructor(
    readonly speech: SegmentSpeech,
    private readonly api: SegmentApi,
  ) {
    this.speechFrames = Math.ceil(speech.pcm.byteLength / 2 / samplesPerFrame);
  }

  /** Resolves once the avatar can start: primed, complete, failed or cancelled. */
  whenReady(): Promise<void> {
    if (this.isReady()) return Promise.resolve();
    return new Promise((resolve) => this.primedWaiters.push(resolve));
  }

  isReady(): boolean {
    if (this.state !== 'streaming') return true;
    return isPrimed({
      contiguousFrames: this.contiguousFrames,
      speechFrames: this.speechFrames,
      sinceFirstFrameMs:
        this.firstFrameAtMs === null ? null : performance.now() - this.firstFrameAtMs,
      fromCache: this.fromCache,
    });
  }

  /**
   * For the exporter, which is not bound to the clock: resolves once the image for `speechMs`
   * is here, or none will come (the segment finished, failed or was cancelled). There is no
   * timer: how long a frame takes (a busy machine, a slow server) must never change the picture.
   * Credit reaches the frame (a segment asked again mid-slide starts at its first frame) and the
   * frames before it are let go as they come.
   */
  whenFrame(speechMs: number): Promise<void> {
    const index = frameIndexAt(speechMs);
    this.buffer.advanceTo(index);
    if (index > this.lastCreditIndex + 5) {
      this.lastCreditIndex = index;
      this.api.grantSegmentCredit(this.requestId, index);
    }
    if (this.hasFrameOrDone(index)) return Promise.resolve();
    return new Promise((resolve) => {
      this.frameWaiter = {
        index,
        wake: () => {
          if (this.hasFrameOrDone(index)) {
            this.frameWaiter = null;
            resolve();
            return;
          }
          // Frames before the wanted one still come: the credit asked above may have reached
          // main before it took the request (a segment asked again), so it is asked again.
          this.api.grantSegmentCredit(this.requestId, index);
        },
      };
    });
  }

  /** Whether the image for `speechMs` is in hand. */
  hasFrame(speechMs: number): boolean {
    return this.buffer.contiguousAheadOf(frameIndexAt(speechMs)) > 0;
  }

  private hasFrameOrDone(index: number): boolean {
    if (this.buffer.contiguousAheadOf(index) > 0) return true;
    if (this.state === 'failed' || this.state === 'cancelled') return true;
    // Answered is not delivered: main may still hold frames back until credit reaches them.
    if (this.state === 'complete') {
      return index >= this.expectedFrames || this.receivedFrames >= this.expectedFrames;
    }
    return false;
  }

  /** Frames received so far, in order from 0 without gaps. */
  get contiguousFrames(): number {
    return this.buffer.contiguousAheadOf(0);
  }

  /** Takes an arriving frame; answers the image kept for it (null once cancelled). */
  receive(frame: AvatarSegmentFrameInfo): SegmentImage | null {
    if (this.state === 'cancelled') return null;
    this.firstFrameAtMs ??= performance.now();
    this.fromCache = frame.source === 'cache';
    const image = { rgb: frame.rgb, width: frame.width, height: frame.height };
    this.buffer.push(frame.index, image);
    this.receivedFrames += 1;
    if (this.state === 'complete' && this.receivedFrames >= this.expectedFrames) {
      this.buffer.markComplete();
    }
    this.wakeIfReady();
    return image;
  }

  finish(result: Result<SegmentAnswer>): void {
    if (this.state !== 'streaming') return;
    if (result.ok) {
      this.state = 'complete';
      this.source = result.value.source;
      this.audioMismatches = result.value.audioMismatches;
      this.expectedFrames = result.value.frameCount;
      // Frames held back in main for want of credit may still be on their way.
      if (this.receivedFrames >= this.expectedFrames) this.buffer.markComplete();
    } else {
      this.state = result.error.code === 'cancelled' ? 'cancelled' : 'failed';
      this.failure = result.error;
      this.buffer.markComplete();
    }
    this.wakeIfReady();
  }

  /** The image for a time in the slide's speech (ms from its first sample). */
  pick(speechMs: number): SegmentPick {
    this.consumed = true;
    const picked = this.buffer.pick(speechMs);
    const wantedIndex = picked.wantedIndex;
    if (wantedIndex > this.lastCreditIndex + 5) {
      // Credit in steps of 5 frames: fewer messages, still well inside the 2 s window.
      this.lastCreditIndex = wantedIndex;
      // Also after the answer: main may still hold frames back for want of credit.
      this.api.grantSegmentCredit(this.requestId, wantedIndex);
    }
    const missing = picked.shownIndex !== wantedIndex;
    const withinSpeech = wantedIndex < this.speechFrames;
    const failedHere = this.state === 'failed' && missing && withinSpeech;
    const heldMs =
      missing && picked.shownIndex !== null ? (wantedIndex - picked.shownIndex) * frameMs : 0;
    const overdue =
      this.state === 'streaming' &&
      missing &&
      (picked.shownIndex === null ? speechMs > maxHoldMs : heldMs > maxHoldMs);
    return {
      image: picked.image,
      useFallback: failedHere || overdue,
      underrun: picked.underrun,
      wantedIndex,
    };
  }

  cancel(): void {
    // Also once answered: main may still hold frames that wait for credit.
    this.api.cancelSegment(this.requestId);
    if (this.state === 'streaming') {
      this.state = 'cancelled';
      this.wakeIfReady();
    }
    this.buffer.dispose();
  }

  private wakeIfReady(): void {
    this.frameWaiter?.wake();
    if (!this.isReady()) return;
    for (const wake of this.primedWaiters.splice(0)) wake();
  }
}

/** Every live segment of one lesson, keyed by slide index; routes arriving frames to them. */
export class SyncTalkSegments {
  private readonly bySlide = new Map<number, SyncTalkSegment>();
  private readonly byRequest = new Map<string, SyncTalkSegment>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly api: SegmentApi,
    private readonly events: SegmentEvents,
  ) {
    this.unsubscribe = api.onSegmentFrame((frame) => {
      const segment = this.byRequest.get(frame.requestId);
      if (!segment) return;
      const image = segment.receive(frame);
      if (image && segment.consumed) this.events.onPlayedFrame?.(segment, image);
    });
  }

  /**
   * The slide's segment: the unplayed one if there is one, else a new request. `preRoll` marks a
   * request made while nothing plays (see SegmentEvents.onPreRollFailed).
   */
  ensure(speech: SegmentSpeech, options: { preRoll?: boolean } = {}): SyncTalkSegment {
    const existing = this.bySlide.get(speech.slideIndex);
    if (
      existing &&
      !existing.consumed &&
      existing.state !== 'cancelled' &&
      existing.state !== 'failed'
    ) {
      // A run asks for it now: from here on its failure is the run's to tell.
      if (!options.preRoll) existing.preRolled = false;
      return existing;
    }
    existing?.cancel();
    if (existing) this.byRequest.delete(existing.requestId);
    const segment = new SyncTalkSegment(speech, this.api);
    segment.preRolled = options.preRoll === true;
    this.bySlide.set(speech.slideIndex, segment);
    this.byRequest.set(segment.requestId, segment);
    void this.api
      .segment({
        requestId: segment.requestId,
        speech: speech.request,
        avatar: speech.avatar,
        creditFrames,
      })
      .then((result) => {
        segment.finish(result);
        if (segment.state === 'failed' && segment.failure) {
          if (segment.preRolled && !segment.consumed) {
            this.events.onPreRollFailed?.(segment, segment.failure);
          } else this.events.onFailed(segment, segment.failure);
        }
        if (segment.state === 'complete') this.events.onComplete?.(segment);
        // The request stays routable until released: over Electron IPC a frame event may still
        // be behind the answer.
      });
    return segment;
  }

  get(slideIndex: number): SyncTalkSegment | undefined {
    return this.bySlide.get(slideIndex);
  }

  /** Ends and frees the slide's segment (it went off air, or playback restarted). */
  release(slideIndex: number): void {
    const segment = this.bySlide.get(slideIndex);
    if (!segment) return;
    segment.cancel();
    this.bySlide.delete(slideIndex);
    this.byRequest.delete(segment.requestId);
  }

  /** Releases every segment not yet played but the slide's (pre-roll follows the selection). */
  releaseUnplayedExcept(slideIndex: number): void {
    for (const [index, segment] of this.bySlide) {
      if (index !== slideIndex && !segment.consumed) this.release(index);
    }
  }

  /** Releases every segment that has been (partly) played: they cannot be replayed. */
  releaseConsumed(): void {
    for (const [index, segment] of this.bySlide) if (segment.consumed) this.release(index);
  }

  dispose(): void {
    for (const index of [...this.bySlide.keys()]) this.release(index);
    this.unsubscribe();
  }
}
