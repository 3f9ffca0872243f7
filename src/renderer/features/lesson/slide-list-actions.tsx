import { useRef } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import type { Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { deleteSlide, duplicateSlide, insertSlide } from '../../../shared/lesson/lesson-edits.ts';
import { useAppStore } from '../../store/app-store.ts';
import { blankSlideSvg, slugOf } from '../editor/blank-slide.ts';
import { useProgram } from '../program/use-program.tsx';

/**
 * Under the slide list in Edit mode: add a blank slide or slides from images after the selected
 * one, duplicate it, delete it. Each is one undoable edit, and the program follows the selection.
 */
export function SlideListActions(props: { lesson: Lesson; lessonDir: string; current: number }) {
  const { lesson, lessonDir, current } = props;
  const { engine } = useProgram();
  const pushError = useAppStore((s) => s.pushError);
  const fileInput = useRef<HTMLInputElement>(null);
  const count = lesson.slides.length;

  async function addBlank() {
    const title = `Slide ${current + 2}`;
    const written = await rapido.lesson.writeAsset({
      dir: lessonDir,
      path: `slides/${slugOf(title, 'slide')}.svg`,
      bytes: blankSlideSvg(title, lesson.output),
    });
    if (!written.ok) {
      pushError(written.error);
      return;
    }
    useAppStore.getState().editLesson('Add slide', (l) =>
      insertSlide(l, current, {
        image: written.value.path,
        narration: '',
        holdMs: 2000,
        notes: '',
        title,
      }),
    );
    void engine.goToSlide(current + 1);
  }

  async function addImages(files: FileList | null) {
    if (!files) return;
    let at = current;
    for (const file of Array.from(files)) {
      const written = await rapido.lesson.writeAsset({
        dir: lessonDir,
        path: `slides/${file.name}`,
        bytes: new Uint8Array(await file.arrayBuffer()),
      });
      if (!written.ok) {
        pushError(written.error);
        break;
      }
      const after = at;
      useAppStore.getState().editLesson('Add slide', (l) =>
        insertSlide(l, after, {
          image: written.value.path,
          narration: '',
          holdMs: 2000,
          notes: '',
        }),
      );
      at += 1;
    }
    if (at !== current) void engine.goToSlide(at);
  }

  return (
    <div className="slide-list-actions" role="group" aria-label="Slide actions">
      <button type="button" onClick={() => void addBlank()}>
        + Slide
      </button>
      <button type="button" onClick={() => fileInput.current?.click()}>
        + Image…
      </button>
      <input
        ref={fileInput}
        type="file"
        accept="image/*"
        multiple
        hidden
        aria-label="Add slides from images"
        onChange={(event) => {
          void addImages(event.target.files);
          event.target.value = '';
        }}
      />
      <button
        type="button"
        onClick={() => {
          useAppStore.getState().editLesson('Duplicate slide', (l) => duplicateSlide(l, current));
          void engine.goToSlide(current + 1);
        }}
      >
        Duplicate
      </button>
      <button
        type="button"
        disabled={count <= 1}
        title={
          count <= 1 ? 'A lesson needs at least one slide' : 'Delete the selected slide (Delete)'
        }
        onClick={() => {
          useAppStore.getState().editLesson('Delete slide', (l) => deleteSlide(l, current));
          void engine.goToSlide(Math.min(current, count - 2));
        }}
      >
        Delete
      </button>
    </div>
  );
}
