import { readdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { AppMetricsInfo } from '../../../../shared/ipc/contract.ts';

/**
 * CPU and memory of the app's processes for the metrics panel. The desktop host asks Electron
 * (appMetricsFromElectron); the headless host measures its own Node process and reads the
 * Chromium processes it started from /proc (Linux), since no browser API reports them.
 */

export type ProcessKind = AppMetricsInfo['processes'][number]['kind'];

/** What /proc says about one process. */
export interface ProcStat {
  pid: number;
  parentPid: number;
  /** utime + stime, in seconds. */
  cpuSeconds: number;
  /** When it started, in seconds after boot. */
  startSeconds: number;
}

/**
 * USER_HZ: the unit of /proc's CPU times. Linux fixes it at 100 on every architecture it ships
 * for user space (the kernel's HZ may differ; this one does not).
 */
const userHz = 100;

/** The fields after the command name, which may itself hold spaces and ")". */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Parses /proc/<pid>/stat (see proc(5): fields 4, 14, 15 and 22). Null when malformed. */
export function parseProcStat(pid: number, stat: string): ProcStat | null {
  const fields = statFields(stat);
  // fields[0] is field 3 (state): field n sits at index n - 3.
  const parentPid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const start = Number(fields[19]);
  if (![parentPid, utime, stime, start].every(Number.isFinite)) return null;
  return { pid, parentPid, cpuSeconds: (utime + stime) / userHz, startSeconds: start / userHz };
}

/** VmRSS from /proc/<pid>/status, in MiB; null when the process has none (a zombie). */
export function rssMbFromStatus(status: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match?.[1] === undefined ? null : Number(match[1]) / 1024;
}

export async function readProcStat(pid: number): Promise<ProcStat | null> {
  try {
    return parseProcStat(pid, await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

export async function readRssMb(pid: number): Promise<number | null> {
  try {
    return rssMbFromStatus(await readFile(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

/** Seconds since boot, from /proc/uptime. */
async function readUptimeSeconds(): Promise<number | null> {
  try {
    const value = Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * The arguments in /proc/<pid>/cmdline. Chromium's zygote children rewrite their title as one
 * space-separated string, so a single argument holding " --" is split on spaces.
 */
export function argvFromCmdline(cmdline: string): string[] {
  const parts = cmdline.split('\0').filter((arg) => arg.length > 0);
  const only = parts[0];
  return parts.length === 1 && only !== undefined && only.includes(' --')
    ? only.split(' ').filter((arg) => arg.length > 0)
    : parts;
}

/** The metrics kind of a Chromium process from its arguments; null for anything else. */
export function chromiumKind(argv: readonly string[]): ProcessKind | null {
  const program = argv[0];
  if (program === undefined || !/chrom/i.test(basename(program))) return null;
  const typeArgument = argv.find((arg) => arg.startsWith('--type='));
  const type = typeArgument === undefined ? 'browser' : typeArgument.slice('--type='.length);
  switch (type) {
    case 'renderer':
      return 'renderer';
    case 'gpu-process':
      return 'gpu';
    case 'utility':
      return 'utility';
    default:
      // The browser process itself, the zygotes, crashpad.
      return 'other';
  }
}

interface TableEntry {
  pid: number;
  parentPid: number;
  argv: string[];
}

async function readProcessTable(): Promise<TableEntry[]> {
  let names: string[];
  try {
    names = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const entries = await Promise.all(
    names.map(async (name): Promise<TableEntry | null> => {
      const pid = Number(name);
      try {
        const [stat, cmdline] = await Promise.all([
          readFile(`/proc/${name}/stat`, 'utf8'),
          readFile(`/proc/${name}/cmdline`, 'utf8'),
        ]);
        const parsed = parseProcStat(pid, stat);
        return parsed === null
          ? null
          : { pid, parentPid: parsed.parentPid, argv: argvFromCmdline(cmdline) };
      } catch {
        // It ended while we looked.
        return null;
      }
    }),
  );
  return entries.filter((entry): entry is TableEntry => entry !== null);
}

/** The Chromium processes below `rootPid` (browsers this process started and their children). */
export function chromiumDescendants(
  table: readonly TableEntry[],
  rootPid: number,
): { pid: number; kind: ProcessKind }[] {
  const children = new Map<number, TableEntry[]>();
  for (const entry of table) {
    const siblings = children.get(entry.parentPid) ?? [];
    siblings.push(entry);
    children.set(entry.parentPid, siblings);
  }
  const found: { pid: number; kind: ProcessKind }[] = [];
  const queue = [...(children.get(rootPid) ?? [])];
  for (let entry = queue.shift(); entry !== undefined; entry = queue.shift()) {
    const kind = chromiumKind(entry.argv);
    if (kind !== null) found.push({ pid: entry.pid, kind });
    queue.push(...(children.get(entry.pid) ?? []));
  }
  return found;
}

/** One process as Electron's app.getAppMetrics() reports it (only the fields used). */
export interface ElectronProcessMetricLike {
  pid: number;
  type: string;
  cpu: { percentCPUUsage: number };
  /** Kilobytes. */
  memory: { workingSetSize: number };
}

const electronKinds: Record<string, ProcessKind> = {
  Browser: 'main',
  Tab: 'renderer',
  GPU: 'gpu',
  Utility: 'utility',
};

/** Electron's process list in the contract's terms. */
export function appMetricsFromElectron(
  metrics: readonly ElectronProcessMetricLike[],
  cpuCores: number = availableParallelism(),
): AppMetricsInfo {
  return {
    cpuCores: Math.max(1, Math.round(cpuCores)),
    processes: metrics.map((metric) => ({
      kind: electronKinds[metric.type] ?? 'other',
      pid: metric.pid,
      cpuPercent: nonNegative(metric.cpu.percentCPUUsage),
      memoryMB: nonNegative(metric.memory.workingSetSize / 1024),
    })),
  };
}

function nonNegative(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

export interface ProcessMetricsOptions {
  /** Whose Chromium descendants count as the app's (default: this process). */
  rootPid?: number;
  /** How long a scan of /proc for Chromium processes is reused, in ms. */
  rescanIntervalMs?: number;
  /** Monotonic clock in ms (tests). */
  nowMs?: () => number;
}

export interface ProcessMetricsSampler {
  /**
   * Every known process with its CPU share since the previous sample (the first sample of a
   * process averages over its whole life so far) and its resident memory.
   */
  sample(): Promise<AppMetricsInfo>;
}

/** The headless host's metrics: this Node process plus the Chromium processes it started. */
export function createProcessMetricsSampler(
  options: ProcessMetricsOptions = {},
): ProcessMetricsSampler {
  const rootPid = options.rootPid ?? process.pid;
  const rescanIntervalMs = options.rescanIntervalMs ?? 5_000;
  const nowMs = options.nowMs ?? (() => performance.now());
  const onLinux = process.platform === 'linux';

  let previousMain: { usage: NodeJS.CpuUsage; atMs: number } | null = null;
  const previous = new Map<number, { cpuSeconds: number; startSeconds: number; atMs: number }>();
  let chromium: { pid: number; kind: ProcessKind }[] = [];
  let scannedAtMs = Number.NEGATIVE_INFINITY;

  function mainProcess(): AppMetricsInfo['processes'][number] {
    const atMs = nowMs();
    const usage = process.cpuUsage();
    let cpuPercent: number;
    if (previousMain === null) {
      const lifeMs = process.uptime() * 1000;
      cpuPercent = lifeMs > 0 ? ((usage.user + usage.system) / 1000 / lifeMs) * 100 : 0;
    } else {
      const usedMs =
        (usage.user - previousMain.usage.user + usage.system - previousMain.usage.system) / 1000;
      const elapsedMs = atMs - previousMain.atMs;
      cpuPercent = elapsedMs > 0 ? (usedMs / elapsedMs) * 100 : 0;
    }
    previousMain = { usage, atMs };
    return {
      kind: 'main',
      pid: process.pid,
      cpuPercent: nonNegative(cpuPercent),
      memoryMB: process.memoryUsage.rss() / (1024 * 1024),
    };
  }

  async function otherProcess(
    pid: number,
    kind: ProcessKind,
    uptimeSeconds: number | null,
  ): Promise<AppMetricsInfo['processes'][number] | null> {
    const atMs = nowMs();
    const [stat, rssMb] = await Promise.all([readProcStat(pid), readRssMb(pid)]);
    if (stat === null || rssMb === null) return null;
    const before = previous.get(pid);
    let cpuPercent = 0;
    // A reused pid starts at another time: treat it as new.
    if (before !== undefined && before.startSeconds === stat.startSeconds) {
      const elapsedMs = atMs - before.atMs;
      cpuPercent =
        elapsedMs > 0 ? (((stat.cpuSeconds - before.cpuSeconds) * 1000) / elapsedMs) * 100 : 0;
    } else if (uptimeSeconds !== null && uptimeSeconds > stat.startSeconds) {
      cpuPercent = (stat.cpuSeconds / (uptimeSeconds - stat.startSeconds)) * 100;
    }
    previous.set(pid, { cpuSeconds: stat.cpuSeconds, startSeconds: stat.startSeconds, atMs });
    return { kind, pid, cpuPercent: nonNegative(cpuPercent), memoryMB: rssMb };
  }

  return {
    async sample() {
      const processes = [mainProcess()];
      if (onLinux) {
        const atMs = nowMs();
        if (atMs - scannedAtMs >= rescanIntervalMs) {
          chromium = chromiumDescendants(await readProcessTable(), rootPid);
          scannedAtMs = atMs;
        }
        const uptimeSeconds = await readUptimeSeconds();
        const measured = await Promise.all(
          chromium.map(({ pid, kind }) => otherProcess(pid, kind, uptimeSeconds)),
        );
        // A process that has gone means the browser changed: look again next time.
        if (measured.some((entry) => entry === null)) scannedAtMs = Number.NEGATIVE_INFINITY;
        const alive = new Set<number>();
        for (const entry of measured) {
          if (entry === null) continue;
          processes.push(entry);
          alive.add(entry.pid);
        }
        for (const pid of previous.keys()) if (!alive.has(pid)) previous.delete(pid);
      }
      return { processes, cpuCores: Math.max(1, availableParallelism()) };
    },
  };
}
