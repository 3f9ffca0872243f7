import { describe, expect, it } from 'vitest';
import { parseBenchOptions, sectionNames } from './options.ts';

describe('parseBenchOptions', () => {
  it('runs every section three times by default', () => {
    expect(parseBenchOptions([])).toEqual({
      runs: 3,
      memoryRuns: 1,
      quick: false,
      parallelMinutes: 2,
      sections: sectionNames,
    });
    expect(parseBenchOptions(['--memory-runs', '2']).memoryRuns).toBe(2);
    expect(() => parseBenchOptions(['--memory-runs', '0'])).toThrow(/--memory-runs/);
  });

  it('--quick is one run', () => {
    expect(parseBenchOptions(['--quick'])).toMatchObject({ runs: 1, quick: true });
  });

  it('--parallel-minutes sets the split-export lesson length (quick: half a minute)', () => {
    expect(parseBenchOptions(['--parallel-minutes', '10']).parallelMinutes).toBe(10);
    expect(parseBenchOptions(['--quick']).parallelMinutes).toBe(0.5);
    expect(() => parseBenchOptions(['--parallel-minutes', '0'])).toThrow(/--parallel-minutes/);
    expect(() => parseBenchOptions(['--parallel-minutes', 'ten'])).toThrow(/--parallel-minutes/);
  });

  it('--runs overrides the count, also with --quick', () => {
    expect(parseBenchOptions(['--quick', '--runs', '2']).runs).toBe(2);
    expect(() => parseBenchOptions(['--runs', '0'])).toThrow(/--runs/);
    expect(() => parseBenchOptions(['--runs', '1.5'])).toThrow(/--runs/);
  });

  it('--only picks sections in bench order, case-insensitively, with aliases', () => {
    expect(parseBenchOptions(['--only', 'memory,export']).sections).toEqual([
      'export',
      'memoryExport',
      'memoryLive',
    ]);
    expect(parseBenchOptions(['--only', 'SYNCTALK, compositor']).sections).toEqual([
      'compositor',
      'syncTalk',
    ]);
    expect(parseBenchOptions(['--only', 'latency']).sections).toEqual(['firstSound', 'syncTalk']);
  });

  it('refuses an unknown section or option', () => {
    expect(() => parseBenchOptions(['--only', 'gpu'])).toThrow(/unknown section "gpu"/);
    expect(() => parseBenchOptions(['--only', ','])).toThrow(/no section/);
    expect(() => parseBenchOptions(['--fast'])).toThrow();
  });
});
