import { defineConfig } from 'vitest/config';
import { FuzzSummaryReporter } from './testing/fuzz-reporter.ts';

/**
 * `npm run test:fuzz`: only the property tests of the outside-input parsers, each with 10,000
 * cases or more (RAPIDO_FUZZ_RUNS; the plain unit run keeps 200). A summary table lists the cases
 * and seed of every property; RAPIDO_FUZZ_SEED / RAPIDO_FUZZ_PATH replay a failure.
 */
const runs = Math.max(10_000, Number(process.env.RAPIDO_FUZZ_RUNS ?? 0) || 0);

export default defineConfig({
  test: {
    include: ['src/**/*.fuzz.test.ts'],
    environment: 'node',
    env: { RAPIDO_FUZZ_RUNS: String(runs) },
    // One property with 10,000 file-reading cases takes tens of seconds on a loaded machine.
    testTimeout: 600_000,
    silent: 'passed-only',
    reporters: ['default', new FuzzSummaryReporter()],
  },
});
