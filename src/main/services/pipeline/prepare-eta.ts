/**
 * Time left for a pregeneration run, from its throughput so far. Work is measured in narration
 * characters: speech and avatar time both grow with the narration, and the count is known for
 * every slide before anything is made. Slides that came from cache take almost no time, so only
 * slides made for real set the pace (the rest of the lesson is assumed to need making too: an
 * over-estimate that ends early beats one that never ends); until one is made, there is no
 * figure unless the slide under way shows its own progress.
 */
export interface FinishedWork {
  characters: number;
  wallMs: number;
  /** Everything this slide needed was already in the cache. */
  fromCache: boolean;
}

export class PregenerateEta {
  private madeCharacters = 0;
  private madeMs = 0;

  record(work: FinishedWork): void {
    if (!work.fromCache) {
      this.madeCharacters += work.characters;
      this.madeMs += work.wallMs;
    }
  }

  /**
   * Milliseconds left for `remainingCharacters`, or null while nothing has been measured.
   * `current` is the slide under way (its characters done so far and time spent on it), which
   * gives a first figure before any slide has finished.
   */
  etaMs(
    remainingCharacters: number,
    current: { characters: number; wallMs: number } | null = null,
  ): number | null {
    if (remainingCharacters <= 0) return 0;
    const msPerCharacter = this.msPerCharacter(current);
    return msPerCharacter === null ? null : remainingCharacters * msPerCharacter;
  }

  private msPerCharacter(current: { characters: number; wallMs: number } | null): number | null {
    if (this.madeCharacters > 0) return this.madeMs / this.madeCharacters;
    // Only cached slides so far: their pace says nothing about slides still to be made. The
    // slide under way (its avatar frames arriving) is the only measure until one is made.
    if (current && current.characters > 0 && current.wallMs > 0) {
      return current.wallMs / current.characters;
    }
    return null;
  }
}
