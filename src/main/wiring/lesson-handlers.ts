import { realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ok } from '../../shared/result.ts';
import type { Logger } from '../services/logging/logger.ts';
import { importImageFolder } from '../services/lesson/import-image-folder.ts';
import {
  createKeyedQueue,
  saveLessonFolder,
  writeLessonAsset,
} from '../services/lesson/lesson-save.ts';
import { loadLesson, readLessonAsset } from '../services/lesson/lesson-store.ts';
import { convertPptxToPdf } from '../services/lesson/pptx-convert.ts';
import type { RecentLessons } from '../services/lesson/recent-lessons.ts';
import { importSlideData } from '../services/lesson/slide-data-import.ts';
import { chooseFolderWith, type HostAbilities, type InvokeHandlersOf } from './host-abilities.ts';

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
}): InvokeHandlersOf<'lesson'> {
  const { abilities, logger, recentLessons, slideFramesPath } = options;
  const lessonLog = logger.child('lesson');
  // Saves of one folder (autosave, explicit save, settings) land in the order they were asked.
  const inLessonFolder = createKeyedQueue();
  // The sample lesson is always one click away; it would only crowd the recent list.
  const sampleDir = realpath(sampleLessonDir(options.resourcesDir)).catch(() =>
    resolve(sampleLessonDir(options.resourcesDir)),
  );

  async function remember(loaded: { dir: string; lesson: { title: string } }): Promise<void> {
    if (loaded.dir === (await sampleDir)) return;
    await recentLessons.record({ dir: loaded.dir, title: loaded.lesson.title });
  }

  const handlers: InvokeHandlersOf<'lesson'> = {
    'lesson:open': async ({ dir }) => {
      const loaded = await loadLesson(resolve(dir));
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
    'lesson:choose-folder': ({ title }) => chooseFolderWith(abilities, title),
    'lesson:import-images': async (request) => {
      // By default lesson.json is written beside the images, which it then references in place.
      const imported = await importImageFolder({
        imagesDir: resolve(request.imagesDir),
        lessonDir: resolve(request.lessonDir ?? request.imagesDir),
        ...(request.scriptPath === undefined ? {} : { scriptPath: resolve(request.scriptPath) }),
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
        const saved = await saveLessonFolder({
          dir,
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
    'lesson:write-asset': ({ dir, path, bytes }) => writeLessonAsset({ dir, path, bytes }),
    'lesson:recent': async () => ok({ lessons: await recentLessons.list() }),
    'lesson:import-slide-data': async (request) => {
      const imported = await importSlideData({
        file: resolve(request.file),
        ...(request.imagesDir === undefined ? {} : { imagesDir: resolve(request.imagesDir) }),
        ...(request.lessonDir === undefined ? {} : { lessonDir: resolve(request.lessonDir) }),
        ...(slideFramesPath === undefined ? {} : { slideFramesPath }),
        logger: lessonLog,
      });
      if (!imported.ok) return imported;
      await remember(imported.value);
      return ok({ dir: imported.value.dir, lesson: imported.value.lesson });
    },
    'lesson:convert-pptx': ({ fileName, bytes }) =>
      convertPptxToPdf({ fileName, bytes, logger: lessonLog }),
    'lesson:read-asset': ({ lessonDir, path }) => readLessonAsset(lessonDir, path),
  };
  return handlers;
}
