import { rapido } from '../../bridge/rapido.ts';
import type { ProgramEngine } from '../../engine/program-engine.ts';
import { useAppStore } from '../../store/app-store.ts';
import { lessonSchema } from '../../../shared/lesson/lesson-schema.ts';
import { blankSlideSvg, slugOf } from '../editor/blank-slide.ts';
import { saveLessonNow } from '../editor/lesson-sync.ts';

/**
 * Opens a lesson folder into the engine and the store; errors become notices. The open lesson's
 * edits are saved first, so opening another never loses work.
 */
export async function openLessonInto(engine: ProgramEngine, dir: string): Promise<boolean> {
  const store = useAppStore.getState();
  if (await saveLessonNow()) return false;
  store.setLoadingLesson(true);
  try {
    const opened = await rapido.lesson.open(dir);
    if (!opened.ok) {
      store.pushError(opened.error);
      return false;
    }
    await engine.loadLesson(opened.value.dir, opened.value.lesson);
    store.setLesson(opened.value.dir, opened.value.lesson);
    return true;
  } finally {
    useAppStore.getState().setLoadingLesson(false);
  }
}

/** A new lesson in `dir` with one title slide, saved at once and opened. */
export async function createLessonInto(
  engine: ProgramEngine,
  dir: string,
  title: string,
): Promise<boolean> {
  const store = useAppStore.getState();
  if (await saveLessonNow()) return false;
  const output = { width: 1280, height: 720, fps: 25 };
  const image = await rapido.lesson.writeAsset({
    dir,
    path: 'slides/title.svg',
    bytes: blankSlideSvg(title, output),
  });
  if (!image.ok) {
    store.pushError(image.error);
    return false;
  }
  const lesson = lessonSchema.parse({
    schemaVersion: 1,
    id: slugOf(title, 'lesson').replace(/-/g, '_'),
    title,
    output,
    slides: [{ id: 's1', image: image.value.path, narration: title, title }],
  });
  const saved = await rapido.lesson.save({ dir, lesson, create: true });
  if (!saved.ok) {
    store.pushError(saved.error);
    return false;
  }
  await engine.loadLesson(saved.value.dir, saved.value.lesson);
  store.setLesson(saved.value.dir, saved.value.lesson);
  store.pushInfo(`Created ${title} in ${saved.value.dir}`);
  return true;
}

export async function importImagesInto(
  engine: ProgramEngine,
  request: { imagesDir: string; scriptPath?: string; lessonDir?: string; title?: string },
): Promise<boolean> {
  const store = useAppStore.getState();
  if (await saveLessonNow()) return false;
  store.setLoadingLesson(true);
  try {
    const imported = await rapido.lesson.importImages(request);
    if (!imported.ok) {
      store.pushError(imported.error);
      return false;
    }
    await engine.loadLesson(imported.value.dir, imported.value.lesson);
    store.setLesson(imported.value.dir, imported.value.lesson);
    store.pushInfo(
      `Imported ${imported.value.lesson.slides.length} slides into ${imported.value.dir}`,
    );
    return true;
  } finally {
    useAppStore.getState().setLoadingLesson(false);
  }
}
