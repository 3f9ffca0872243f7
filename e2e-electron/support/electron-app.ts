import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from '@playwright/test';

/**
 * Finding and starting the real desktop app for the Electron suite. The binary is looked up by
 * hand: `require('electron')` tries to download it when it is missing, which hangs or fails on
 * machines without GitHub access (ENVIRONMENT.md), so the suite would never get to skip.
 */
export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const desktopMainPath = join(repoRoot, 'out', 'main', 'index.js');

export type ElectronLookup =
  { found: true; executablePath: string } | { found: false; reason: string };

export function findElectronBinary(env: NodeJS.ProcessEnv = process.env): ElectronLookup {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { found: false, reason: 'the electron package is not installed (run npm install).' };
  }
  const pathFile = join(packageDir, 'path.txt');
  const relativeBinary = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  // Electron's own escape hatch for a binary unpacked elsewhere.
  const distDir = env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageDir, 'dist');
  if (relativeBinary === null && env.ELECTRON_OVERRIDE_DIST_PATH === undefined) {
    const why =
      env.ELECTRON_SKIP_BINARY_DOWNLOAD === undefined
        ? 'its download failed or never ran'
        : `ELECTRON_SKIP_BINARY_DOWNLOAD=${env.ELECTRON_SKIP_BINARY_DOWNLOAD}`;
    return {
      found: false,
      reason:
        `the Electron binary is not installed (${pathFile} is missing: ${why}). ` +
        'Install it with `node node_modules/electron/install.js` (needs github.com), or set ' +
        'ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron.',
    };
  }
  const executablePath = join(distDir, relativeBinary ?? 'electron');
  if (!existsSync(executablePath)) {
    return {
      found: false,
      reason: `the Electron binary ${executablePath} does not exist. Reinstall electron or fix ELECTRON_OVERRIDE_DIST_PATH.`,
    };
  }
  return { found: true, executablePath };
}

/** Electron on Linux needs a display; CI machines get one from xvfb-run. */
export function displayProblem(env: NodeJS.ProcessEnv = process.env): string | null {
  if (process.platform !== 'linux') return null;
  if ((env.DISPLAY ?? '') !== '' || (env.WAYLAND_DISPLAY ?? '') !== '') return null;
  return 'there is no X or Wayland display: run the suite under xvfb-run (`xvfb-run -a npm run test:electron`).';
}

/** Why the Electron suite cannot run here, or null when it can. */
export function electronSkipReason(): string | null {
  const lookup = findElectronBinary();
  if (!lookup.found) return `Electron suite skipped: ${lookup.reason}`;
  const display = displayProblem();
  return display === null ? null : `Electron suite skipped: ${display}`;
}

export function requireDesktopBuild(): void {
  if (!existsSync(desktopMainPath)) {
    throw new Error(
      `${desktopMainPath} is missing: run \`npm run build\` before the Electron suite`,
    );
  }
}

export interface RunningApp {
  app: ElectronApplication;
  window: Page;
  logDir: string;
  recordingDir: string;
}

/**
 * Starts the built desktop app the way `electron . <lessonDir>` does, with its own log and
 * recording folders, and waits for its window.
 */
export async function launchDesktopApp(
  executablePath: string,
  lessonDir: string,
): Promise<RunningApp> {
  requireDesktopBuild();
  const scratch = await mkdtemp(join(tmpdir(), 'rapido-electron-'));
  const logDir = join(scratch, 'logs');
  const recordingDir = join(scratch, 'recordings');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined) env[key] = value;
  }
  // A dev-server URL would load another renderer; RUN_AS_NODE would start no app at all.
  delete env.ELECTRON_RENDERER_URL;
  delete env.ELECTRON_RUN_AS_NODE;
  Object.assign(env, {
    RAPIDO_LOG_DIR: logDir,
    RAPIDO_RECORDING_DIR: recordingDir,
    LOG_LEVEL: 'info',
    ELECTRON_DISABLE_SECURITY_WARNINGS: 'true',
  });
  const app = await electron.launch({
    executablePath,
    args: ['.', lessonDir],
    cwd: repoRoot,
    env,
    timeout: 60_000,
  });
  const window = await app.firstWindow();
  return { app, window, logDir, recordingDir };
}
