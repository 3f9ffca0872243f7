import {
  buildCaptionCues,
  captionAt,
  formatWebVtt,
  type CaptionCue,
  type CaptionWord,
} from '../../../shared/captions/caption-cues.ts';
import { stripAudioTags } from '../../../shared/speech/narration-text.ts';
import type { PreparedSlide } from '../playback/slide-preparer.ts';

/**
 * Captions from the word timings of the speech actually played (ElevenLabs alignment or the
 * offline voice's word events). Each caption word is the narration from one word to the next, so
 * punctuation survives where the engines report bare words; audio tags never appear.
 */
export function captionWordsFor(slide: Pick<PreparedSlide, 'words' | 'slide'>): CaptionWord[] {
  const narration = slide.slide.narration;
  const words: CaptionWord[] = [];
  slide.words.forEach((word, index) => {
    const next = slide.words[index + 1];
    const until = next ? Math.max(word.charEnd, next.charStart) : narration.length;
    // Up to the next word, but a sentence's closing punctuation only, not the next sentence's tags.
    const text = stripAudioTags(narration.slice(word.charStart, until)).trim();
    if (text.length > 0) words.push({ text, startMs: word.startMs, endMs: word.endMs });
  });
  return words;
}

/** A cue on the audio clock: seconds of AudioContext time (the recording's clock too). */
interface TimedCue {
  startSec: number;
  endSec: number;
  text: string;
}

/**
 * Per-slide cues for the program (burned in) and a log of what was on air, on the audio clock,
 * for the WebVTT file beside a recording: the recording pauses when the clock does, so audio
 * time since the recording began is the file's time, through pauses and jumps alike.
 */
export class CaptionTrack {
  private readonly cuesBySlide = new WeakMap<PreparedSlide, CaptionCue[]>();
  private aired: TimedCue[] = [];
  private airedSlide: { slide: PreparedSlide; startSec: number } | null = null;

  cuesFor(slide: PreparedSlide): CaptionCue[] {
    let cues = this.cuesBySlide.get(slide);
    if (!cues) {
      cues = buildCaptionCues(captionWordsFor(slide));
      this.cuesBySlide.set(slide, cues);
    }
    return cues;
  }

  /** The caption for this instant of a slide's speech (ms from its first sample), or null. */
  textAt(slide: PreparedSlide, speechMs: number): string | null {
    return captionAt(this.cuesFor(slide), speechMs)?.text ?? null;
  }

  /** Notes that `slide` is on air and its speech started at `startSec` on the audio clock. */
  onAir(slide: PreparedSlide, startSec: number): void {
    const current = this.airedSlide;
    if (current?.slide === slide && Math.abs(current.startSec - startSec) < 0.02) return;
    if (current) this.cutAt(startSec);
    this.airedSlide = { slide, startSec };
    for (const cue of this.cuesFor(slide)) {
      this.aired.push({
        startSec: startSec + cue.startMs / 1000,
        endSec: startSec + cue.endMs / 1000,
        text: cue.text,
      });
    }
  }

  /** Playback stopped or jumped at `atSec`: cues of the interrupted slide end there. */
  cutAt(atSec: number): void {
    this.aired = this.aired
      .filter((cue) => cue.startSec < atSec)
      .map((cue) => (cue.endSec > atSec ? { ...cue, endSec: atSec } : cue));
    this.airedSlide = null;
  }

  /** WebVTT of what was on air since `fromSec` (a recording's start), timed from then. */
  webVttSince(fromSec: number): string {
    const cues: CaptionCue[] = this.aired
      .filter((cue) => cue.endSec > fromSec)
      .map((cue) => ({
        startMs: Math.max(0, (cue.startSec - fromSec) * 1000),
        endMs: (cue.endSec - fromSec) * 1000,
        text: cue.text,
      }));
    return formatWebVtt(cues);
  }

  reset(): void {
    this.aired = [];
    this.airedSlide = null;
  }
}
