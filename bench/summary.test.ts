import { describe, expect, it } from 'vitest';
import { figure } from './figures.ts';
import { resolvePath, summaryMarkdown } from './summary.ts';

const report = {
  options: { runs: 3, quick: false },
  machine: {
    date: '2026-11-24T08:00:00.000Z',
    cpuCount: 2,
    cpuModel: 'AMD EPYC',
    memoryGiB: 23.5,
    nodeVersion: 'v20.20.0',
    chromium: 'Chromium 156',
  },
  compositor: {
    cases: [
      {
        output: '1280x720',
        placement: 'full-frame',
        webglMsPerFrame: figure('ms/frame', [99, 99, 99]),
      },
      {
        output: '1280x720',
        placement: 'lesson-default',
        webglMsPerFrame: figure('ms/frame', [8.4, 8.1, 9]),
        cpuToWebglRatio: figure('x', [0.43, 0.45, 0.4]),
      },
    ],
  },
  export: { skipped: 'the frame-stepped exporter is not in this build' },
  memoryLive: { jsHeapGrowthPerMinute: figure('MB/min', [0.02]) },
  firstSound: { playToFirstSound: figure('ms', [153.2, 141.2, 160.9]) },
  elevenLabs: {
    latency: [
      { firstByteDelayMs: 1000, withoutLookAhead: figure('ms', [1206]) },
      { firstByteDelayMs: 75, withoutLookAhead: figure('ms', [306]) },
    ],
  },
  syncTalk: { live: { slideChangeStall: figure('ms', [5.0416]) } },
  totalWallTime: figure('s', [1834.2]),
};

describe('resolvePath', () => {
  it('follows keys and picks array elements by their fields', () => {
    const value = resolvePath(report, [
      'compositor',
      'cases',
      { output: '1280x720', placement: 'lesson-default' },
      'webglMsPerFrame',
    ]);
    expect(value).toMatchObject({ median: 8.4 });
  });

  it('stops at a skipped part and returns it', () => {
    expect(resolvePath(report, ['export', 'sizes', { output: '1280x720' }])).toEqual({
      skipped: 'the frame-stepped exporter is not in this build',
    });
  });

  it('is undefined for a missing path', () => {
    expect(resolvePath(report, ['live', 'glassToGlassMedian'])).toBeUndefined();
    expect(resolvePath(report, ['compositor', 'cases', { output: '640x360' }])).toBeUndefined();
  });
});

describe('summaryMarkdown', () => {
  const markdown = summaryMarkdown(report);

  it('has a row per measured headline figure with median, range, unit and runs', () => {
    expect(markdown).toContain('| Figure | Median | Min – max | Unit | Runs |');
    expect(markdown).toContain('| Compositor 1280x720, WebGL | 8.4 | 8.1 – 9 | ms/frame | 3 |');
    expect(markdown).toContain(
      '| Compositor 1280x720, CPU keyer / WebGL | 0.43 | 0.4 – 0.45 | x | 3 |',
    );
    // One run has no range.
    expect(markdown).toContain('| JS heap growth, live playback | 0.02 | – | MB/min | 1 |');
    expect(markdown).toContain('| Bench wall time | 1834 | – | s | 1 |');
    expect(markdown).toContain('| Play to first sound (ElevenLabs, 75 ms first byte) | 306 |');
    // Three significant digits, whole numbers from 100.
    expect(markdown).toContain(
      '| Play to first sound (offline voice) | 153 | 141 – 161 | ms | 3 |',
    );
    expect(markdown).toContain('| Slide-change stall (SyncTalk, live) | 5.04 | – | ms | 1 |');
  });

  it('leaves out figures that were not measured and says why a section skipped, once', () => {
    expect(markdown).not.toContain('640x360');
    expect(markdown).not.toContain('99');
    const reasons = markdown.match(/not measured \(the frame-stepped exporter/g) ?? [];
    expect(reasons).toHaveLength(1);
  });

  it('names the machine, and flags a quick run', () => {
    expect(markdown).toContain('2 × AMD EPYC, 23.5 GiB, Node v20.20.0, Chromium 156');
    expect(markdown).not.toContain('Quick run');
    expect(summaryMarkdown({ ...report, options: { quick: true } })).toContain('Quick run');
  });
});
