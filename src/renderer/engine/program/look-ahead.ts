import type { PresentationPlayer } from '../playback/presentation-player.ts';
import type { PreparedSlide, SlidePreparer } from '../playback/slide-preparer.ts';

/** How long a lesson with a paid voice must stay unchanged before its look-ahead is bought. */
const paidLookAheadSettleMs = 2_000;

/**
 * Look-ahead while idle: the selected slide and the next are prepared, so Play starts without
 * waiting. The offline voice costs nothing and starts at once; a paid voice waits until the
 * lesson has been left alone for a moment, so dragging a voice slider or clicking through slides
 * does not buy speech for every intermediate state.
 */
export class IdleLookAhead {
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private preRolled: Promise<void> = Promise.resolve();

  /**
   * Prepares `index` and the next; `stillWanted` says whether the selection is unchanged.
   * `preRoll` gets the selected slide once prepared (its avatar video is asked for then, so Play
   * finds frames in hand); it settles when the slide could start on air.
   */
  async schedule(
    preparer: SlidePreparer,
    index: number,
    paidVoice: boolean,
    stillWanted: () => boolean,
    preRoll?: (prepared: PreparedSlide) => Promise<void>,
  ): Promise<void> {
    this.cancel();
    const run = async () => {
      if (!stillWanted()) return;
      if (index + 1 < preparer.slideCount) void preparer.prepare(index + 1);
      const prepared = await preparer.prepare(index);
      if (prepared.ok && stillWanted() && preRoll) {
        // Not awaited: the lesson shows while the avatar's first frames come.
        this.preRolled = preRoll(prepared.value).catch(() => undefined);
      }
    };
    // Free speech is ready by the time the lesson has opened, as a player expects.
    if (!paidVoice) await run();
    else this.timer = setTimeout(() => void run(), paidLookAheadSettleMs);
  }

  cancel(): void {
    clearTimeout(this.timer);
  }

  /**
   * Settles once the selected slide's pre-roll, if one was started, has frames enough to start
   * on (or failed): a render that records waits here so its first slide starts clean.
   */
  whenPreRolled(): Promise<void> {
    return this.preRolled;
  }
}

/** Program time ready beyond now: the rest of the slide on air, then each prepared slide after. */
export function measureLookAhead(
  preparer: SlidePreparer,
  player: PresentationPlayer | null,
  onAir: number,
  nowSec: number,
): { lookAheadSlides: number; lookAheadMs: number } {
  let slides = 0;
  let readyMs = 0;
  const frame =
    player && (player.state === 'playing' || player.state === 'paused')
      ? player.frameAt(nowSec)
      : null;
  if (frame) readyMs += Math.max(0, frame.slide.speechMs + frame.slide.holdMs - frame.speechMs);
  for (let index = onAir + 1; index < preparer.slideCount; index += 1) {
    const ready = preparer.ready(index);
    if (!ready) break;
    slides += 1;
    readyMs += ready.speechMs + ready.holdMs;
  }
  return { lookAheadSlides: slides, lookAheadMs: readyMs };
}
