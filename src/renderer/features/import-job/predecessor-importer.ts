import type { RapidoApi } from '../../../shared/ipc/rapido-api.ts';
import type { Lesson, OutputSettings } from '../../../shared/lesson/lesson-schema.ts';
import type { Result } from '../../../shared/result.ts';

/**
 * The predecessor's import, as the team plan fixes it for the renderer's
 * `importPredecessorLesson` (src/renderer/features/import/predecessor/import-predecessor.ts).
 */
export type PredecessorImporter = (request: {
  api: RapidoApi;
  file: string;
  lessonDir: string;
  options: { keepRecordedNarration: boolean; imagesDir?: string; output?: OutputSettings };
  onProgress: (p: {
    phase: 'reading' | 'fetching' | 'drawing' | 'saving';
    done: number;
    total: number;
    message: string;
  }) => void;
  signal?: AbortSignal;
}) => Promise<Result<{ dir: string; lesson: Lesson; notes: string[]; missing: string[] }>>;

/**
 * Where the command line's import job finds the predecessor importer. The importer is built in
 * parallel with the command line; until it is in this tree there is none, and the job says so.
 * To connect it, replace the body with:
 *   const { importPredecessorLesson } = await import('../import/predecessor/import-predecessor.ts');
 *   return importPredecessorLesson;
 * (a dynamic import, so the drawing code loads only for a predecessor job).
 */
export function loadPredecessorImporter(): Promise<PredecessorImporter | null> {
  return Promise.resolve(null);
}
