import type { RapidoApi } from '../../../shared/ipc/rapido-api.ts';
import type { Lesson, SyncTalkAvatarSettings } from '../../../shared/lesson/lesson-schema.ts';
import type { Result } from '../../../shared/result.ts';
import { slideSpeechRequest } from '../../../shared/speech/slide-speech-request.ts';
import type { SyncTalkSegments } from '../avatar/synctalk-segments.ts';
import type { PlayerSlides } from './presentation-player.ts';
import type { PreparedSlide } from './slide-preparer.ts';

/**
 * The slides as the player sees them when the lesson's avatar is SyncTalk: preparing a slide also
 * asks for its avatar video (look-ahead, so the next slides' frames are made while this one
 * plays). Only the first slide of a run waits for its avatar, so Play starts with the avatar on
 * screen; later slide changes never wait on the server (the audio clock goes on, the last image
 * is held, and the local avatar stands in if frames stay away).
 */
export class AvatarSlides implements PlayerSlides {
  constructor(
    private readonly base: PlayerSlides,
    private readonly lesson: Lesson,
    /** The lesson's folder: a recorded slide's speech request names its WAV inside it. */
    private readonly lessonDir: string,
    private readonly segments: SyncTalkSegments,
    /** Longest wait for the first slide's avatar before starting with the local one. */
    private readonly firstFrameTimeoutMs = 10_000,
  ) {}

  get slideCount(): number {
    return this.base.slideCount;
  }

  async prepare(index: number): Promise<Result<PreparedSlide>> {
    const prepared = await this.base.prepare(index);
    if (!prepared.ok) return prepared;
    const segment = this.requestAvatar(prepared.value);
    if (segment) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        segment.whenReady(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.firstFrameTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    return prepared;
  }

  ready(index: number): PreparedSlide | undefined {
    return this.base.ready(index);
  }

  startMsOf(index: number): number | null {
    return this.base.startMsOf(index);
  }

  releaseOutside(from: number, to: number): void {
    this.base.releaseOutside?.(from, to);
  }

  /**
   * Pre-roll while nothing plays: the selected slide's avatar video is asked for at once (main
   * answers from its cache, or the server starts on it), so Play finds frames in hand. Only when
   * the avatar is loaded on the server: main loads a refused avatar for a segment, and starting a
   * model load is the user's call (Load avatar) or Play's, not the lesson opening's. Other
   * slides' unplayed segments are let go: browsing must not pile up frames. Settles when the
   * segment could start on air (primed, or ended), or at once when nothing was asked for.
   */
  async preRollIfLoaded(
    prepared: PreparedSlide,
    gate: {
      isLoaded(avatar: SyncTalkAvatarSettings): Promise<boolean>;
      /** Checked after the server answered: the selection or the state may have moved on. */
      stillWanted(): boolean;
    },
  ): Promise<void> {
    const avatar = this.lesson.avatar;
    if (avatar.provider !== 'synctalk') return;
    if (!(await gate.isLoaded(avatar)) || !gate.stillWanted()) return;
    this.segments.releaseUnplayedExcept(prepared.index);
    await this.requestAvatar(prepared, true)?.whenReady();
  }

  /** Starts (or finds) the slide's avatar segment; null when the slide shows no SyncTalk avatar. */
  requestAvatar(prepared: PreparedSlide, preRoll = false) {
    const avatar = this.lesson.avatar;
    if (avatar.provider !== 'synctalk' || prepared.slide.avatar?.hidden) return null;
    // The whole slide's speech request (what the preparer asked for): main animates that speech.
    const request = slideSpeechRequest(this.lesson, prepared.index, this.lessonDir);
    if (prepared.pcm.byteLength === 0 || !request) return null;
    return this.segments.ensure(
      {
        lessonId: this.lesson.id,
        slideId: prepared.slide.id,
        slideIndex: prepared.index,
        avatar,
        request,
        pcm: prepared.pcm,
        sampleRateHz: prepared.sampleRateHz,
      },
      { preRoll },
    );
  }
}

/** Whether the server reports the avatar loaded (pre-roll must not start a model load). */
export async function syncTalkLoaded(
  api: Pick<RapidoApi['avatar'], 'checkSyncTalk'>,
  avatar: SyncTalkAvatarSettings,
): Promise<boolean> {
  const check = await api.checkSyncTalk(avatar);
  return check.ok && check.value.readiness === 'loaded';
}
