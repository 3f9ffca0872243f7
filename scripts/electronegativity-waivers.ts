/**
 * Electronegativity findings of MEDIUM or HIGH severity that are accepted, each with its reason
 * (read by scripts/electron-security-lint.ts, which `npm run lint` runs). A waiver names a check
 * and a file, not a line, so it survives edits; one that matches nothing any more fails the lint
 * too, so the list cannot rot. Fix a finding rather than waive it where a fix exists.
 */
export interface Waiver {
  check: string;
  /** Relative to src/, as Electronegativity reports it. */
  file: string;
  reason: string;
}

export const waivers: readonly Waiver[] = [
  {
    check: 'PRELOAD_JS_CHECK',
    file: 'main/electron/desktop-app.ts',
    reason:
      "The one preload (src/preload) is the app's narrow bridge: it exposes only window.rapido, built from the typed IPC contract, through contextBridge in a sandboxed, context-isolated renderer; main checks every call's sender and payload (ipc-main-guard.ts). The check asks for a review of preload use, which this is.",
  },
];
