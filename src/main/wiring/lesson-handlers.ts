import { realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ok } from '../../shared/result.ts';
import type { Logger } from '../services/logging/logger.ts';
import type { FolderGrants } from '../services/lesson/folder-grants.ts';
import { importImageFolder } from '../services/lesson/import-image-folder.ts';
import {
  createKeyedQueue,
  saveLessonFolder,
  writeLessonAsset,
} from '../services/lesson/lesson-save.ts';
import { loadLesson, readLessonAsset } from '../services/lesson/lesson-store.ts';
import { convertPptxToPdf } from '../services/lesson/pptx-convert.ts';
import type { RecentLessons } from '../services/lesson/recent-lessons.ts';
import { chooseFolderWith, type HostAbilities, type InvokeHandlersOf } from './host-abilities.ts';
import { createPredecessorHandlers } from './predecessor-handlers.ts';

export function sampleLessonDir(resourcesDir: string): string {
  return join(resourcesDir, 'sample-lesson');
}

/** The `lesson:*` channels: open, import, save, assets and the recent list. */
export function createLessonHandlers(options: {
  resourcesDir: string;
  slideFramesPath: string | undefined;
  abilities: HostAbilities;
  /** The process's logger (lesson opens and imports are logged at its top level). */
  logger: Logger;
  recentLessons: RecentLessons;
  /** The folders the page may name; the handlers grant what the user chooses through main. */
  grants: FolderGrants;
  /** The lesson named on the command line (the user chose it there). */
  launchLessonDir: string | null;
}): InvokeHandlersOf<'lesson'> {
  const { abilities, grants, logger, recentLessons, slideFramesPath } = options;
  const lessonLog = logger.child('lesson');
  // Saves of one folder (autosave, explicit save, settings) land in the order they were asked.
  const inLessonFolder = createKeyedQueue();
  // The sample lesson is always one click away; it would only crowd the recent list.
  const sampleDir = realpath(sampleLessonDir(options.resourcesDir)).catch(() =>
    resolve(sampleLessonDir(options.resourcesDir)),
  );

  // What the user chose before the page asked for anything: the command line's lesson, the
  // sample, SLIDE_FRAMES_PATH and (headless, where paths are typed) RAPIDO_FOLDERS.
  const granted = Promise.all(
    [
      sampleLessonDir(options.resourcesDir),
      options.launchLessonDir,
      slideFramesPath,
      ...(abilities.typedFolders ?? []),
    ]
      .filter((dir): dir is string => typeof dir === 'string')
      .map((dir) => grants.grant(dir)),
  );
  async function allow(path: string, what: string) {
    await granted;
    return grants.allow(path, what);
  }

  async function remember(loaded: { dir: string; lesson: { title: string } }): Promise<void> {
    grants.opened(loaded.dir);
    if (loaded.dir === (await sampleDir)) return;
    await recentLessons.record({ dir: loaded.dir, title: loaded.lesson.title });
  }

  const handlers: InvokeHandlersOf<'lesson'> = {
    ...createPredecessorHandlers({
      allow,
      slideFramesPath,
      emit: abilities.emit,
      logger: lessonLog,
    }),
    'lesson:open': async ({ dir }) => {
      const allowed = await allow(dir, 'The lesson folder');
      if (!allowed.ok) return allowed;
      const loaded = await loadLesson(allowed.value);
      if (!loaded.ok) return loaded;
      logger.info(`lesson opened: ${loaded.value.dir}`, {
        lesson_id: loaded.value.lesson.id,
        event_type: 'lesson_open',
      });
      await remember(loaded.value);
      return ok({ dir: loaded.value.dir, lesson: loaded.value.lesson });
    },
    'lesson:open-sample': async (_request, context) =>
      handlers['lesson:open']({ dir: sampleLessonDir(options.resourcesDir) }, context),
    'lesson:choose-folder': async ({ title }) => {
      const chosen = await chooseFolderWith(abilities, title);
      // Chosen in main's own dialog: the page may use this folder from now on.
      if (chosen.ok && chosen.value.dir !== null) await grants.grant(chosen.value.dir);
      return chosen;
    },
    'lesson:import-images': async (request) => {
      const imagesDir = await allow(request.imagesDir, 'The images folder');
      if (!imagesDir.ok) return imagesDir;
      // By default lesson.json is written beside the images, which it then references in place.
      const lessonDir = await allow(request.lessonDir ?? request.imagesDir, 'The lesson folder');
      if (!lessonDir.ok) return lessonDir;
      const scriptPath =
        request.scriptPath === undefined
          ? undefined
          : await allow(request.scriptPath, 'The narration script');
      if (scriptPath?.ok === false) return scriptPath;
      const imported = await importImageFolder({
        imagesDir: imagesDir.value,
        lessonDir: lessonDir.value,
        ...(scriptPath === undefined ? {} : { scriptPath: scriptPath.value }),
        ...(request.title === undefined ? {} : { title: request.title }),
      });
      if (!imported.ok) return imported;
      logger.info(`lesson imported from ${request.imagesDir}`, {
        lesson_id: imported.value.lesson.id,
        event_type: 'lesson_import',
      });
      await remember(imported.value);
      return ok({ dir: imported.value.dir, lesson: imported.value.lesson });
    },
    'lesson:save': ({ dir, lesson, create }) =>
      inLessonFolder(resolve(dir), async () => {
        const allowed = await allow(dir, 'The lesson folder');
        if (!allowed.ok) return allowed;
        const saved = await saveLessonFolder({
          dir: allowed.value,
          lesson,
          create: create === true,
          logger: lessonLog,
        });
        if (!saved.ok) {
          lessonLog.warn(`lesson not saved: ${saved.error.message}`, {
            lesson_id: lesson.id,
            event_type: 'lesson_save_failed',
            details: saved.error.details ?? [],
          });
          return saved;
        }
        await remember(saved.value);
        return ok({ dir: saved.value.dir, lesson: saved.value.lesson });
      }),
    'lesson:write-asset': async ({ dir, path, bytes }) => {
      const allowed = await allow(dir, 'The lesson folder');
      if (!allowed.ok) return allowed;
      return writeLessonAsset({ dir: allowed.value, path, bytes });
    },
    'lesson:recent': async () => ok({ lessons: await recentLessons.list() }),
    'lesson:convert-pptx': ({ fileName, bytes }) =>
      convertPptxToPdf({ fileName, bytes, logger: lessonLog }),
    // Only inside a lesson main opened, by a path relative to it (checked again, links included,
    // by readLessonAsset).
    'lesson:read-asset': async ({ lessonDir, path }) => {
      const opened = await grants.openedLesson(lessonDir);
      if (!opened.ok) return opened;
      return readLessonAsset(opened.value, path);
    },
  };
  return handlers;
}
