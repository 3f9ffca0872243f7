import type { AvatarSlides } from '../playback/avatar-slides.ts';
import type { ProgramFrame } from '../playback/presentation-player.ts';
import type { EngineLog } from '../program/engine-log.ts';
import type { SyncTalkSegments } from './synctalk-segments.ts';

/** Times a frame-stepped run asks again for one slide's avatar after its segment failed. */
export const steppedSegmentRetries = 2;

/**
 * The avatar images of a frame-stepped run (the export): every frame waits for exactly the
 * SyncTalk image it needs, however long that takes, so the picture never depends on the
 * machine's load or the server's speed. A segment main gave up on (its stream fell silent or
 * stalled, which on a busy machine is a matter of time) is asked for again from the frame the
 * run is at; only after `steppedSegmentRetries` such failures on one slide does the local
 * avatar stand in, as in live playback, and the log says so.
 */
export class SteppedAvatarFrames {
  private readonly retries = new Map<number, number>();

  constructor(
    private readonly segments: SyncTalkSegments,
    private readonly slides: Pick<AvatarSlides, 'requestAvatar'>,
    private readonly log: EngineLog,
  ) {}

  /** Resolves once the image for `frame` is in hand, or none will come. */
  async whenFrame(frame: ProgramFrame): Promise<void> {
    if (frame.speechMs < 0) return;
    const index = frame.slide.index;
    let segment = this.segments.get(index);
    while (segment) {
      await segment.whenFrame(frame.speechMs);
      if (segment.state !== 'failed' || segment.hasFrame(frame.speechMs)) return;
      const used = this.retries.get(index) ?? 0;
      if (used >= steppedSegmentRetries) return;
      this.retries.set(index, used + 1);
      this.log(
        'warn',
        `slide ${index + 1}: SyncTalk avatar failed at ${Math.round(frame.speechMs)} ms (${segment.failure?.message ?? 'no reason'}); the export asks for it again`,
        'avatar_segment_retry',
        { slideIndex: index, speechMs: Math.round(frame.speechMs), attempt: used + 1 },
      );
      segment = this.slides.requestAvatar(frame.slide) ?? undefined;
    }
  }
}
