import { useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { slideTitle } from '../../../shared/lesson/lesson-schema.ts';
import { deleteSlide, moveSlide } from '../../../shared/lesson/lesson-edits.ts';
import { useAppStore } from '../../store/app-store.ts';
import { SlideListActions } from './slide-list-actions.tsx';
import { SlideThumbnail } from './slide-thumbnail.tsx';
import './slide-list.css';
import { useProgram } from '../program/use-program.tsx';

/** Where a dragged slide would land: before the slide at this index (count = at the end). */
function dropIndexFor(event: DragEvent<HTMLElement>, index: number): number {
  const box = event.currentTarget.getBoundingClientRect();
  return event.clientY < box.top + box.height / 2 ? index : index + 1;
}

/**
 * The lesson's slides: select (the preview shows it), reorder by drag and drop (or Alt+↑/↓),
 * add, duplicate, delete. Every change is one undoable edit.
 */
export function SlideList({ editable }: { editable: boolean }) {
  const { engine } = useProgram();
  const lesson = useAppStore((s) => s.lesson);
  const lessonDir = useAppStore((s) => s.lessonDir);
  const current = useAppStore((s) => s.playback.slideIndex);
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [dropAt, setDropAt] = useState<number | null>(null);
  const list = useRef<HTMLOListElement>(null);

  if (!lesson || !lessonDir) return <nav className="slide-list" aria-label="Slides" />;
  const count = lesson.slides.length;

  const select = (index: number) => void engine.goToSlide(index);
  const focusSlide = (index: number) =>
    requestAnimationFrame(() =>
      list.current?.querySelectorAll<HTMLButtonElement>('.slide-item')[index]?.focus(),
    );

  function move(from: number, to: number) {
    if (from === to || to < 0 || to >= count) return;
    useAppStore.getState().editLesson('Move slide', (l) => moveSlide(l, from, to));
    void engine.goToSlide(to);
    focusSlide(to);
  }

  function onDrop(event: DragEvent<HTMLElement>, index: number) {
    event.preventDefault();
    const from = dragFrom;
    setDragFrom(null);
    setDropAt(null);
    if (from === null) return;
    const before = dropIndexFor(event, index);
    // Removing the slide first shifts everything after it up by one.
    move(from, before > from ? before - 1 : before);
  }

  function onKey(event: KeyboardEvent<HTMLButtonElement>, index: number) {
    if (!editable) return;
    if (event.altKey && event.key === 'ArrowUp') {
      event.preventDefault();
      move(index, index - 1);
    } else if (event.altKey && event.key === 'ArrowDown') {
      event.preventDefault();
      move(index, index + 1);
    } else if (event.key === 'Delete' && count > 1) {
      event.preventDefault();
      useAppStore.getState().editLesson('Delete slide', (l) => deleteSlide(l, index));
      select(Math.min(index, count - 2));
      focusSlide(Math.min(index, count - 2));
    }
  }

  return (
    <nav className="slide-list" aria-label="Slides">
      <ol ref={list} onDragLeave={() => setDropAt(null)}>
        {lesson.slides.map((slide, index) => (
          <li
            key={slide.id}
            draggable={editable}
            data-testid={`slide-${index + 1}`}
            className={[
              dragFrom === index ? 'dragging' : '',
              dropAt === index ? 'drop-before' : '',
              dropAt === index + 1 && index === count - 1 ? 'drop-after' : '',
            ].join(' ')}
            onDragStart={(event) => {
              event.dataTransfer.effectAllowed = 'move';
              event.dataTransfer.setData('text/plain', slide.id);
              setDragFrom(index);
            }}
            onDragOver={(event) => {
              if (dragFrom === null) return;
              event.preventDefault();
              event.dataTransfer.dropEffect = 'move';
              setDropAt(dropIndexFor(event, index));
            }}
            onDrop={(event) => onDrop(event, index)}
            onDragEnd={() => {
              setDragFrom(null);
              setDropAt(null);
            }}
          >
            <button
              type="button"
              className={index === current ? 'slide-item current' : 'slide-item'}
              aria-current={index === current ? 'true' : undefined}
              aria-keyshortcuts={editable ? 'Alt+ArrowUp Alt+ArrowDown Delete' : undefined}
              onClick={() => select(index)}
              onKeyDown={(event) => onKey(event, index)}
            >
              <span className="slide-number">{index + 1}</span>
              <SlideThumbnail lessonDir={lessonDir} image={slide.image} />
              <span className="slide-title">{slideTitle(slide, index)}</span>
              {slide.avatar?.hidden ? (
                <span className="slide-badge" title="The avatar is hidden on this slide">
                  no avatar
                </span>
              ) : null}
            </button>
          </li>
        ))}
      </ol>
      {editable ? (
        <SlideListActions lesson={lesson} lessonDir={lessonDir} current={current} />
      ) : null}
    </nav>
  );
}
