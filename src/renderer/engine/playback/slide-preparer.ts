import { int16Samples } from '../../../shared/pcm-samples.ts';
import type { SpeechInfo, WordTimingInfo } from '../../../shared/ipc/contract.ts';
import {
  defaultElevenLabsModelId,
  type Lesson,
  type Slide,
} from '../../../shared/lesson/lesson-schema.ts';
import { modelSupportsAudioTags, splitSentences } from '../../../shared/speech/narration-text.ts';
import { err, ok, type Result } from '../../../shared/result.ts';
import type { RapidoApi } from '../../../shared/ipc/rapido-api.ts';
import { gateMouthByWords, mouthOpennessFromPcm } from '../local-avatar/avatar-motion.ts';
import type { ProgramAudio } from './program-audio.ts';
import { decodeSlideImage, type SlideImage } from './slide-image.ts';
import { slideSpeechRequest } from '../../../shared/speech/slide-speech-request.ts';

/** What showing a slide needs (no speech): the selected slide while nothing plays. */
export interface DisplaySlide {
  index: number;
  slide: Slide;
  image: SlideImage;
}

/** Everything a slide needs on air: decoded image, narration audio, its timing and lip cues. */
export interface PreparedSlide extends DisplaySlide {
  audio: AudioBuffer;
  /** The speech as produced (s16le mono), for the SyncTalk avatar. */
  pcm: Uint8Array<ArrayBuffer>;
  sampleRateHz: number;
  speechMs: number;
  holdMs: number;
  words: WordTimingInfo[];
  /** Mouth openness per avatar frame (40 ms), from the speech actually produced. */
  mouth: Float32Array;
  mouthFrameMs: number;
  cached: boolean;
  /** Sentences the offline voice spoke because the lesson's voice could not (and why). */
  speechFallback: SpeechInfo['fallback'];
  /**
   * Set on a slide's head (its first sentence, prepared alone so Play can start on it): the
   * whole slide, and the audio after the head, once they are ready.
   */
  continuation?: Promise<Result<SlideContinuation>>;
}

export interface SlideContinuation {
  full: PreparedSlide;
  /** The full slide's speech after the head's samples. */
  rest: AudioBuffer;
}

/** Words per minute assumed for a slide not yet synthesised (ElevenLabs voices average ~155). */
function estimatedWordsPerMinute(lesson: Lesson): number {
  return lesson.voice.provider === 'offline'
    ? lesson.voice.rateWpm
    : 155 * (lesson.voice.settings.speed ?? 1);
}

export const mouthFrameMs = 40;

/**
 * Prepares slides ahead of playback (look-ahead): speech comes from the main process (cached
 * there by content hash), images from the lesson store. Each slide is prepared at most once per
 * lesson version; callers share the same promise.
 */
export class SlidePreparer {
  private readonly prepared = new Map<number, Promise<Result<PreparedSlide>>>();
  private readonly settled = new Map<number, PreparedSlide>();
  /** Each prepared slide's speech plus hold: kept when the slide itself is released. */
  private readonly durationsMs = new Map<number, number>();
  /** Decoded once per slide and shared by display and preparation. */
  private readonly images = new Map<number, Promise<Result<SlideImage>>>();
  private readonly decoded = new Set<SlideImage>();

  constructor(
    private readonly api: RapidoApi,
    private readonly audio: ProgramAudio,
    private readonly lessonDir: string,
    private readonly lesson: Lesson,
    /** Told once per slide whose speech came (partly) from the fallback voice. */
    private readonly onSpeechFallback?: (slide: PreparedSlide) => void,
  ) {}

  get slideCount(): number {
    return this.lesson.slides.length;
  }

  /** A prepared slide, if it is ready now. */
  ready(index: number): PreparedSlide | undefined {
    return this.settled.get(index);
  }

  prepare(index: number): Promise<Result<PreparedSlide>> {
    const existing = this.prepared.get(index);
    if (existing) return existing;
    const promise = this.load(index);
    this.prepared.set(index, promise);
    void promise.then((result) => {
      // Released (or prepared again) meanwhile: this result is no longer the slide's.
      if (this.prepared.get(index) !== promise) return;
      if (result.ok) {
        this.settled.set(index, result.value);
        this.durationsMs.set(index, result.value.speechMs + result.value.holdMs);
        if (result.value.speechFallback) this.onSpeechFallback?.(result.value);
      } else this.prepared.delete(index); // a failure may be retried later
    });
    return promise;
  }

  /** Known program duration of slides [0, index), or null while any is unprepared. */
  startMsOf(index: number): number | null {
    let total = 0;
    for (let i = 0; i < index; i += 1) {
      const durationMs = this.durationsMs.get(i);
      if (durationMs === undefined) return null;
      total += durationMs;
    }
    return total;
  }

  totalMs(): number | null {
    return this.startMsOf(this.lesson.slides.length);
  }

  /**
   * The lesson's length: exact for prepared slides, estimated from word count and speaking rate
   * for the rest, so the UI can show a total before every slide is synthesised.
   */
  estimatedTotalMs(): number {
    let total = 0;
    for (let index = 0; index < this.lesson.slides.length; index += 1) {
      total += this.estimatedSlideMs(index);
    }
    return total;
  }

  /** One slide's length: exact once prepared, else from its word count and the speaking rate. */
  estimatedSlideMs(index: number): number {
    const knownMs = this.durationsMs.get(index);
    if (knownMs !== undefined) return knownMs;
    const slide = this.lesson.slides[index];
    if (!slide) return 0;
    const wordsPerMs = estimatedWordsPerMinute(this.lesson) / 60_000;
    const words = slide.narration.split(/\s+/).filter(Boolean).length;
    return words / wordsPerMs + slide.holdMs;
  }

  /** The slide's image only: showing a slide must not cost a paid synthesis. */
  async display(index: number): Promise<Result<DisplaySlide>> {
    const slide = this.lesson.slides[index];
    if (!slide) return err('invalid-request', `There is no slide ${index + 1}.`);
    const image = await this.imageFor(index, slide);
    return image.ok ? ok({ index, slide, image: image.value }) : image;
  }

  /**
   * Forgets a slide once it is done with (the exporter walks an hour-long lesson and must not
   * hold every slide's speech and image at once). Asking again prepares it again, from cache.
   */
  release(index: number): void {
    this.prepared.delete(index);
    this.settled.delete(index);
    const image = this.images.get(index);
    this.images.delete(index);
    void image?.then((result) => {
      if (!result.ok) return;
      result.value.release();
      this.decoded.delete(result.value);
    });
  }

  /**
   * Keeps only the slides in [from, to] (on air, the one before it, the look-ahead): a long
   * lesson presented live would otherwise hold every played slide's speech and image. A slide
   * released and asked for again is prepared again, from the speech cache.
   */
  releaseOutside(from: number, to: number): void {
    const held = new Set([...this.prepared.keys(), ...this.images.keys()]);
    for (const index of held) if (index < from || index > to) this.release(index);
  }

  dispose(): void {
    for (const image of this.decoded) image.release();
    this.decoded.clear();
    this.images.clear();
    this.settled.clear();
    this.prepared.clear();
  }

  private imageFor(index: number, slide: Slide): Promise<Result<SlideImage>> {
    const existing = this.images.get(index);
    if (existing) return existing;
    const promise = this.decodeImage(index, slide);
    this.images.set(index, promise);
    void promise.then((result) => {
      if (result.ok) this.decoded.add(result.value);
      else this.images.delete(index); // a failure may be retried later
    });
    return promise;
  }

  private async decodeImage(index: number, slide: Slide): Promise<Result<SlideImage>> {
    const asset = await this.api.lesson.readAsset(this.lessonDir, slide.image);
    if (!asset.ok) return asset;
    try {
      return ok(
        await decodeSlideImage(asset.value.bytes, asset.value.mimeType, this.lesson.output),
      );
    } catch (error) {
      return err(
        'asset-not-found',
        `Slide ${index + 1}: ${slide.image} could not be decoded as an image.`,
        {
          hint: `Re-export the slide as PNG or JPEG (${error instanceof Error ? error.message : String(error)}).`,
        },
      );
    }
  }

  /**
   * The slide's first sentence alone, when that can start sooner than the whole slide: the
   * sentence is the same request (same cache key) as the whole slide's first, so its audio is
   * exactly the start of the whole slide's and the rest can follow sample-accurately. Null when
   * the slide is ready, has one sentence, is recorded, or its voice speaks a slide at once
   * (offline).
   */
  prepareHead(index: number): Promise<Result<PreparedSlide>> | null {
    const slide = this.lesson.slides[index];
    const voice = this.lesson.voice;
    if (!slide || this.settled.has(index) || voice.provider !== 'elevenlabs') return null;
    // A recording is read whole at once; it has no sentence to start on.
    if (slide.recordedNarration) return null;
    const spans = splitSentences(slide.narration, {
      keepTagOnly: modelSupportsAudioTags(voice.modelId ?? defaultElevenLabsModelId),
    });
    const first = spans[0];
    if (!first || spans.length < 2) return null;
    const full = this.prepare(index);
    return this.load(
      index,
      slide.narration.slice(0, first.end),
      slide.narration.slice(first.end),
    ).then((head) => {
      if (!head.ok) return head;
      const headBytes = head.value.pcm.byteLength;
      const continuation = full.then((whole): Result<SlideContinuation> => {
        if (!whole.ok) return whole;
        return ok({
          full: whole.value,
          rest: this.audio.bufferFromPcm(
            whole.value.pcm.subarray(Math.min(headBytes, whole.value.pcm.byteLength)),
            whole.value.sampleRateHz,
          ),
        });
      });
      return ok({ ...head.value, continuation });
    });
  }

  private async load(
    index: number,
    text?: string,
    nextText?: string,
  ): Promise<Result<PreparedSlide>> {
    const slide = this.lesson.slides[index];
    const request = slideSpeechRequest(this.lesson, index, this.lessonDir);
    if (!slide || !request) return err('invalid-request', `There is no slide ${index + 1}.`);
    const [image, speech] = await Promise.all([
      this.imageFor(index, slide),
      // A first sentence alone (fast start) goes with the rest of the slide as its next text.
      this.api.speech.synthesize({
        ...request,
        ...(text === undefined ? {} : { text }),
        ...(nextText === undefined ? {} : { nextText }),
      }),
    ]);
    if (!image.ok) return image;
    if (!speech.ok) return speech;
    const { pcm, sampleRateHz } = speech.value;
    const samples = int16Samples(pcm);
    return ok({
      index,
      slide,
      image: image.value,
      audio: this.audio.bufferFromPcm(pcm, sampleRateHz),
      pcm,
      sampleRateHz,
      speechMs: (samples.length / sampleRateHz) * 1000,
      holdMs: slide.holdMs,
      words: speech.value.words,
      mouth: gateMouthByWords(
        mouthOpennessFromPcm(samples, sampleRateHz, mouthFrameMs),
        speech.value.words,
        mouthFrameMs,
      ),
      mouthFrameMs,
      cached: speech.value.cached,
      speechFallback: speech.value.fallback,
    });
  }
}
