import type {
  InvokeRequest,
  InvokeResponse,
  PrepareProgressInfo,
  SlideSpeechRequestInfo,
  SpeechInfo,
} from '../../../shared/ipc/contract.ts';
import type { Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { err, ok, type Result } from '../../../shared/result.ts';
import type { SyncTalkAvatarService } from '../avatar/synctalk-avatar-service.ts';
import type { CallContext } from '../ipc/dispatcher.ts';
import type { Logger } from '../logging/logger.ts';
import type { VoiceServices } from '../speech/voice-services.ts';
import { LessonPreparer, type PrepareSteps } from './lesson-preparer.ts';

/**
 * Per slide: narration -> speech -> avatar video, all in main. The renderer asks for a slide's
 * speech (and gets PCM and word timings to play) and then for its avatar by naming the same
 * speech request: main feeds the very PCM it answered with to SyncTalk and streams the credited
 * frames back. PCM never travels from the renderer to main. Pre-generation runs the same steps
 * with no page at all (the editor's "Prepare whole lesson" and `rapido prepare`), and only
 * progress leaves main.
 */
export interface SlidePipeline {
  /** One slide's speech (remembered for its avatar). */
  speech(request: SlideSpeechRequestInfo): Promise<Result<SpeechInfo>>;
  /** The slide's avatar from its speech, streamed to the client that asked. */
  avatar(
    request: InvokeRequest<'avatar:segment'>,
    context: CallContext,
  ): Promise<InvokeResponse<'avatar:segment'>>;
  /** Every slide's speech and avatar into the caches; progress only, never frames. */
  prepareLesson(lesson: Lesson, lessonDir: string, run: PrepareRun): Promise<PrepareProgressInfo>;
  /** `pipeline:prepare-lesson` for a client: progress goes to it as events. */
  prepareForClient(
    request: InvokeRequest<'pipeline:prepare-lesson'>,
    context: CallContext,
  ): Promise<InvokeResponse<'pipeline:prepare-lesson'>>;
  cancelPrepare(runId: string, context: CallContext): void;
  /**
   * Stops every preparation run and settles once the work they started has ended (a cancelled
   * run's last cache write included), so the caches can be closed or removed after it.
   */
  close(): Promise<void>;
}

export interface PrepareRun {
  signal?: AbortSignal;
  onProgress?: (progress: PrepareProgressInfo) => void;
  /** Read cached avatar video to its end (a damaged entry is remade), not just its first frame. */
  verifyCachedAvatar?: boolean;
}

export interface SlidePipelineOptions {
  voices: Pick<VoiceServices, 'synthesize'>;
  avatar: Pick<SyncTalkAvatarService, 'segment' | 'prepare'>;
  logger: Logger;
  /** Sends a preparation run's progress to the client that started it. */
  emitProgress?: (clientId: string, runId: string, progress: PrepareProgressInfo) => void;
  /** Speech kept for the avatar request that follows it (the slides near the playhead). */
  rememberedSpeech?: number;
}

/** The speech cache's own key material: the same request always makes the same speech. */
function speechKey(request: SlideSpeechRequestInfo): string {
  return JSON.stringify([
    request.lessonId,
    request.slideId,
    request.text,
    request.previousText ?? null,
    request.nextText ?? null,
    request.voice,
    // The recording's path and words (its content is checked by the speech cache's key).
    request.recorded ?? null,
  ]);
}

export function createSlidePipeline(options: SlidePipelineOptions): SlidePipeline {
  const log = options.logger.child('pipeline');
  const rendererLog = options.logger.child('renderer', { event_source: 'backend' });
  const limit = options.rememberedSpeech ?? 16;
  /**
   * Recent speech by request, so the avatar is made from exactly the PCM the renderer plays
   * (the speech cache would answer too, but speech that fell back to the offline voice for a
   * sentence is not cached, and a paid voice must not be asked twice).
   */
  const recent = new Map<string, Promise<Result<SpeechInfo>>>();
  const runs = new Map<string, AbortController>();
  const preparers = new Set<LessonPreparer>();

  function remember(key: string, speech: Promise<Result<SpeechInfo>>): void {
    recent.delete(key);
    recent.set(key, speech);
    while (recent.size > limit) {
      const oldest = recent.keys().next().value;
      if (oldest === undefined) break;
      recent.delete(oldest);
    }
  }

  /**
   * Always asks the voice services (their disk cache answers a repeat, and logs it as today);
   * the answer is remembered, with its own copy of the PCM (the one sent may be transferred
   * away), for the avatar request that follows.
   */
  function speech(request: SlideSpeechRequestInfo): Promise<Result<SpeechInfo>> {
    const key = speechKey(request);
    const made = options.voices.synthesize(request).then((result) => {
      if (!result.ok) {
        if (recent.get(key) === kept) recent.delete(key); // a failure may be retried
        log.warn(`speech failed for slide ${request.slideId}: ${result.error.message}`, {
          lesson_id: request.lessonId,
          event_type: 'speech_failed',
        });
      }
      return result;
    });
    const kept = made.then((result) =>
      result.ok ? ok({ ...result.value, pcm: result.value.pcm.slice() }) : result,
    );
    remember(key, kept);
    return made;
  }

  /** The speech the slide's avatar is made from: the one answered for it, else made now. */
  function speechForAvatar(request: SlideSpeechRequestInfo): Promise<Result<SpeechInfo>> {
    const key = speechKey(request);
    const known = recent.get(key);
    if (known) return known;
    const made = speech(request);
    // speech() remembers its own copy at once; the answer itself is the fallback.
    return recent.get(key) ?? made;
  }

  async function avatar(
    request: InvokeRequest<'avatar:segment'>,
    context: CallContext,
  ): Promise<InvokeResponse<'avatar:segment'>> {
    const spoken = await speechForAvatar(request.speech);
    if (!spoken.ok) return spoken;
    if (spoken.value.pcm.byteLength === 0) {
      return err('invalid-request', `Slide ${request.speech.slideId} has no speech to animate.`);
    }
    return options.avatar.segment(
      {
        requestId: request.requestId,
        lessonId: request.speech.lessonId,
        slideId: request.speech.slideId,
        avatar: request.avatar,
        pcm: spoken.value.pcm,
        sampleRateHz: spoken.value.sampleRateHz,
        creditFrames: request.creditFrames,
      },
      context,
    );
  }

  const steps: PrepareSteps = {
    speech,
    avatar: (job, handlers) => options.avatar.prepare(job, handlers),
    log(entry) {
      const fields = {
        lesson_id: entry.lessonId ?? undefined,
        ...(entry.eventType === null ? {} : { event_type: entry.eventType }),
        ...(entry.performance === undefined ? {} : { performance_data: entry.performance }),
      };
      rendererLog.child(entry.logger)[entry.level](entry.message, fields);
    },
  };

  function prepareLesson(
    lesson: Lesson,
    lessonDir: string,
    run: PrepareRun,
  ): Promise<PrepareProgressInfo> {
    const { verifyCachedAvatar, ...events } = run;
    const preparer = new LessonPreparer(steps, lessonDir, lesson, {
      ...(verifyCachedAvatar === undefined ? {} : { verifyCachedAvatar }),
    });
    preparers.add(preparer);
    const forget = () => void preparer.settled().then(() => preparers.delete(preparer));
    const final = preparer.run(events);
    void final.then(forget);
    return final;
  }

  const runKey = (context: CallContext, runId: string) => `${context.clientId}\n${runId}`;

  async function prepareForClient(
    request: InvokeRequest<'pipeline:prepare-lesson'>,
    context: CallContext,
  ): Promise<InvokeResponse<'pipeline:prepare-lesson'>> {
    const key = runKey(context, request.runId);
    if (runs.has(key)) {
      return err('invalid-request', `Preparation ${request.runId} is already running.`);
    }
    const controller = new AbortController();
    runs.set(key, controller);
    try {
      const final = await prepareLesson(request.lesson, request.lessonDir, {
        signal: controller.signal,
        onProgress: (progress) => options.emitProgress?.(context.clientId, request.runId, progress),
      });
      return ok(final);
    } finally {
      runs.delete(key);
    }
  }

  return {
    speech,
    avatar,
    prepareLesson,
    prepareForClient,
    cancelPrepare(runId, context) {
      runs.get(runKey(context, runId))?.abort();
    },
    async close() {
      for (const controller of runs.values()) controller.abort();
      runs.clear();
      recent.clear();
      await Promise.all([...preparers].map((preparer) => preparer.settled()));
    },
  };
}
