/**
 * Frame-stepped export timing. Program time is exact: frame n shows the program at n / fps, as
 * live playback shows the program at the audio clock's time when a frame is due. So a slide that
 * starts at `startMs` is on air from the first frame whose time is at or after it (the frame on
 * which the previous slide's speech and hold end), and the file has exactly
 * ceil(totalMs x fps / 1000) frames. Audio is placed by sample, never by frame.
 */

/** Program times are sums of sample-exact durations: forgive float noise, never a real sample. */
const epsilonFrames = 1e-6;

/** The first frame whose time is at or after `programMs`. */
export function firstFrameAtOrAfter(programMs: number, fps: number): number {
  return Math.max(0, Math.ceil((programMs * fps) / 1000 - epsilonFrames));
}

/** Frames for `totalMs` of program: N frames cover N x frame interval >= totalMs. */
export function frameCountFor(totalMs: number, fps: number): number {
  return firstFrameAtOrAfter(totalMs, fps);
}

export function frameTimeMs(index: number, fps: number): number {
  return (index * 1000) / fps;
}

/** WebCodecs timestamps are integer microseconds; rounding each one keeps them from drifting. */
export function frameTimestampUs(index: number, fps: number): number {
  return Math.round((index * 1_000_000) / fps);
}

export function sampleAt(programMs: number, sampleRateHz: number): number {
  return Math.round((programMs * sampleRateHz) / 1000);
}

export interface SlideSpan {
  index: number;
  startMs: number;
  endMs: number;
}

/** The frames on which a slide is on air: [first, end). Empty when it is shorter than a frame. */
export function framesOf(span: SlideSpan, fps: number): { first: number; end: number } {
  return {
    first: firstFrameAtOrAfter(span.startMs, fps),
    end: firstFrameAtOrAfter(span.endMs, fps),
  };
}

export interface Chapter {
  startMs: number;
  title: string;
}

/**
 * One chapter per slide, starting on the slide's first frame (where a player seeking to it shows
 * the slide). A slide too short to get a frame of its own gets no chapter: it is never seen.
 */
export function chapterFor(span: SlideSpan, title: string, fps: number): Chapter | null {
  const { first, end } = framesOf(span, fps);
  return end > first ? { startMs: frameTimeMs(first, fps), title } : null;
}

/**
 * Estimated wall time left, from the rate so far (program ms made per wall ms); null until the
 * rate means something.
 */
export function etaMs(
  doneProgramMs: number,
  totalProgramMs: number,
  elapsedWallMs: number,
): number | null {
  if (doneProgramMs <= 0 || elapsedWallMs < 500) return null;
  const rate = doneProgramMs / elapsedWallMs;
  return Math.max(0, (totalProgramMs - doneProgramMs) / rate);
}
