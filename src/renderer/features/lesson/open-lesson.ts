import { rapido } from '../../bridge/rapido.ts';
import type { ProgramEngine } from '../../engine/program-engine.ts';
import { useAppStore } from '../../store/app-store.ts';

/** Opens a lesson folder into the engine and the store; errors become notices. */
export async function openLessonInto(engine: ProgramEngine, dir: string): Promise<boolean> {
  const store = useAppStore.getState();
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

export async function importImagesInto(
  engine: ProgramEngine,
  request: { imagesDir: string; scriptPath?: string; lessonDir?: string; title?: string },
): Promise<boolean> {
  const store = useAppStore.getState();
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
