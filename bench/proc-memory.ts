import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';

/**
 * Resident memory of the app's processes, read from /proc (Linux): the main process (the Node
 * process running the CLI or host) and, separately, Chromium's renderer processes, told apart by
 * `--type=renderer` among the descendants of the browser process. Sampled on a timer so a peak
 * between two log lines is still seen.
 */
export interface ProcessInfo {
  readonly pid: number;
  readonly parentPid: number;
  readonly argv: readonly string[];
  /** CPU time used so far (user + system), in seconds. */
  readonly cpuSeconds: number;
}

export interface TreeRoles {
  readonly mainPid: number | null;
  readonly browserPids: readonly number[];
  readonly rendererPids: readonly number[];
  readonly gpuPids: readonly number[];
}

export interface MemorySample {
  /** Since the sampler started. */
  readonly atMs: number;
  readonly mainMb: number | null;
  /**
   * The largest renderer process: the page's. Chromium also keeps a small renderer for its own
   * UI and may start a spare one; those are in allRenderersMb.
   */
  readonly rendererMb: number | null;
  readonly allRenderersMb: number | null;
  readonly renderers: number;
  readonly browserMb: number | null;
  readonly gpuMb: number | null;
}

/** Every process's parent and command line. A process that ends while being read is left out. */
export async function readProcessTable(): Promise<Map<number, ProcessInfo>> {
  const table = new Map<number, ProcessInfo>();
  const names = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  await Promise.all(
    names.map(async (name) => {
      try {
        const [stat, cmdline] = await Promise.all([
          readFile(`/proc/${name}/stat`, 'utf8'),
          readFile(`/proc/${name}/cmdline`, 'utf8'),
        ]);
        const pid = Number(name);
        table.set(pid, {
          pid,
          parentPid: parentPidFromStat(stat),
          argv: argvFromCmdline(cmdline),
          cpuSeconds: cpuSecondsFromStat(stat),
        });
      } catch {
        // It ended while we looked.
      }
    }),
  );
  return table;
}

/**
 * The arguments in /proc/<pid>/cmdline. Chromium's zygote children (renderers, the GPU process)
 * rewrite their title as one space-separated string, so a single argument is split on spaces.
 */
export function argvFromCmdline(cmdline: string): string[] {
  const parts = cmdline.split('\0').filter((arg) => arg.length > 0);
  const only = parts[0];
  return parts.length === 1 && only !== undefined && only.includes(' --')
    ? only.split(' ').filter((arg) => arg.length > 0)
    : parts;
}

/** The fields of /proc/<pid>/stat after the command, which may hold spaces and ")". */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The parent pid from /proc/<pid>/stat. */
export function parentPidFromStat(stat: string): number {
  return Number(statFields(stat)[1]);
}

/** utime + stime from /proc/<pid>/stat, in seconds (USER_HZ is 100 on Linux). */
export function cpuSecondsFromStat(stat: string): number {
  const fields = statFields(stat);
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** VmRSS from /proc/<pid>/status, in MB (MiB); null when the process is gone or has none. */
export function rssMbFromStatus(status: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match?.[1] === undefined ? null : Number(match[1]) / 1024;
}

export async function rssMb(pid: number): Promise<number | null> {
  try {
    return rssMbFromStatus(await readFile(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

/** Every process below `rootPid` (not the root itself). */
export function descendantsOf(table: ReadonlyMap<number, ProcessInfo>, rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const info of table.values()) {
    const siblings = children.get(info.parentPid) ?? [];
    siblings.push(info.pid);
    children.set(info.parentPid, siblings);
  }
  const found: number[] = [];
  const queue = [...(children.get(rootPid) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

function chromiumType(argv: readonly string[]): string | null {
  const program = argv[0];
  if (program === undefined || !/chrom/i.test(basename(program))) return null;
  const type = argv.find((arg) => arg.startsWith('--type='));
  return type === undefined ? 'browser' : type.slice('--type='.length);
}

/**
 * Finds the roles below `rootPid`. The main process is `main.pid` when given, else the deepest
 * descendant whose command line has an argument ending in `main.argvEndsWith` (tsx starts the
 * CLI as a child of its own launcher, and both carry the script's path).
 */
export function findRoles(
  table: ReadonlyMap<number, ProcessInfo>,
  rootPid: number,
  main: { readonly pid: number } | { readonly argvEndsWith: string },
): TreeRoles {
  const below = descendantsOf(table, rootPid);
  const browserPids = below.filter((pid) => chromiumType(table.get(pid)?.argv ?? []) === 'browser');
  const ofType = (type: string): number[] =>
    browserPids.flatMap((browser) =>
      descendantsOf(table, browser).filter(
        (pid) => chromiumType(table.get(pid)?.argv ?? []) === type,
      ),
    );
  // descendantsOf lists breadth first: the last candidate is the deepest.
  const mainPid =
    'pid' in main
      ? main.pid
      : (below
          .filter((pid) =>
            (table.get(pid)?.argv ?? []).some((arg) => arg.endsWith(main.argvEndsWith)),
          )
          .at(-1) ?? null);
  return {
    mainPid,
    browserPids,
    rendererPids: ofType('renderer'),
    gpuPids: ofType('gpu-process'),
  };
}

async function rssValues(pids: readonly number[]): Promise<number[]> {
  return (await Promise.all(pids.map(rssMb))).filter((value): value is number => value !== null);
}

function sumOrNull(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0);
}

export interface MemorySampler {
  /** Stops sampling and returns every sample taken. */
  stop(): Promise<MemorySample[]>;
}

/** One sample of the tree below `rootPid`. */
export async function sampleTree(
  rootPid: number,
  main: { readonly pid: number } | { readonly argvEndsWith: string },
  atMs: number,
): Promise<MemorySample> {
  const roles = findRoles(await readProcessTable(), rootPid, main);
  const [mainMb, renderers, browsers, gpus] = await Promise.all([
    roles.mainPid === null ? null : rssMb(roles.mainPid),
    rssValues(roles.rendererPids),
    rssValues(roles.browserPids),
    rssValues(roles.gpuPids),
  ]);
  return {
    atMs,
    mainMb,
    rendererMb: renderers.length === 0 ? null : Math.max(...renderers),
    allRenderersMb: sumOrNull(renderers),
    renderers: renderers.length,
    browserMb: sumOrNull(browsers),
    gpuMb: sumOrNull(gpus),
  };
}

/** Samples the tree below `rootPid` every `intervalMs` until stopped. */
export function startMemorySampler(options: {
  readonly rootPid: number;
  readonly main: { readonly pid: number } | { readonly argvEndsWith: string };
  readonly intervalMs: number;
}): MemorySampler {
  const samples: MemorySample[] = [];
  const startedMs = performance.now();
  const state = { stopped: false, wake: (): void => undefined };
  const loop = (async () => {
    while (!state.stopped) {
      const atMs = performance.now() - startedMs;
      samples.push(await sampleTree(options.rootPid, options.main, atMs));
      const nextMs = atMs + options.intervalMs - (performance.now() - startedMs);
      // The timer paces the sampling; stop() cuts the wait short.
      await new Promise<void>((resolve) => {
        state.wake = resolve;
        setTimeout(resolve, Math.max(0, nextMs));
      });
    }
  })();
  return {
    async stop() {
      state.stopped = true;
      state.wake();
      await loop;
      return samples;
    },
  };
}

/** The highest value of a field over the samples, or null when no sample had it. */
export function peakOf(
  samples: readonly MemorySample[],
  field: 'mainMb' | 'rendererMb' | 'allRenderersMb' | 'browserMb' | 'gpuMb',
): number | null {
  const values = samples
    .map((sample) => sample[field])
    .filter((value): value is number => value !== null);
  return values.length === 0 ? null : Math.max(...values);
}
