import type { AppMetricsInfo } from '../../../shared/ipc/contract.ts';

/**
 * The metrics panel's pure part: how each number is written, when it is a warning, and the
 * sparkline geometry. Levels always come with a word, so colour is never the only signal.
 */

export type MetricLevel = 'ok' | 'warning' | 'critical' | 'none';

export interface Judgement {
  level: MetricLevel;
  /** Shown beside the value ("OK", "Low"): the same meaning as the colour, for everyone. */
  text: string;
}

const none: Judgement = { level: 'none', text: '' };

export const notAvailable = 'n/a';

/** Samples kept for the sparklines: one a second, the last minute. */
export const historyLength = 60;

function finite(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function formatNumber(value: number | null | undefined, decimals: number): string {
  return finite(value) ? value.toFixed(decimals) : notAvailable;
}

export function formatSeconds(ms: number | null | undefined): string {
  return finite(ms) ? (ms / 1000).toFixed(1) : notAvailable;
}

/** Signed, so which way the picture is off reads at a glance ("+12", "−8", "0"). */
export function formatSignedMs(ms: number | null | undefined): string {
  if (!finite(ms)) return notAvailable;
  const rounded = Math.round(ms);
  if (rounded === 0) return '0';
  return rounded > 0 ? `+${rounded}` : `−${Math.abs(rounded)}`;
}

/**
 * A frame rate against the lesson's: below 90 % of it the program visibly stutters (warning),
 * below half it is not presentable (critical).
 */
export function judgeFps(fps: number | null | undefined, targetFps: number | null): Judgement {
  if (!finite(fps) || targetFps === null || targetFps <= 0) return none;
  if (fps >= targetFps * 0.9) return { level: 'ok', text: 'OK' };
  if (fps >= targetFps * 0.5) return { level: 'warning', text: 'Low' };
  return { level: 'critical', text: 'Very low' };
}

/**
 * Picture against sound, positive when the picture leads (the sound is late). ITU-R BT.1359's
 * thresholds: viewers notice sound 45 ms early or 125 ms late, and find it unacceptable at 90 ms
 * early or 185 ms late.
 */
export function judgeAvOffset(offsetMs: number | null | undefined): Judgement {
  if (!finite(offsetMs)) return none;
  const soundEarlyMs = Math.max(0, -offsetMs);
  const soundLateMs = Math.max(0, offsetMs);
  if (soundEarlyMs > 90 || soundLateMs > 185) return { level: 'critical', text: 'Out of sync' };
  if (soundEarlyMs > 45 || soundLateMs > 125) return { level: 'warning', text: 'Noticeable' };
  return { level: 'ok', text: 'In sync' };
}

/** Frames dropped in the last second (the engine counts since the lesson opened). */
export function judgeDroppedPerSecond(droppedPerSecond: number | null): Judgement {
  if (droppedPerSecond === null) return none;
  if (droppedPerSecond <= 0) return { level: 'ok', text: 'OK' };
  return { level: 'warning', text: 'Dropping' };
}

/** CPU as a share of the whole machine: above 70 % the composer starts to miss frames. */
export function judgeCpu(machinePercent: number | null): Judgement {
  if (machinePercent === null || !Number.isFinite(machinePercent)) return none;
  if (machinePercent >= 90) return { level: 'critical', text: 'Saturated' };
  if (machinePercent >= 70) return { level: 'warning', text: 'High' };
  return { level: 'ok', text: 'OK' };
}

export interface ProcessTotals {
  /** Sum over processes, 100 per fully used core. */
  cpuPercent: number;
  /** The same as a share of every core together, 0..100. */
  machinePercent: number;
  memoryMB: number;
}

export function totalsOf(metrics: AppMetricsInfo): ProcessTotals {
  let cpuPercent = 0;
  let memoryMB = 0;
  for (const process of metrics.processes) {
    cpuPercent += process.cpuPercent;
    memoryMB += process.memoryMB;
  }
  const machinePercent = Math.min(100, cpuPercent / Math.max(1, metrics.cpuCores));
  return { cpuPercent, machinePercent, memoryMB };
}

const kindOrder: Record<AppMetricsInfo['processes'][number]['kind'], number> = {
  main: 0,
  renderer: 1,
  gpu: 2,
  utility: 3,
  other: 4,
};

const kindNames: Record<AppMetricsInfo['processes'][number]['kind'], string> = {
  main: 'Main',
  renderer: 'Renderer',
  gpu: 'GPU',
  utility: 'Utility',
  other: 'Other',
};

export function processName(kind: AppMetricsInfo['processes'][number]['kind']): string {
  return kindNames[kind];
}

/** Main first, then renderer, GPU, utilities; within a kind the busiest first. */
export function sortProcesses(processes: AppMetricsInfo['processes']): AppMetricsInfo['processes'] {
  return [...processes].sort(
    (a, b) => kindOrder[a.kind] - kindOrder[b.kind] || b.cpuPercent - a.cpuPercent || a.pid - b.pid,
  );
}

/** Appends one sample, keeping the last `limit`; a missing value is kept as a gap. */
export function pushSample(
  history: readonly (number | null)[],
  value: number | null,
  limit = historyLength,
): (number | null)[] {
  const next = [...history, value];
  return next.length > limit ? next.slice(next.length - limit) : next;
}

/**
 * Polylines for an SVG sparkline: the newest sample at the right edge, one step per second over
 * `slots` slots, `maxValue` at the top (values above it are clipped). A gap (null) ends a line.
 */
export function sparklineSegments(
  values: readonly (number | null)[],
  widthPx: number,
  heightPx: number,
  maxValue: number,
  slots = historyLength,
): string[] {
  const stepPx = slots > 1 ? widthPx / (slots - 1) : widthPx;
  const offset = slots - values.length;
  const top = maxValue > 0 ? maxValue : 1;
  const segments: string[] = [];
  let points: string[] = [];
  values.forEach((value, index) => {
    if (value === null || !Number.isFinite(value)) {
      if (points.length > 0) segments.push(points.join(' '));
      points = [];
      return;
    }
    const x = (offset + index) * stepPx;
    const clamped = Math.max(0, Math.min(top, value));
    const y = heightPx - (clamped / top) * heightPx;
    points.push(`${round1(x)},${round1(y)}`);
  });
  if (points.length > 0) segments.push(points.join(' '));
  return segments;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** The top of a sparkline's scale: at least `floor`, else the highest sample (plus headroom). */
export function scaleTop(values: readonly (number | null)[], floor: number): number {
  let highest = 0;
  for (const value of values) if (value !== null && value > highest) highest = value;
  return Math.max(floor, highest * 1.1);
}

/** "min 24.1 · max 25.0" for a sparkline's accessible name and tooltip. */
export function describeRange(values: readonly (number | null)[], decimals: number): string {
  const present = values.filter((value): value is number => finite(value));
  if (present.length === 0) return 'no samples yet';
  return `min ${Math.min(...present).toFixed(decimals)}, max ${Math.max(...present).toFixed(decimals)}`;
}
