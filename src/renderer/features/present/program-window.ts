import { rapido } from '../../bridge/rapido.ts';
import type { ProgramEngine } from '../../engine/program-engine.ts';
import type { RapidoError } from '../../../shared/result.ts';

/**
 * The program output window: the audience's picture alone, on a display of its own. It shows
 * the program's capture track (the frames every output gets, blank included) in a <video>;
 * nothing is rendered twice.
 */

export interface ProgramWindowPlacement {
  /** A display from rapido.programWindow.displays(); null for the one the app is on. */
  displayId: number | null;
  fullscreen: boolean;
}

/** The frame name main recognises in its window-open handler. */
export const programWindowName = 'rapido-program';
export const programWindowTitle = 'Rapido — Program';
/** How often the console checks whether the audience window was closed. */
const closedPollMs = 500;

export interface ProgramWindowHandle {
  readonly window: Window;
  readonly video: HTMLVideoElement;
  isOpen(): boolean;
  close(): void;
}

let current: ProgramWindowHandle | null = null;

/**
 * Tells main where the next program window goes. Call it when the choice changes (and once
 * before the first open): window.open must run inside the click itself, before any await, or
 * the browser blocks it as a popup.
 */
export async function placeProgramWindow(
  placement: ProgramWindowPlacement,
): Promise<RapidoError | null> {
  const placed = await rapido.programWindow.place(placement);
  return placed.ok ? null : placed.error;
}

/** The program window open now, if any. */
export function programWindow(): ProgramWindowHandle | null {
  return current?.isOpen() ? current : null;
}

/**
 * Opens the program window (synchronously: call it from the click handler, after
 * placeProgramWindow has placed it) or brings the open one forward. `onClosed` runs once when
 * the window goes, however it goes. Null when the browser refused the window.
 */
export function openProgramWindow(
  engine: Pick<ProgramEngine, 'programStream'>,
  onClosed: () => void,
): ProgramWindowHandle | null {
  const open = programWindow();
  if (open) {
    open.window.focus();
    return open;
  }
  const track = engine.programStream().getVideoTracks()[0];
  if (!track) return null;
  const win = window.open('', programWindowName, 'popup,width=1280,height=720');
  if (!win) return null;
  const video = writeProgramDocument(win, track);
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(poll);
    window.removeEventListener('pagehide', closeWithOpener);
    if (current === handle) current = null;
    // The track is the program's own (recording and LiveKit read it): detach, never stop.
    video.srcObject = null;
    onClosed();
  };
  // pagehide reaches us when the window is closed; the poll catches what it misses.
  const poll = setInterval(() => {
    if (win.closed) finish();
  }, closedPollMs);
  win.addEventListener('pagehide', () => queueMicrotask(() => win.closed && finish()));
  // The window shows our stream: without the console it would freeze on its last frame.
  const closeWithOpener = () => win.close();
  window.addEventListener('pagehide', closeWithOpener);
  const handle: ProgramWindowHandle = {
    window: win,
    video,
    isOpen: () => !closed && !win.closed,
    close: () => {
      win.close();
      finish();
    },
  };
  current = handle;
  return handle;
}

/** A black page with the program filling it (letterboxed), double-click for full screen. */
function writeProgramDocument(win: Window, track: MediaStreamTrack): HTMLVideoElement {
  const doc = win.document;
  doc.title = programWindowTitle;
  const style = doc.createElement('style');
  style.textContent = [
    'html, body { margin: 0; width: 100%; height: 100%; background: #000; overflow: hidden; }',
    'video { display: block; width: 100%; height: 100%; object-fit: contain; background: #000; }',
  ].join('\n');
  doc.head.replaceChildren(style);
  const titleElement = doc.createElement('title');
  titleElement.textContent = programWindowTitle;
  doc.head.append(titleElement);
  const video = doc.createElement('video');
  video.autoplay = true;
  video.muted = true;
  video.playsInline = true;
  video.setAttribute('aria-label', 'Program');
  video.srcObject = new MediaStream([track]);
  video.addEventListener('dblclick', () => {
    if (doc.fullscreenElement) void doc.exitFullscreen();
    else void doc.documentElement.requestFullscreen();
  });
  doc.body.replaceChildren(video);
  // Muted video may autoplay; play() makes sure it starts even where autoplay is lazy.
  void video.play().catch(() => undefined);
  return video;
}
