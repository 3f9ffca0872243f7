import { splitSentences } from '../../../shared/speech/narration-text.ts';
import type { ProgramFrame } from '../playback/presentation-player.ts';
import type { PreparedSlide } from '../playback/slide-preparer.ts';

export interface SpokenWord {
  slideIndex: number;
  charStart: number;
  charEnd: number;
}

/** The word being heard now, for the console's narration (changes a few times a second). */
export class SpokenWordTracker {
  private word: SpokenWord | null = null;

  get current(): SpokenWord | null {
    return this.word;
  }

  /** Follows the frame on air; true when the word heard changed. */
  follow(frame: ProgramFrame): boolean {
    const word = frame.slide.words.find(
      (candidate) => candidate.startMs <= frame.speechMs && frame.speechMs < candidate.endMs,
    );
    const next: SpokenWord | null = word
      ? { slideIndex: frame.slide.index, charStart: word.charStart, charEnd: word.charEnd }
      : null;
    const same =
      next?.slideIndex === this.word?.slideIndex && next?.charStart === this.word?.charStart;
    if (same && (next === null) === (this.word === null)) return false;
    this.word = next;
    return true;
  }

  /** Nothing is heard (the program left the air); true when a word was showing. */
  clear(): boolean {
    if (!this.word) return false;
    this.word = null;
    return true;
  }
}

/**
 * When the sentence being spoken at `speechMs` ends (the end of its last word), or null when no
 * word lies ahead (a hold). Sentences are cut as the voice cuts them (splitSentences).
 */
export function sentenceEndAfter(
  slide: Pick<PreparedSlide, 'words' | 'slide'>,
  speechMs: number,
): number | null {
  const words = slide.words;
  if (words.length === 0) return null;
  const sentences = splitSentences(slide.slide.narration);
  for (const sentence of sentences) {
    const inside = words.filter(
      (word) => word.charStart >= sentence.start && word.charEnd <= sentence.end,
    );
    const last = inside[inside.length - 1];
    if (last && last.endMs > speechMs) return last.endMs;
  }
  return null;
}
