import type { BrowserWindowConstructorOptions, WindowOpenHandlerResponse } from 'electron';
import type { DisplayInfo, InvokeRequest } from '../../shared/ipc/contract.ts';

/**
 * The program window: the audience's view on a second screen or projector. The renderer opens
 * it with `window.open('about:blank', 'rapido-program')` and draws into it itself (same origin,
 * same process), so the window needs no page, no preload and no IPC of its own. Every other
 * window.open stays denied. Only type imports from electron here, so this is unit-tested
 * without an Electron binary.
 */

export const programFrameName = 'rapido-program';
export const programWindowTitle = 'Rapido — Program';

export type ProgramPlacement = InvokeRequest<'program-window:place'>;

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The fields of Electron's Display used here. */
export interface DisplayLike {
  id: number;
  label: string;
  bounds: Rect;
  workArea: Rect;
  size: { width: number; height: number };
}

/** Electron's displays in the contract's terms; unnamed ones are numbered as the OS lists them. */
export function displaysInfo(
  displays: readonly DisplayLike[],
  primaryDisplayId: number,
): DisplayInfo[] {
  return displays.map((display, index) => ({
    id: display.id,
    label: display.label.trim().length > 0 ? display.label : `Display ${index + 1}`,
    width: Math.max(1, Math.round(display.size.width)),
    height: Math.max(1, Math.round(display.size.height)),
    primary: display.id === primaryDisplayId,
  }));
}

/** The chosen display, else (none chosen, or unplugged since) the primary one. */
export function programDisplay<D extends DisplayLike>(
  displays: readonly D[],
  placement: ProgramPlacement,
  primaryDisplayId: number,
): D | undefined {
  return (
    displays.find((display) => display.id === placement.displayId) ??
    displays.find((display) => display.id === primaryDisplayId) ??
    displays[0]
  );
}

/**
 * The window's options. Full screen covers the display's bounds; a window covers its work
 * area (not the task bar). The web preferences repeat the main window's hardening: Electron
 * inherits only the security preferences from the opener, never its preload, and these make
 * the rest explicit.
 */
export function programWindowOptions(
  display: DisplayLike | undefined,
  fullscreen: boolean,
): BrowserWindowConstructorOptions {
  const area = display === undefined ? null : fullscreen ? display.bounds : display.workArea;
  return {
    ...(area === null
      ? { width: 1280, height: 720 }
      : { x: area.x, y: area.y, width: area.width, height: area.height }),
    fullscreen,
    backgroundColor: '#000',
    autoHideMenuBar: true,
    title: programWindowTitle,
    show: true,
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      webSecurity: true,
      // The program keeps playing when the operator's window covers it.
      backgroundThrottling: false,
    },
  };
}

/**
 * The window-open decision for any web contents: allowed only for the main window opening the
 * blank program window; anything else (links, other names, other pages, the program window
 * itself) is denied.
 */
export function programWindowOpenResponse(
  details: { url: string; frameName: string },
  context: {
    fromMainWindow: boolean;
    placement: ProgramPlacement;
    displays: readonly DisplayLike[];
    primaryDisplayId: number;
  },
): WindowOpenHandlerResponse {
  if (
    !context.fromMainWindow ||
    details.frameName !== programFrameName ||
    details.url !== 'about:blank'
  ) {
    return { action: 'deny' };
  }
  const display = programDisplay(context.displays, context.placement, context.primaryDisplayId);
  return {
    action: 'allow',
    overrideBrowserWindowOptions: programWindowOptions(display, context.placement.fullscreen),
  };
}
