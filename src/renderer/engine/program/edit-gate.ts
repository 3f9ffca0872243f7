import type { Lesson } from '../../../shared/lesson/lesson-schema.ts';

/**
 * A content edit (speech, slides, size) made while the program is in use waits here: while
 * presenting, while an output holds the lesson it was set up for (a recording), or while a
 * frame-stepped run holds the canvas. The latest waiting edit wins.
 */
export class EditGate {
  private holds = 0;
  private pending: Lesson | null = null;

  /** `onRelease` runs when a hold ends, so a waiting edit can apply. */
  constructor(private readonly onRelease: () => void) {}

  get held(): boolean {
    return this.holds > 0;
  }

  get waiting(): boolean {
    return this.pending !== null;
  }

  /** Holds edits until the returned release is called (once; later calls do nothing). */
  hold(): () => void {
    this.holds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds -= 1;
      this.onRelease();
    };
  }

  defer(lesson: Lesson): void {
    this.pending = lesson;
  }

  /** A look edit (placement, key) applies at once, and to the waiting edit too. */
  lookChanged(lesson: Lesson): void {
    if (this.pending) this.pending = lesson;
  }

  /** The waiting edit, now taken (null when none). */
  take(): Lesson | null {
    const pending = this.pending;
    this.pending = null;
    return pending;
  }
}
