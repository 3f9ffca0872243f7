import { describe, expect, it } from 'vitest';
import { permissionAllowed } from './permission-policy.ts';

/** The desktop app's permission decisions (issue 17, item 7): fullscreen for its own pages only. */

const policy = { appFileUrl: 'file:///opt/rapido/out/renderer/index.html', devServerOrigin: null };
const app = 'file:///opt/rapido/out/renderer/index.html';

describe('permissionAllowed', () => {
  it('grants fullscreen to the app page and to its program window', () => {
    expect(
      permissionAllowed(
        { permission: 'fullscreen', requestingUrl: app, isMainFrame: true },
        policy,
      ),
    ).toBe(true);
    expect(
      permissionAllowed(
        { permission: 'fullscreen', requestingUrl: 'about:blank', isMainFrame: true },
        policy,
      ),
    ).toBe(true);
    expect(
      permissionAllowed(
        { permission: 'fullscreen', requestingUrl: 'http://localhost:5173/', isMainFrame: true },
        { appFileUrl: null, devServerOrigin: 'http://localhost:5173' },
      ),
    ).toBe(true);
  });

  it('refuses every other permission, even to the app page', () => {
    for (const permission of [
      'media',
      'mediaKeySystem',
      'geolocation',
      'notifications',
      'midi',
      'midiSysex',
      'pointerLock',
      'openExternal',
      'clipboard-read',
      'clipboard-sanitized-write',
      'display-capture',
      'hid',
      'serial',
      'usb',
      'idle-detection',
      'window-management',
      'storage-access',
      'unknown',
    ])
      expect(permissionAllowed({ permission, requestingUrl: app, isMainFrame: true }, policy)).toBe(
        false,
      );
  });

  it('refuses fullscreen to subframes, other files, other origins and unknown requesters', () => {
    for (const [requestingUrl, isMainFrame] of [
      [app, false],
      ['file:///home/user/evil.html', true],
      ['https://example.com/', true],
      ['http://localhost:5173/', true],
      ['', true],
      ['not a url', true],
    ] as const)
      expect(
        permissionAllowed({ permission: 'fullscreen', requestingUrl, isMainFrame }, policy),
      ).toBe(false);
  });
});
