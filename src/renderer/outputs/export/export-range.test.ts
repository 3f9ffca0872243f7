import { describe, expect, it } from 'vitest';
import { exportRange } from './lesson-export.ts';

describe('exportRange', () => {
  it('is the whole lesson with both tracks when no part is asked for', () => {
    expect(exportRange(null, 5)).toEqual({ fromSlide: 0, toSlide: 5, video: true, audio: true });
  });

  it('draws a video part only, carrying the audio only where asked', () => {
    expect(exportRange({ track: 'video', fromSlide: 2, toSlide: 4 }, 5)).toEqual({
      fromSlide: 2,
      toSlide: 4,
      video: true,
      audio: false,
    });
    expect(exportRange({ track: 'video', fromSlide: 0, toSlide: 2, audio: true }, 5)).toEqual({
      fromSlide: 0,
      toSlide: 2,
      video: true,
      audio: true,
    });
    // A range past the lesson's end is cut to it.
    expect(exportRange({ track: 'video', fromSlide: 3, toSlide: 9 }, 5)).toMatchObject({
      fromSlide: 3,
      toSlide: 5,
    });
  });

  it('walks the whole lesson for the audio part, drawing nothing', () => {
    expect(exportRange({ track: 'audio' }, 5)).toEqual({
      fromSlide: 0,
      toSlide: 5,
      video: false,
      audio: true,
    });
  });

  it('refuses the audio on a part that does not start at the first slide', () => {
    expect(exportRange({ track: 'video', fromSlide: 1, toSlide: 3, audio: true }, 5)).toBeNull();
  });
});
