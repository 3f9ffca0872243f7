import { chromium, type Browser, type Page } from 'playwright-core';
import type { Environment } from '../src/main/services/platform/config/environment.ts';
import type { HeadlessHost } from '../src/main/hosts/headless/headless-host.ts';
import { startTestHost } from '../testing/support/app-host.ts';
import { chromiumArgs, chromiumExecutablePath } from '../testing/support/harness-chromium.ts';
import { readMainLog } from '../testing/support/render-cli.ts';
import type { Scratch } from './lessons.ts';
import { lastEvent, numberField } from './render.ts';

/**
 * The presenter as a user meets it: a headless host with its own data folder, the app in
 * Chromium, the Play button pressed the way the end-to-end tests press it.
 */
export interface OpenPresenter {
  readonly host: HeadlessHost;
  /** Left in place on close: the host's background work may still write its log there. */
  readonly dataDir: string;
  readonly logDir: string;
  readonly browser: Browser;
  readonly page: Page;
  close(): Promise<void>;
}

export async function openPresenter(
  lessonDir: string,
  environment: Partial<Environment> = {},
): Promise<OpenPresenter> {
  const { host, logDir, dataDir } = await startTestHost(lessonDir, environment);
  const browser = await chromium
    .launch({ executablePath: chromiumExecutablePath, args: [...chromiumArgs] })
    .catch(async (error: unknown) => {
      await host.close();
      throw error;
    });
  const page = await browser.newPage();
  await page.goto(host.server.appUrl);
  await page.getByRole('button', { name: '▶ Play' }).waitFor({ state: 'visible' });
  return {
    host,
    dataDir,
    logDir,
    browser,
    page,
    async close() {
      await browser.close();
      await host.close();
    },
  };
}

/** Polls the main log until `eventType` carries `field` (the renderer's lines arrive over IPC). */
export async function waitForLoggedNumber(
  logDir: string,
  eventType: string,
  field: string,
  timeoutMs: number,
): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = numberField(lastEvent(await readMainLog(logDir), eventType), field);
    if (value !== null) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

/**
 * Play to the first audible sample in the presenter: `beforePlay` may wait for something first
 * (a look-ahead); null when no play_to_first_sample line came within 60 s.
 */
export async function presenterPlayToFirstSampleMs(
  lessonDir: string,
  scratch: Scratch,
  environment: Partial<Environment> = {},
  beforePlay?: (host: HeadlessHost) => Promise<void>,
): Promise<number | null> {
  const presenter = await openPresenter(lessonDir, environment);
  scratch.track(presenter.dataDir);
  try {
    await beforePlay?.(presenter.host);
    await presenter.page.getByRole('button', { name: '▶ Play' }).click();
    return await waitForLoggedNumber(
      presenter.logDir,
      'play_to_first_sample',
      'playToFirstSampleMs',
      60_000,
    );
  } finally {
    await presenter.close();
  }
}
