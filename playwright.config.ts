import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumExecutablePath } from './testing/support/harness-chromium.ts';

// System Chromium only (never `npx playwright install`): CHROMIUM_PATH or /usr/bin/chromium.
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // Two cores and software WebGL: parallel browsers would only distort each other's timings.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  timeout: 120_000,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromiumExecutablePath,
      args: [...chromiumArgs],
    },
  },
});
