import type { PlayState } from '../playback/presentation-player.ts';

/** A program frame just drawn, before it is handed to the stream: outputs may mark it. */
export interface DrawnFrame {
  /** Draws a diagnostic frame counter into this frame (the latency benchmark reads it back). */
  drawCounter(value: number): void;
}

/**
 * What the program tells the outputs (recording, live, export) that consume it. The engine knows
 * no output: each one observes what it needs and keeps its own state. Every member is optional.
 */
export interface ProgramObserver {
  /** The clock changed state (idle, preparing, playing, paused, ended). */
  playState?(state: PlayState): void;
  /** Another slide went on air during a run (a run's first slide is not a change: see runStart). */
  slideChange?(index: number): void;
  /** Play, Record, a jump or a frame-stepped run began: what was announced before is stale. */
  runStart?(): void;
  /**
   * Stop was asked for (by the user, a reload or dispose). Awaited before an edit that waited for
   * the presentation applies, so an output can finish what it wrote first.
   */
  stopping?(): Promise<void> | void;
  /** A program frame was drawn and is about to reach the stream. */
  frameDrawn?(frame: DrawnFrame): void;
}

/** The engine's observers, told in the order they subscribed. */
export class ProgramObservers {
  private readonly observers = new Set<ProgramObserver>();

  add(observer: ProgramObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  emit<K extends Exclude<keyof ProgramObserver, 'stopping'>>(
    event: K,
    ...args: Parameters<NonNullable<ProgramObserver[K]>>
  ): void {
    for (const observer of this.observers) {
      const handler = observer[event] as ((...a: typeof args) => void) | undefined;
      handler?.apply(observer, args);
    }
  }

  async stopping(): Promise<void> {
    await Promise.all(
      [...this.observers].map((observer) => Promise.resolve(observer.stopping?.())),
    );
  }
}
