import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Flags measured to work on machines without a GPU or network (ENVIRONMENT.md). */
export const chromiumFlags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--autoplay-policy=no-user-gesture-required',
  // Headless renders must not be throttled when no window is visible.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export function chromiumPath(environmentPath: string | undefined): string {
  return environmentPath ?? '/usr/bin/chromium';
}

export async function launchChromium(options: {
  executablePath: string;
  headless: boolean;
  appUrl?: string;
}): Promise<Browser> {
  if (!existsSync(options.executablePath)) {
    throw new Error(
      `Chromium was not found at ${options.executablePath}. Install it (Debian: sudo apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({
    executablePath: options.executablePath,
    headless: options.headless,
    args: [...chromiumFlags, ...(options.appUrl ? [`--app=${options.appUrl}`] : [])],
  });
}
