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
 * The command line's import job loads the predecessor importer only for a predecessor job (a
 * dynamic import: the drawing code stays out of the other jobs). Its type above is the plan's
 * signature, so the compiler holds the importer to it.
 */
export async function loadPredecessorImporter(): Promise<PredecessorImporter | null> {
  const { importPredecessorLesson } = await import('../import/predecessor/import-predecessor.ts');
  return importPredecessorLesson;
}
