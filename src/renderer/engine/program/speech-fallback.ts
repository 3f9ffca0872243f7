import type { RapidoError } from '../../../shared/result.ts';
import type { PreparedSlide } from '../playback/slide-preparer.ts';

/**
 * Says when a slide's speech came (partly) from the offline voice: a log line each time, and one
 * notice per cause, since an outage would otherwise raise one for every slide.
 */
export class SpeechFallbackNotices {
  private readonly noticed = new Set<string>();

  constructor(
    private readonly log: (
      message: string,
      eventType: string,
      performance: Record<string, number>,
    ) => void,
    private readonly warn: (error: RapidoError) => void,
  ) {}

  /** A new lesson: every cause is news again. */
  clear(): void {
    this.noticed.clear();
  }

  notice(slide: PreparedSlide): void {
    const fallback = slide.speechFallback;
    if (!fallback) return;
    this.log(
      `slide ${slide.index + 1}: ${fallback.sentences} sentence(s) in the offline voice (${fallback.message})`,
      'speech_fallback',
      { slideIndex: slide.index, sentences: fallback.sentences },
    );
    if (this.noticed.has(fallback.message)) return;
    this.noticed.add(fallback.message);
    this.warn({
      code: 'speech-failed',
      message: `Slide ${slide.index + 1}: ${fallback.sentences === 1 ? 'one sentence is' : `${fallback.sentences} sentences are`} spoken by the offline voice. ${fallback.message}`,
      ...(fallback.hint ? { hint: fallback.hint } : {}),
    });
  }
}
