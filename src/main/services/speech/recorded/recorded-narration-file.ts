import { ok, type Result } from '../../../../shared/result.ts';
import {
  maxRecordedNarrationBytes,
  recordedNarrationLayout,
  recordedNarrationWhat,
} from '../../../../shared/speech/recorded-narration.ts';
import type { WavLayout } from '../../../../shared/speech/wav-reader.ts';
import { readFileInsideFolder, type FileInsideFolder } from '../../platform/file-inside-folder.ts';

export type RecordedNarrationFile = FileInsideFolder & { layout: WavLayout };

/**
 * A slide's recorded narration, read whole for speech: only inside the real lesson folder (the
 * rules of slide images: a relative path, no `..`, no link leading out), a regular file, a WAV
 * the reader takes, within the size and length limits.
 */
export async function readRecordedNarration(
  realLessonDir: string,
  audioPath: string,
): Promise<Result<RecordedNarrationFile>> {
  const file = await readFileInsideFolder(realLessonDir, audioPath, {
    what: recordedNarrationWhat,
    maxBytes: maxRecordedNarrationBytes,
  });
  if (!file.ok) return file;
  const layout = recordedNarrationLayout(
    file.value.bytes,
    file.value.sizeBytes,
    file.value.relativePath,
  );
  return layout.ok ? ok({ ...file.value, layout: layout.value }) : layout;
}
