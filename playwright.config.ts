import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumExecutablePath } from './testing/support/harness-chromium.ts';
import { scaled } from './e2e/support/timeouts.ts';

// System Chromium only (never `npx playwright install`): CHROMIUM_PATH or /usr/bin/chromium.
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // Two cores and software WebGL: parallel browsers would only distort each other's timings.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  // Longer on a machine known to be loaded (RAPIDO_E2E_TIMEOUT_SCALE, e2e/support/timeouts.ts).
  timeout: scaled(120_000),
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
