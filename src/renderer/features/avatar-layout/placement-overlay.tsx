import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type JSX,
  type KeyboardEvent,
  type PointerEvent,
  type RefObject,
} from 'react';
import { useAppStore } from '../../store/app-store.ts';
import { effectivePlacement } from '../../../shared/lesson/lesson-edits.ts';
import type { Lesson, NormalisedRect } from '../../../shared/lesson/lesson-schema.ts';
import type { ProgramEngine } from '../../engine/program-engine.ts';
import {
  defaultSnapOptions,
  isArrowKey,
  moveRect,
  nudgeRect,
  resizeHandles,
  resizeRect,
  type ResizeHandle,
  type SnapGuide,
} from '../../../shared/lesson/placement-snapping.ts';
import { placeAvatar } from '../../engine/compositor/fit-rect.ts';
import {
  applyPlacement,
  avatarFrameAspect,
  placementScope,
  selectPlacementEditable,
} from './placement-edit.ts';
import './avatar-layout.css';
import { useProgram } from '../program/use-program.tsx';

/**
 * The avatar's placement drawn over the program preview, to move (drag the box) and resize
 * (8 handles; Shift on a corner keeps the aspect) with snapping to the output's edges, centre
 * lines and safe margin (Alt: no snapping), or with the keyboard (arrows move by 1 %, Shift by
 * 10 %, Ctrl/⌘ + arrows resize). Every change goes live to the program through the editor (one
 * undo step per drag). The container lets clicks through; only the box takes the pointer.
 */

/** Where the program's picture lies inside the overlay (object-fit: contain), in CSS pixels. */
interface StageBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

interface Drag {
  pointerId: number;
  handle: ResizeHandle | 'move';
  start: NormalisedRect;
  startX: number;
  startY: number;
  stageWidthPx: number;
  stageHeightPx: number;
  rect: NormalisedRect;
  guides: readonly SnapGuide[];
}

function fitStage(widthPx: number, heightPx: number, outputAspect: number): StageBox {
  if (widthPx <= 0 || heightPx <= 0) return { left: 0, top: 0, width: 0, height: 0 };
  const width = Math.min(widthPx, heightPx * outputAspect);
  const height = width / outputAspect;
  return { left: (widthPx - width) / 2, top: (heightPx - height) / 2, width, height };
}

function percent(value: number): string {
  return `${(value * 100).toFixed(3)}%`;
}

function describe(rect: NormalisedRect): string {
  const p = (value: number) => `${Math.round(value * 100)} %`;
  return `x ${p(rect.x)}, y ${p(rect.y)}, width ${p(rect.width)}, height ${p(rect.height)}`;
}

const handleLabels: Record<ResizeHandle, string> = {
  n: 'top edge',
  s: 'bottom edge',
  e: 'right edge',
  w: 'left edge',
  ne: 'top right corner',
  nw: 'top left corner',
  se: 'bottom right corner',
  sw: 'bottom left corner',
};

function isResizeHandle(value: string | undefined): value is ResizeHandle {
  return value !== undefined && (resizeHandles as readonly string[]).includes(value);
}

/** The element's inner size in CSS pixels, kept current with a ResizeObserver. */
function useElementSize(element: RefObject<HTMLElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const current = element.current;
    if (!current) return;
    const measure = () => setSize({ width: current.clientWidth, height: current.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(current);
    return () => observer.disconnect();
  }, [element]);
  return size;
}

/**
 * A drag's newest rectangle, written to the lesson once per animation frame (`schedule`), or at
 * once (`flush`). A drag in flight when the overlay goes away (playback starts) still lands.
 */
function useFramePacedPlacement() {
  const pending = useRef<{ label: string; rect: NormalisedRect } | null>(null);
  const frameRequest = useRef<number | null>(null);

  const flush = useCallback(() => {
    if (frameRequest.current !== null) cancelAnimationFrame(frameRequest.current);
    frameRequest.current = null;
    const next = pending.current;
    pending.current = null;
    if (next) applyPlacement(next.label, next.rect);
  }, []);

  const schedule = useCallback(
    (label: string, rect: NormalisedRect) => {
      pending.current = { label, rect };
      frameRequest.current ??= requestAnimationFrame(() => {
        frameRequest.current = null;
        flush();
      });
    },
    [flush],
  );

  useEffect(() => () => flush(), [flush]);
  return { pending, schedule, flush };
}

/** The avatar frame's aspect; it only changes with the avatar provider (reading costs a copy). */
function useFrameAspect(avatar: Lesson['avatar'] | null, engine: ProgramEngine): number {
  const frameKey =
    avatar === null
      ? ''
      : avatar.provider === 'synctalk'
        ? `synctalk:${avatar.frameSize.width}x${avatar.frameSize.height}`
        : 'local';
  return useMemo(() => {
    const current = useAppStore.getState().lesson;
    return frameKey && current ? avatarFrameAspect(current, engine) : 1;
  }, [frameKey, engine]);
}

export function PlacementOverlay(): JSX.Element {
  const { engine } = useProgram();
  const lesson = useAppStore((s) => s.lesson);
  const slideIndex = useAppStore((s) => s.playback.slideIndex);
  const editable = useAppStore(selectPlacementEditable);
  const container = useRef<HTMLDivElement>(null);
  const size = useElementSize(container);
  const [drag, setDrag] = useState<Drag | null>(null);
  const dragRef = useRef<Drag | null>(null);
  const { pending, schedule, flush } = useFramePacedPlacement();

  const setDragState = (next: Drag | null) => {
    dragRef.current = next;
    setDrag(next);
  };

  // The show started or the lesson changed mid-drag: the drag ends where it was.
  useEffect(() => {
    if (!editable && dragRef.current) {
      flush();
      setDragState(null);
    }
  }, [editable, flush]);

  const outputAspect = lesson ? lesson.output.width / lesson.output.height : 16 / 9;
  const stage = fitStage(size.width, size.height, outputAspect);
  const placement = lesson ? effectivePlacement(lesson, slideIndex) : null;
  const shown = drag?.rect ?? placement;
  const frameAspect = useFrameAspect(lesson?.avatar ?? null, engine);

  function onPointerDown(event: PointerEvent<HTMLDivElement>) {
    if (event.button !== 0 || !placement || dragRef.current) return;
    const target = event.target as HTMLElement;
    const handleName = target.dataset.handle;
    event.preventDefault();
    event.currentTarget.focus();
    event.currentTarget.setPointerCapture(event.pointerId);
    setDragState({
      pointerId: event.pointerId,
      handle: isResizeHandle(handleName) ? handleName : 'move',
      start: placement,
      startX: event.clientX,
      startY: event.clientY,
      stageWidthPx: stage.width,
      stageHeightPx: stage.height,
      rect: placement,
      guides: [],
    });
  }

  function onPointerMove(event: PointerEvent<HTMLDivElement>) {
    const current = dragRef.current;
    if (!current || current.pointerId !== event.pointerId) return;
    if (current.stageWidthPx <= 0 || current.stageHeightPx <= 0) return;
    const dx = (event.clientX - current.startX) / current.stageWidthPx;
    const dy = (event.clientY - current.startY) / current.stageHeightPx;
    const options = { ...defaultSnapOptions, enabled: !event.altKey };
    const result =
      current.handle === 'move'
        ? moveRect(current.start, dx, dy, options)
        : resizeRect(current.start, current.handle, dx, dy, event.shiftKey, options);
    setDragState({ ...current, rect: result.rect, guides: result.guides });
    schedule(current.handle === 'move' ? 'Move avatar' : 'Resize avatar', result.rect);
  }

  function endDrag(event: PointerEvent<HTMLDivElement>) {
    const current = dragRef.current;
    if (!current || current.pointerId !== event.pointerId) return;
    if (event.currentTarget.hasPointerCapture(event.pointerId)) {
      event.currentTarget.releasePointerCapture(event.pointerId);
    }
    flush();
    setDragState(null);
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const current = dragRef.current;
    if (event.key === 'Escape' && current) {
      // Escape cancels the drag: back to where it started (still one undo step).
      event.preventDefault();
      event.stopPropagation();
      pending.current = { label: 'Move avatar', rect: current.start };
      flush();
      setDragState(null);
      return;
    }
    if (!isArrowKey(event.key) || !placement || current || event.altKey) return;
    // The arrows are the box's while it has focus, not the slide list's.
    event.preventDefault();
    event.stopPropagation();
    const resize = event.ctrlKey || event.metaKey;
    const step = event.shiftKey ? 0.1 : 0.01;
    applyPlacement(
      resize ? 'Resize avatar' : 'Move avatar',
      nudgeRect(placement, event.key, step, resize ? 'resize' : 'move'),
    );
  }

  const visible = editable && stage.width > 0;
  const scope = lesson ? placementScope(lesson, slideIndex) : null;
  const fitted = shown
    ? placeAvatar({ width: frameAspect, height: 1 }, shown, { width: outputAspect, height: 1 })
    : null;

  return (
    <div className="placement-overlay" ref={container} data-testid="placement-overlay">
      {visible && shown ? (
        <div
          className="placement-stage"
          style={{ left: stage.left, top: stage.top, width: stage.width, height: stage.height }}
        >
          {(drag?.guides ?? []).map((guide) => (
            <div
              key={`${guide.axis}${guide.position}`}
              className={`placement-guide placement-guide-${guide.axis}`}
              data-testid="placement-guide"
              style={
                guide.axis === 'x'
                  ? { left: percent(guide.position) }
                  : { top: percent(guide.position) }
              }
            />
          ))}
          {fitted ? (
            // Where the avatar's frame actually lands (fitted, standing on the bottom edge).
            <div
              className="placement-avatar"
              aria-hidden="true"
              style={{
                left: percent(fitted.x / outputAspect),
                top: percent(fitted.y),
                width: percent(fitted.width / outputAspect),
                height: percent(fitted.height),
              }}
            />
          ) : null}
          <div
            className={`placement-box${drag ? ' dragging' : ''}`}
            data-testid="placement-box"
            data-scope={scope === null ? 'lesson' : 'slide'}
            role="group"
            aria-roledescription="movable box"
            aria-label={`Avatar placement${scope === null ? '' : ' (this slide only)'}: ${describe(shown)}. Arrow keys move it, Shift+arrows by 10 %, Ctrl+arrows resize.`}
            tabIndex={0}
            style={{
              left: percent(shown.x),
              top: percent(shown.y),
              width: percent(shown.width),
              height: percent(shown.height),
            }}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={endDrag}
            onPointerCancel={endDrag}
            onLostPointerCapture={endDrag}
            onKeyDown={onKeyDown}
          >
            {resizeHandles.map((handle) => (
              <div
                key={handle}
                className={`placement-handle placement-handle-${handle}`}
                data-handle={handle}
                data-testid={`placement-handle-${handle}`}
                title={`Resize from the ${handleLabels[handle]}${handle.length === 2 ? ' (Shift keeps the aspect)' : ''}`}
                aria-hidden="true"
              />
            ))}
            {drag ? <div className="placement-readout">{describe(drag.rect)}</div> : null}
          </div>
        </div>
      ) : null}
    </div>
  );
}
