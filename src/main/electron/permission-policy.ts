import { isTrustedSender, type SenderPolicy } from '../services/ipc/sender-policy.ts';

/**
 * Which web permissions the desktop app grants, for both Electron hooks: the request handler
 * (a page asks: camera, notifications, fullscreen...) and the check handler (a page or Chromium
 * asks whether it already has one, without prompting). Kept free of electron so it is unit-tested.
 *
 * Rapido needs one: fullscreen, for the program window's double-click (the audience view) and
 * the app's own page. It uses no camera or microphone (the avatar is rendered, never captured),
 * no notifications, clipboard, geolocation, MIDI, USB/HID/serial or screen capture, so all of
 * those are refused, from every frame. Should a camera ever be used, add 'media' here, limited
 * to video, with a test.
 */
export interface PermissionQuery {
  permission: string;
  /** The URL of the frame asking (empty or absent when Electron does not say). */
  requestingUrl: string;
  isMainFrame: boolean;
}

const grantable = new Set(['fullscreen']);

export function permissionAllowed(query: PermissionQuery, policy: SenderPolicy): boolean {
  if (!grantable.has(query.permission) || !query.isMainFrame) return false;
  // The program window: the blank popup the app opens (program-window.ts); navigation is
  // blocked everywhere, so an about:blank top frame is one the app itself opened.
  if (query.requestingUrl === 'about:blank') return true;
  return isTrustedSender({ url: query.requestingUrl, isTopFrame: true }, policy);
}
