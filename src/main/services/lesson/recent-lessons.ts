import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { recentLessonSchema, type RecentLessonInfo } from '../../../shared/ipc/contract.ts';
import type { Logger } from '../logging/logger.ts';
import { fsErrorCode, writeFileAtomic } from '../platform/atomic-write.ts';
import { lessonFileName } from './lesson-store.ts';

/**
 * The lessons opened or saved lately, kept in the app's data folder (desktop: userData;
 * headless: RAPIDO_DATA_DIR or ~/.cache/rapido) as a small JSON file. It is a convenience:
 * a damaged file is set aside with a warning, never an error the user has to deal with.
 */

export const recentLessonsFileName = 'recent-lessons.json';

/** How many the list shows. */
export const maxRecentLessons = 12;

/**
 * How many are kept: more than are shown, so a lesson on a drive that is not mounted right now
 * comes back when it is, without pushing the list below twelve meanwhile.
 */
const maxStoredLessons = maxRecentLessons * 2;

const recentFileSchema = z.object({
  version: z.literal(1),
  lessons: z.array(recentLessonSchema).max(1000),
});

export interface RecentLessons {
  /** Puts `dir` first (once), with the title it has now. */
  record(entry: { dir: string; title: string }): Promise<void>;
  /** Newest first, at most twelve, without folders whose lesson.json is gone. */
  list(): Promise<RecentLessonInfo[]>;
}

export function createRecentLessons(options: {
  /** The data folder; the file is `<dataDir>/recent-lessons.json`. */
  dataDir: string;
  logger?: Logger;
  /** Wall clock in ms since the epoch (tests). */
  nowMs?: () => number;
}): RecentLessons {
  const file = join(options.dataDir, recentLessonsFileName);
  const nowMs = options.nowMs ?? Date.now;
  let loaded: Promise<RecentLessonInfo[]> | null = null;
  // Writes one at a time, in call order: the last record wins on disk as it does in memory.
  let queue: Promise<void> = Promise.resolve();

  async function read(): Promise<RecentLessonInfo[]> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (fsErrorCode(error) !== 'ENOENT') {
        options.logger?.warn(`could not read ${file}; starting an empty recent list`, {
          event_type: 'recent_lessons_unreadable',
          error,
        });
      }
      return [];
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      options.logger?.warn(`${file} is not valid JSON; starting an empty recent list`, {
        event_type: 'recent_lessons_corrupt',
        error,
      });
      return [];
    }
    const parsed = recentFileSchema.safeParse(json);
    if (!parsed.success) {
      options.logger?.warn(`${file} is not a recent-lessons file; starting an empty recent list`, {
        event_type: 'recent_lessons_corrupt',
        details: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      });
      return [];
    }
    return deduplicate(parsed.data.lessons);
  }

  function current(): Promise<RecentLessonInfo[]> {
    loaded ??= read();
    return loaded;
  }

  return {
    record({ dir, title }) {
      const next = queue.then(async () => {
        const before = await current();
        const newest = before[0];
        if (newest?.dir === dir && newest.title === title) {
          // Autosave records the open lesson again and again: nothing changed worth a write.
          loaded = Promise.resolve([{ ...newest, openedAtMs: nowMs() }, ...before.slice(1)]);
          return;
        }
        const lessons = deduplicate([{ dir, title, openedAtMs: nowMs() }, ...before]).slice(
          0,
          maxStoredLessons,
        );
        loaded = Promise.resolve(lessons);
        try {
          await mkdir(dirname(file), { recursive: true });
          await writeFileAtomic(file, `${JSON.stringify({ version: 1, lessons }, null, 2)}\n`);
        } catch (error) {
          // The list still works for this session; only remembering it failed.
          options.logger?.warn(`could not save ${file}`, {
            event_type: 'recent_lessons_unsaved',
            error,
          });
        }
      });
      queue = next;
      return next;
    },
    async list() {
      await queue;
      const lessons = await current();
      const present = await Promise.all(
        lessons.map((lesson) => isFile(join(lesson.dir, lessonFileName))),
      );
      return lessons.filter((_lesson, index) => present[index]).slice(0, maxRecentLessons);
    },
  };
}

/** Newest first, each folder once (the newest entry for it). */
function deduplicate(lessons: readonly RecentLessonInfo[]): RecentLessonInfo[] {
  const sorted = [...lessons].sort((a, b) => b.openedAtMs - a.openedAtMs);
  const seen = new Set<string>();
  return sorted.filter((lesson) => {
    if (seen.has(lesson.dir)) return false;
    seen.add(lesson.dir);
    return true;
  });
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
