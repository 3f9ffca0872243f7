/**
 * Run by lesson-fd-limit.test.ts in a child process under a low descriptor limit (`ulimit -n`):
 * opens, reads every asset of (all at once, as an editor showing the lesson asks), saves, and
 * imports a lesson of many slides, each with its own image file. Prints one JSON line.
 */
import { join } from 'node:path';
import { importImageFolder } from '../../src/main/services/lesson/import-image-folder.ts';
import { saveLessonFolder } from '../../src/main/services/lesson/lesson-save.ts';
import { loadLesson, readLessonAsset } from '../../src/main/services/lesson/lesson-store.ts';

async function main(): Promise<string> {
  const [lessonDir, importDir] = process.argv.slice(2);
  if (lessonDir === undefined || importDir === undefined) return 'usage: <lessonDir> <importDir>';
  const opened = await loadLesson(lessonDir);
  if (!opened.ok) return `open: ${opened.error.message} ${(opened.error.details ?? []).join('; ')}`;
  const { lesson, dir } = opened.value;
  const reads = await Promise.all(lesson.slides.map((slide) => readLessonAsset(dir, slide.image)));
  for (const read of reads) {
    if (!read.ok) return `read: ${read.error.message}`;
  }
  const saved = await saveLessonFolder({ dir, lesson });
  if (!saved.ok) {
    return `save: ${saved.error.message} ${(saved.error.details ?? []).slice(0, 3).join('; ')}`;
  }
  const imported = await importImageFolder({
    imagesDir: join(dir, 'slides'),
    lessonDir: importDir,
  });
  if (!imported.ok) return `import: ${imported.error.message}`;
  return `ok ${lesson.slides.length} ${reads.length} ${imported.value.lesson.slides.length}`;
}

main().then(
  (outcome) => {
    process.stdout.write(`${JSON.stringify({ outcome })}\n`);
  },
  (error: unknown) => {
    process.stdout.write(`${JSON.stringify({ outcome: `threw: ${String(error)}` })}\n`);
  },
);
