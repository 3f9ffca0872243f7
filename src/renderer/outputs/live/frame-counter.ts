import { wallClockMs } from '../../../shared/time/wall-clock.ts';
import type { ProgramEngine } from '../../engine/program-engine.ts';

export interface PublishedFrame {
  counter: number;
  /** When the frame went to the outputs (epoch milliseconds). */
  publishedAtMs: number;
}

/** How many published frames are remembered (the benchmark reads a few seconds' worth). */
const keptFrames = 10_000;

/**
 * Latency diagnostics (the live benchmark): draws a counter into every program frame and notes
 * when each was handed to the stream, so a subscriber can read the counter back and time it.
 */
export class FrameCounter {
  private next = 0;
  private readonly published: PublishedFrame[] = [];
  private readonly unobserve: () => void;

  constructor(engine: ProgramEngine) {
    this.unobserve = engine.observe({
      frameDrawn: (frame) => {
        frame.drawCounter(this.next);
        this.published.push({
          counter: this.next,
          publishedAtMs: wallClockMs(),
        });
        if (this.published.length > keptFrames) this.published.shift();
        this.next += 1;
      },
    });
  }

  publishedFrames(): PublishedFrame[] {
    return [...this.published];
  }

  dispose(): void {
    this.unobserve();
  }
}
