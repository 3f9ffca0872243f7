/**
 * Which renderer frames may call the main process (VS Code's validatedIpcMain idea): only the
 * app's own top-level frame, loaded from the app's own origin. Kept free of electron so the
 * rejection paths are unit-tested.
 */
export interface SenderFrameInfo {
  url: string;
  isTopFrame: boolean;
}

export interface SenderPolicy {
  /** The packaged renderer's index.html (file:// URL). */
  appFileUrl: string | null;
  /** The dev server origin in `electron-vite dev`, if any. */
  devServerOrigin: string | null;
}

export function isTrustedSender(frame: SenderFrameInfo | null, policy: SenderPolicy): boolean {
  if (frame === null || !frame.isTopFrame) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  if (url.protocol === 'file:' && policy.appFileUrl !== null) {
    const expected = new URL(policy.appFileUrl);
    return url.pathname === expected.pathname;
  }
  if (policy.devServerOrigin !== null && (url.protocol === 'http:' || url.protocol === 'https:')) {
    return url.origin === new URL(policy.devServerOrigin).origin;
  }
  return false;
}
