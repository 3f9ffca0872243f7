import { describe, expect, it } from 'vitest';
import { parseWebVtt } from '../../../shared/captions/caption-cues.ts';
import type { PreparedSlide } from '../playback/slide-preparer.ts';
import { CaptionTrack, captionWordsFor } from './caption-track.ts';

function slideWith(narration: string, msPerWord = 400): PreparedSlide {
  const words: PreparedSlide['words'] = [];
  const pattern = /[\p{L}\p{N}']+/gu;
  let match: RegExpExecArray | null;
  let index = 0;
  const blanked = narration.replace(/\[[a-z ]+\]/g, (tag) => ' '.repeat(tag.length));
  while ((match = pattern.exec(blanked)) !== null) {
    words.push({
      text: match[0],
      startMs: index * msPerWord,
      endMs: index * msPerWord + msPerWord - 50,
      charStart: match.index,
      charEnd: match.index + match[0].length,
    });
    index += 1;
  }
  return { words, slide: { narration } } as unknown as PreparedSlide;
}

describe('captionWordsFor', () => {
  it('keeps punctuation, drops audio tags', () => {
    const words = captionWordsFor(slideWith('Hello, class. [laughs] Ready? Go!'));
    expect(words.map((w) => w.text)).toEqual(['Hello,', 'class.', 'Ready?', 'Go!']);
  });
});

describe('CaptionTrack', () => {
  it('times the WebVTT from the recording start on the audio clock, across slides', () => {
    const track = new CaptionTrack();
    const first = slideWith('One two three.');
    const second = slideWith('Four five.');
    track.onAir(first, 10); // speech starts 10 s into the audio clock
    track.onAir(first, 10); // every frame says so again: no duplicates
    track.onAir(second, 12);
    const cues = parseWebVtt(track.webVttSince(9.5));
    expect(cues.map((c) => c.text)).toEqual(['One two three.', 'Four five.']);
    expect(cues[0]?.startMs).toBeCloseTo(500, 0);
    expect(cues[1]?.startMs).toBeCloseTo(2500, 0);
    // The first slide's cue is cut where the second began.
    expect(cues[0]!.endMs).toBeLessThanOrEqual(2500);
  });

  it('a stop cuts the cue on air and drops cues that never aired', () => {
    const track = new CaptionTrack();
    track.onAir(slideWith('A long sentence here. And another one after a pause.', 500), 0);
    track.cutAt(1);
    const cues = parseWebVtt(track.webVttSince(0));
    expect(cues).toHaveLength(1);
    expect(cues[0]?.endMs).toBeCloseTo(1000, 0);
  });

  it('gives the burned-in text for an instant of the slide', () => {
    const track = new CaptionTrack();
    const slide = slideWith('Plants make sugar.');
    expect(track.textAt(slide, 100)).toBe('Plants make sugar.');
    expect(track.textAt(slide, 60_000)).toBeNull();
  });
});
