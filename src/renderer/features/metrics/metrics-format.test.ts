import { describe, expect, it } from 'vitest';
import {
  describeRange,
  formatNumber,
  formatSeconds,
  formatSignedMs,
  judgeAvOffset,
  judgeCpu,
  judgeDroppedPerSecond,
  judgeFps,
  pushSample,
  scaleTop,
  sortProcesses,
  sparklineSegments,
  totalsOf,
} from './metrics-format.ts';

describe('formatting', () => {
  it('writes numbers, seconds and signed offsets, and n/a for anything missing', () => {
    expect(formatNumber(24.96, 1)).toBe('25.0');
    expect(formatNumber(null, 1)).toBe('n/a');
    expect(formatNumber(Number.NaN, 0)).toBe('n/a');
    expect(formatSeconds(12_345)).toBe('12.3');
    expect(formatSeconds(undefined)).toBe('n/a');
    expect(formatSignedMs(12.4)).toBe('+12');
    expect(formatSignedMs(-8.6)).toBe('−9');
    expect(formatSignedMs(0.3)).toBe('0');
    expect(formatSignedMs(null)).toBe('n/a');
  });
});

describe('thresholds', () => {
  it('judges fps against 90 % and 50 % of the lesson rate', () => {
    expect(judgeFps(25, 25)).toEqual({ level: 'ok', text: 'OK' });
    expect(judgeFps(22.5, 25).level).toBe('ok');
    expect(judgeFps(22.4, 25)).toEqual({ level: 'warning', text: 'Low' });
    expect(judgeFps(12.5, 25).level).toBe('warning');
    expect(judgeFps(12.4, 25)).toEqual({ level: 'critical', text: 'Very low' });
    expect(judgeFps(26, 30).level).toBe('warning');
    expect(judgeFps(null, 25).level).toBe('none');
    expect(judgeFps(25, null).level).toBe('none');
  });

  it('judges A/V offset with the looser limit for late sound', () => {
    expect(judgeAvOffset(0).level).toBe('ok');
    expect(judgeAvOffset(-45).level).toBe('ok');
    expect(judgeAvOffset(-46).level).toBe('warning');
    expect(judgeAvOffset(100).level).toBe('ok');
    expect(judgeAvOffset(126).level).toBe('warning');
    expect(judgeAvOffset(-91)).toEqual({ level: 'critical', text: 'Out of sync' });
    expect(judgeAvOffset(186).level).toBe('critical');
    expect(judgeAvOffset(null).level).toBe('none');
  });

  it('warns on frames dropped in the last second and on a busy machine', () => {
    expect(judgeDroppedPerSecond(0).level).toBe('ok');
    expect(judgeDroppedPerSecond(3)).toEqual({ level: 'warning', text: 'Dropping' });
    expect(judgeDroppedPerSecond(null).level).toBe('none');
    expect(judgeCpu(10).level).toBe('ok');
    expect(judgeCpu(70).level).toBe('warning');
    expect(judgeCpu(95).level).toBe('critical');
    expect(judgeCpu(null).level).toBe('none');
  });
});

describe('processes', () => {
  const metrics = {
    cpuCores: 4,
    processes: [
      { kind: 'gpu' as const, pid: 30, cpuPercent: 20, memoryMB: 100 },
      { kind: 'renderer' as const, pid: 20, cpuPercent: 150, memoryMB: 300 },
      { kind: 'main' as const, pid: 10, cpuPercent: 30, memoryMB: 120 },
      { kind: 'renderer' as const, pid: 21, cpuPercent: 5, memoryMB: 80 },
    ],
  };

  it('adds CPU and memory and scales CPU to the whole machine', () => {
    expect(totalsOf(metrics)).toEqual({ cpuPercent: 205, machinePercent: 51.25, memoryMB: 600 });
    expect(totalsOf({ cpuCores: 1, processes: [] })).toEqual({
      cpuPercent: 0,
      machinePercent: 0,
      memoryMB: 0,
    });
  });

  it('lists main first, then renderers (busiest first), then GPU', () => {
    expect(sortProcesses(metrics.processes).map((p) => p.pid)).toEqual([10, 20, 21, 30]);
  });
});

describe('history and sparklines', () => {
  it('keeps the last samples only', () => {
    let history: (number | null)[] = [];
    for (let i = 0; i < 65; i += 1) history = pushSample(history, i);
    expect(history).toHaveLength(60);
    expect(history[0]).toBe(5);
    expect(history[59]).toBe(64);
    expect(pushSample([1, 2, 3], 4, 3)).toEqual([2, 3, 4]);
  });

  it('draws the newest sample at the right edge and breaks lines at gaps', () => {
    // 5 slots over 40 px: 10 px a step; values 0..10 over 20 px.
    expect(sparklineSegments([0, 5, 10], 40, 20, 10, 5)).toEqual(['20,20 30,10 40,0']);
    expect(sparklineSegments([2, null, 4, 20], 40, 20, 10, 5)).toEqual(['10,16', '30,12 40,0']);
    expect(sparklineSegments([], 40, 20, 10, 5)).toEqual([]);
    expect(sparklineSegments([-3], 40, 20, 10, 5)).toEqual(['40,20']);
  });

  it('scales to the floor or the highest sample, and describes the range', () => {
    expect(scaleTop([1, 2, null], 30)).toBe(30);
    expect(scaleTop([1, 50], 30)).toBeCloseTo(55);
    expect(describeRange([null, 24.04, 25.2], 1)).toBe('min 24.0, max 25.2');
    expect(describeRange([null], 1)).toBe('no samples yet');
  });
});
