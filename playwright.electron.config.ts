import { defineConfig } from '@playwright/test';
import { electronSkipReason } from './e2e-electron/support/electron-app.ts';

/**
 * The desktop app under Electron (`npm run test:electron`). It needs an Electron binary and a
 * display; where either is missing every test skips, and the reason is printed here once so a
 * CI log says why instead of just "skipped".
 */
const skipReason = electronSkipReason();
if (skipReason !== null && process.env.TEST_WORKER_INDEX === undefined) {
  process.stdout.write(`${skipReason}\n`);
}

export default defineConfig({
  testDir: 'e2e-electron',
  testMatch: '**/*.spec.ts',
  // One app at a time: two cores, and real-time playback.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  timeout: 120_000,
  reporter: [['list']],
  outputDir: 'test-results/electron',
  use: {
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
