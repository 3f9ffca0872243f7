import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import {
  appMetricsFromElectron,
  argvFromCmdline,
  chromiumDescendants,
  chromiumKind,
  createProcessMetricsSampler,
  parseProcStat,
  readProcStat,
  readRssMb,
  rssMbFromStatus,
} from './process-metrics.ts';

const onLinux = process.platform === 'linux';

/** Keeps the CPU busy for `ms` so CPU time visibly grows. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy on purpose
  }
}

describe('/proc parsing', () => {
  it('reads the parent, CPU time and start time, even when the command holds ") "', () => {
    const stat =
      '4242 (node (worker) x) S 17 4242 17 0 -1 4194560 1 0 0 0 250 50 0 0 20 0 11 0 12345 100 10 18446744073709551615';
    expect(parseProcStat(4242, stat)).toEqual({
      pid: 4242,
      parentPid: 17,
      cpuSeconds: 3,
      startSeconds: 123.45,
    });
    expect(parseProcStat(1, 'garbage')).toBeNull();
  });

  it('reads VmRSS in MiB', () => {
    expect(rssMbFromStatus('Name:\tnode\nVmRSS:\t   20480 kB\nThreads: 7\n')).toBe(20);
    expect(rssMbFromStatus('Name:\tzombie\n')).toBeNull();
  });

  it('splits the rewritten titles of zygote children', () => {
    expect(argvFromCmdline('/usr/lib/chromium/chromium --type=renderer --lang=en\0')).toEqual([
      '/usr/lib/chromium/chromium',
      '--type=renderer',
      '--lang=en',
    ]);
    expect(argvFromCmdline('node\0-e\0a b\0')).toEqual(['node', '-e', 'a b']);
  });

  it('names Chromium process kinds and ignores other programs', () => {
    expect(chromiumKind(['/usr/lib/chromium/chromium', '--headless'])).toBe('other');
    expect(chromiumKind(['/opt/chrome/chrome', '--type=renderer'])).toBe('renderer');
    expect(chromiumKind(['chromium', '--type=gpu-process'])).toBe('gpu');
    expect(chromiumKind(['chromium', '--type=utility', '--utility-sub-type=audio'])).toBe(
      'utility',
    );
    expect(chromiumKind(['/usr/bin/node', '--type=renderer'])).toBeNull();
  });

  it('finds the Chromium processes below a root only', () => {
    const table = [
      { pid: 10, parentPid: 1, argv: ['node', 'cli.ts'] },
      { pid: 11, parentPid: 10, argv: ['esbuild', '--service'] },
      { pid: 20, parentPid: 10, argv: ['/usr/lib/chromium/chromium', '--headless'] },
      { pid: 21, parentPid: 20, argv: ['/usr/lib/chromium/chromium', '--type=zygote'] },
      { pid: 22, parentPid: 21, argv: ['/usr/lib/chromium/chromium', '--type=renderer'] },
      { pid: 23, parentPid: 20, argv: ['/usr/lib/chromium/chromium', '--type=gpu-process'] },
      { pid: 40, parentPid: 1, argv: ['/usr/lib/chromium/chromium'] },
      { pid: 41, parentPid: 40, argv: ['/usr/lib/chromium/chromium', '--type=renderer'] },
    ];
    expect(chromiumDescendants(table, 10)).toEqual([
      { pid: 20, kind: 'other' },
      { pid: 21, kind: 'other' },
      { pid: 23, kind: 'gpu' },
      { pid: 22, kind: 'renderer' },
    ]);
  });
});

describe('Electron metrics', () => {
  it('maps process types, CPU and working set (KB) to the contract', () => {
    const info = appMetricsFromElectron(
      [
        {
          pid: 1,
          type: 'Browser',
          cpu: { percentCPUUsage: 12.5 },
          memory: { workingSetSize: 102400 },
        },
        { pid: 2, type: 'Tab', cpu: { percentCPUUsage: 150 }, memory: { workingSetSize: 512000 } },
        { pid: 3, type: 'GPU', cpu: { percentCPUUsage: -1 }, memory: { workingSetSize: 2048 } },
        {
          pid: 4,
          type: 'Utility',
          cpu: { percentCPUUsage: Number.NaN },
          memory: { workingSetSize: 0 },
        },
        { pid: 5, type: 'Zygote', cpu: { percentCPUUsage: 0 }, memory: { workingSetSize: 1024 } },
      ],
      8,
    );
    expect(info).toEqual({
      cpuCores: 8,
      processes: [
        { kind: 'main', pid: 1, cpuPercent: 12.5, memoryMB: 100 },
        { kind: 'renderer', pid: 2, cpuPercent: 150, memoryMB: 500 },
        { kind: 'gpu', pid: 3, cpuPercent: 0, memoryMB: 2 },
        { kind: 'utility', pid: 4, cpuPercent: 0, memoryMB: 0 },
        { kind: 'other', pid: 5, cpuPercent: 0, memoryMB: 1 },
      ],
    });
  });
});

describe.skipIf(!onLinux)('reading this process from /proc', () => {
  it('agrees with what Node says about itself', async () => {
    const before = await readProcStat(process.pid);
    spin(300);
    const after = await readProcStat(process.pid);
    if (before === null || after === null) throw new Error('could not read /proc/self');
    expect(after.parentPid).toBe(process.ppid);
    // 300 ms of spinning is at least 0.2 s of CPU even on a loaded machine.
    expect(after.cpuSeconds - before.cpuSeconds).toBeGreaterThanOrEqual(0.2);
    expect(after.startSeconds).toBe(before.startSeconds);
    const rssMb = await readRssMb(process.pid);
    const nodeRssMb = process.memoryUsage.rss() / (1024 * 1024);
    expect(rssMb).not.toBeNull();
    expect(Math.abs((rssMb ?? 0) - nodeRssMb)).toBeLessThan(nodeRssMb * 0.2);
  });

  it('a process that does not exist reads as null', async () => {
    expect(await readProcStat(2 ** 30)).toBeNull();
    expect(await readRssMb(2 ** 30)).toBeNull();
  });
});

describe.skipIf(!onLinux)('the headless sampler', () => {
  let child: ChildProcess | null = null;
  afterEach(() => {
    child?.kill();
    child = null;
  });

  it('measures the main process and a Chromium renderer it started, CPU as a delta', async () => {
    // A stand-in renderer: Node under a Chromium-looking argv, spinning until killed.
    child = spawn(process.execPath, ['-e', 'for (;;) {}', '--', '--type=renderer'], {
      argv0: '/usr/lib/chromium/chromium',
      stdio: 'ignore',
    });
    const childPid = child.pid;
    if (childPid === undefined) throw new Error('could not start the stand-in renderer');
    const sampler = createProcessMetricsSampler({ rescanIntervalMs: 0 });
    await expect
      .poll(async () => (await sampler.sample()).processes.some((p) => p.pid === childPid))
      .toBe(true);
    spin(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sample = await sampler.sample();
    const main = sample.processes.find((p) => p.kind === 'main');
    const renderer = sample.processes.find((p) => p.pid === childPid);
    expect(main?.pid).toBe(process.pid);
    expect(main?.memoryMB).toBeGreaterThan(10);
    expect(renderer?.kind).toBe('renderer');
    // The stand-in spins one core flat out; allow for a busy test machine.
    expect(renderer?.cpuPercent).toBeGreaterThan(10);
    expect(renderer?.cpuPercent).toBeLessThan(150);
    expect(renderer?.memoryMB).toBeGreaterThan(1);
    expect(sample.cpuCores).toBeGreaterThanOrEqual(1);

    child.kill();
    const gone = childPid;
    await expect
      .poll(async () => (await sampler.sample()).processes.some((p) => p.pid === gone))
      .toBe(false);
  });
});
