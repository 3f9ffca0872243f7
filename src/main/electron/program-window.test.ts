import { describe, expect, it } from 'vitest';
import {
  displaysInfo,
  programFrameName,
  programWindowOpenResponse,
  type DisplayLike,
} from './program-window.ts';

const laptop: DisplayLike = {
  id: 10,
  label: 'Built-in Retina Display',
  bounds: { x: 0, y: 0, width: 1440, height: 900 },
  workArea: { x: 0, y: 25, width: 1440, height: 875 },
  size: { width: 1440, height: 900 },
};
const projector: DisplayLike = {
  id: 20,
  label: '',
  bounds: { x: 1440, y: 0, width: 1920, height: 1080 },
  workArea: { x: 1440, y: 0, width: 1920, height: 1040 },
  size: { width: 1920, height: 1080 },
};
const displays = [laptop, projector];

function open(
  details: { url: string; frameName: string },
  overrides: Partial<Parameters<typeof programWindowOpenResponse>[1]> = {},
) {
  return programWindowOpenResponse(details, {
    fromMainWindow: true,
    placement: { displayId: 20, fullscreen: true },
    displays,
    primaryDisplayId: 10,
    ...overrides,
  });
}

describe('displaysInfo', () => {
  it('lists displays with their size, the primary one marked, unnamed ones numbered', () => {
    expect(displaysInfo(displays, 10)).toEqual([
      { id: 10, label: 'Built-in Retina Display', width: 1440, height: 900, primary: true },
      { id: 20, label: 'Display 2', width: 1920, height: 1080, primary: false },
    ]);
  });
});

describe('programWindowOpenResponse', () => {
  it('opens the blank program window full screen on the chosen display', () => {
    const response = open({ url: 'about:blank', frameName: programFrameName });
    expect(response).toEqual({
      action: 'allow',
      overrideBrowserWindowOptions: {
        x: 1440,
        y: 0,
        width: 1920,
        height: 1080,
        fullscreen: true,
        backgroundColor: '#000',
        autoHideMenuBar: true,
        title: 'Rapido — Program',
        show: true,
        webPreferences: {
          contextIsolation: true,
          sandbox: true,
          nodeIntegration: false,
          nodeIntegrationInSubFrames: false,
          nodeIntegrationInWorker: false,
          webviewTag: false,
          webSecurity: true,
          backgroundThrottling: false,
        },
      },
    });
    // No preload: the program window has no bridge to main.
    expect(
      response.overrideBrowserWindowOptions?.webPreferences &&
        'preload' in response.overrideBrowserWindowOptions.webPreferences,
    ).toBe(false);
  });

  it('uses the work area for a window, and the primary display when the chosen one is gone', () => {
    const windowed = open(
      { url: 'about:blank', frameName: programFrameName },
      { placement: { displayId: 99, fullscreen: false } },
    );
    expect(windowed.overrideBrowserWindowOptions).toMatchObject({
      x: 0,
      y: 25,
      width: 1440,
      height: 875,
      fullscreen: false,
    });
    const unplaced = open(
      { url: 'about:blank', frameName: programFrameName },
      { placement: { displayId: null, fullscreen: false } },
    );
    expect(unplaced.overrideBrowserWindowOptions).toMatchObject({ x: 0, y: 25 });
  });

  it.each([
    ['another frame name', { url: 'about:blank', frameName: '_blank' }, true],
    ['a page', { url: 'https://example.com/', frameName: programFrameName }, true],
    ['a file', { url: 'file:///etc/passwd', frameName: programFrameName }, true],
    ['a link with no name', { url: 'https://example.com/', frameName: '' }, true],
    ['any other web contents', { url: 'about:blank', frameName: programFrameName }, false],
  ])('denies %s', (_what, details, fromMainWindow) => {
    expect(open(details, { fromMainWindow })).toEqual({ action: 'deny' });
  });
});
