import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../testing/support/app-host.ts';
import { readMainLog, runCli, tempDir, type LogLine } from '../testing/support/render-cli.ts';

/**
 * `npm run render` as the bench drives it: the frame-stepped exporter (the default) or the live
 * recording (`--realtime`, MediaRecorder, bound to real time), with the log lines of that render
 * alone and the wall time of the rendering itself, said where it came from.
 */
export type RenderMode = 'export' | 'realtime';

export type WallSource =
  | 'log export_start to export_end'
  | 'log recording_start to recording_end'
  | 'CLI wall time minus time to the first progress line';

export interface RenderOutcome {
  readonly outPath: string;
  readonly code: number | null;
  readonly stderr: string;
  readonly stdout: string;
  /** Start of the CLI to its exit. */
  readonly cliWallMs: number;
  /** Start of the CLI to its first `[ n%]` line (browser up, lesson loaded): null if none came. */
  readonly firstProgressMs: number | null;
  /** This render's log lines only (a shared data folder also holds earlier renders'). */
  readonly lines: readonly LogLine[];
}

const cliSource = join(repoRoot, 'src', 'main', 'hosts', 'cli', 'render-command.ts');

/**
 * Whether this build has the frame-stepped exporter: it came with `--realtime`, which keeps the
 * live recording. Without it the default render *is* the live recording.
 */
export async function exporterAvailable(): Promise<boolean> {
  return /\brealtime\b/.test(await readFile(cliSource, 'utf8'));
}

export const noExporterReason =
  'the frame-stepped exporter is not in this build (src/main/hosts/cli/render-command.ts has no --realtime), so the default render is the live recording';

/** The CLI arguments for a mode, or null when this build cannot render that way. */
export async function renderArgs(
  mode: RenderMode,
  lessonDir: string,
  outPath: string,
): Promise<string[] | null> {
  const base = ['render', lessonDir, '--out', outPath];
  const hasExporter = await exporterAvailable();
  if (mode === 'export') return hasExporter ? base : null;
  return hasExporter ? [...base, '--realtime'] : base;
}

async function logLinesOrNone(logDir: string): Promise<LogLine[]> {
  try {
    return await readMainLog(logDir);
  } catch {
    return [];
  }
}

/** Renders once; never throws for a failed render (the caller decides what a failure means). */
export async function renderOnce(options: {
  readonly mode: RenderMode;
  readonly lessonDir: string;
  readonly outDir: string;
  readonly outName: string;
  readonly dataDir?: string;
  readonly env?: Record<string, string>;
  /** More CLI arguments (e.g. --no-pre-roll). */
  readonly extraArgs?: readonly string[];
  readonly onStdout?: (text: string) => void;
}): Promise<RenderOutcome | { readonly unavailable: string }> {
  const outPath = join(options.outDir, options.outName);
  const args = await renderArgs(options.mode, options.lessonDir, outPath);
  if (args === null) return { unavailable: noExporterReason };
  const dataDir = options.dataDir ?? (await tempDir('bench-data'));
  const logDir = join(dataDir, 'logs');
  const before = (await logLinesOrNone(logDir)).length;
  let firstProgressMs: number | null = null;
  const startedMs = Date.now();
  const run = await runCli([...args, ...(options.extraArgs ?? [])], options.env ?? {}, {
    dataDir,
    onStdout(text) {
      if (firstProgressMs === null && /^\[\s*\d{1,3}%\]/m.test(text)) {
        firstProgressMs = Date.now() - startedMs;
      }
      options.onStdout?.(text);
    },
  });
  const lines = (await logLinesOrNone(logDir)).slice(before);
  if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
  return {
    outPath,
    code: run.code,
    stderr: run.stderr,
    stdout: run.stdout,
    cliWallMs: run.wallMs,
    firstProgressMs,
    lines,
  };
}

/** The last lines of a failed render's output, enough to see why. */
export function failureReason(outcome: RenderOutcome): string {
  const tail = (text: string): string => text.trim().split('\n').slice(-3).join(' | ');
  return `render exited ${String(outcome.code)}: ${tail(outcome.stderr) || tail(outcome.stdout)}`;
}

export function numberField(line: LogLine | undefined, field: string): number | null {
  const value = line?.performance_data?.[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function spanMs(lines: readonly LogLine[], startEvent: string, endEvent: string): number | null {
  const start = lines.find((line) => line.event_type === startEvent);
  const end = lines.findLast((line) => line.event_type === endEvent);
  if (!start || !end) return null;
  const ms = Date.parse(end.timestamp) - Date.parse(start.timestamp);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

/**
 * Wall time of the rendering itself, start-up left out: the log's own bracket when there is one,
 * else the CLI's wall time less its time to the first progress line.
 */
export function renderWall(outcome: RenderOutcome): { ms: number; source: WallSource } | null {
  const exported = spanMs(outcome.lines, 'export_start', 'export_end');
  if (exported !== null) return { ms: exported, source: 'log export_start to export_end' };
  const recorded = spanMs(outcome.lines, 'recording_start', 'recording_end');
  if (recorded !== null) return { ms: recorded, source: 'log recording_start to recording_end' };
  if (outcome.firstProgressMs === null) return null;
  return {
    ms: outcome.cliWallMs - outcome.firstProgressMs,
    source: 'CLI wall time minus time to the first progress line',
  };
}

export function lastEvent(lines: readonly LogLine[], eventType: string): LogLine | undefined {
  return lines.findLast((line) => line.event_type === eventType);
}

export function firstEvent(lines: readonly LogLine[], eventType: string): LogLine | undefined {
  return lines.find((line) => line.event_type === eventType);
}
