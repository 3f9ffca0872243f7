import { err, ok, type Result } from '../result.ts';
import { readWavLayout, type WavLayout } from './wav-reader.ts';

/**
 * What a slide's recorded narration file may be, checked the same way by the lesson store (on
 * open and save, from the file's first bytes) and by speech (before every use, on the whole
 * file): a WAV the reader takes, at most `maxRecordedNarrationBytes` and an hour long.
 */

/** An hour of 48 kHz stereo 16-bit is 691 MB; a slide's narration is minutes. */
export const maxRecordedNarrationBytes = 256 * 1024 * 1024;
/** The lesson schema's word times end at an hour too. */
export const maxRecordedNarrationMs = 3_600_000;
/** Enough leading bytes to reach the data chunk of any real file (long LIST or bext included). */
export const recordedNarrationHeadBytes = 64 * 1024;
/** Names the file in messages about it. */
export const recordedNarrationWhat = 'recorded narration';

/** The layout of `head` (the file's first bytes, or all of it) when the recording can be used. */
export function recordedNarrationLayout(
  head: Uint8Array,
  sizeBytes: number,
  relativePath: string,
): Result<WavLayout> {
  const layout = readWavLayout(head, sizeBytes, relativePath);
  if (!layout.ok) return layout;
  if (layout.value.durationMs > maxRecordedNarrationMs) {
    const minutes = Math.round(layout.value.durationMs / 60_000);
    return err(
      'invalid-request',
      `${relativePath}: the recording is ${minutes} minutes long (at most an hour per slide)`,
    );
  }
  return ok(layout.value);
}
