import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  argvFromCmdline,
  descendantsOf,
  findRoles,
  cpuSecondsFromStat,
  parentPidFromStat,
  peakOf,
  readProcessTable,
  rssMbFromStatus,
  sampleTree,
  type MemorySample,
  type ProcessInfo,
} from './proc-memory.ts';

function table(entries: [number, number, string][]): Map<number, ProcessInfo> {
  return new Map(
    entries.map(([pid, parentPid, command]) => [
      pid,
      { pid, parentPid, argv: command.split(' '), cpuSeconds: 0 },
    ]),
  );
}

// bench (10) -> tsx launcher (11) -> CLI node (12) -> chromium browser (20) -> its children;
// another browser (40) elsewhere on the machine must not count.
const renderTree = table([
  [10, 1, 'node bench/run.ts'],
  [11, 10, 'node node_modules/.bin/tsx /repo/src/main/hosts/headless/cli.ts render'],
  [12, 11, '/usr/bin/node --import loader.mjs /repo/src/main/hosts/headless/cli.ts render'],
  [13, 12, '/repo/node_modules/@esbuild/linux-x64/bin/esbuild --service=0.28.2'],
  [20, 12, '/usr/lib/chromium/chromium --headless --no-sandbox'],
  [21, 20, '/usr/lib/chromium/chromium --type=zygote'],
  [22, 21, '/usr/lib/chromium/chromium --type=renderer --lang=en-US'],
  [23, 20, '/usr/lib/chromium/chromium --type=gpu-process --use-angle=swiftshader'],
  [24, 21, '/usr/lib/chromium/chromium --type=renderer --extension-process'],
  [40, 1, '/usr/lib/chromium/chromium --headless'],
  [41, 40, '/usr/lib/chromium/chromium --type=renderer'],
]);

describe('process tree', () => {
  it('lists every descendant, not the root', () => {
    expect(descendantsOf(renderTree, 12).sort((a, b) => a - b)).toEqual([13, 20, 21, 22, 23, 24]);
    expect(descendantsOf(renderTree, 99)).toEqual([]);
  });

  it('finds the CLI process (not tsx launcher), the browser and its renderers', () => {
    expect(findRoles(renderTree, 10, { argvEndsWith: 'cli.ts' })).toEqual({
      mainPid: 12,
      browserPids: [20],
      rendererPids: [22, 24],
      gpuPids: [23],
    });
  });

  it('takes the main pid as given', () => {
    expect(findRoles(renderTree, 12, { pid: 12 }).mainPid).toBe(12);
    expect(findRoles(renderTree, 13, { argvEndsWith: 'cli.ts' })).toEqual({
      mainPid: null,
      browserPids: [],
      rendererPids: [],
      gpuPids: [],
    });
  });
});

describe('/proc parsing', () => {
  it('splits a command line on NULs, and a rewritten Chromium title on spaces', () => {
    expect(argvFromCmdline('node\0--import\0a b.mjs\0cli.ts\0')).toEqual([
      'node',
      '--import',
      'a b.mjs',
      'cli.ts',
    ]);
    expect(argvFromCmdline('/usr/lib/chromium/chromium --type=renderer --lang=en-US\0\0')).toEqual([
      '/usr/lib/chromium/chromium',
      '--type=renderer',
      '--lang=en-US',
    ]);
    expect(argvFromCmdline('/usr/bin/sleep\0')).toEqual(['/usr/bin/sleep']);
  });

  it('reads the parent pid after the last ")" of the command', () => {
    expect(parentPidFromStat('4242 (we (ird) name) S 4000 4242 4242 0 -1')).toBe(4000);
  });

  it('reads CPU seconds (utime + stime) from stat', () => {
    const stat = '4242 (a b) S 4000 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0';
    expect(cpuSecondsFromStat(stat)).toBe(3.25);
  });

  it('reads VmRSS in MB', () => {
    expect(rssMbFromStatus('Name:\tnode\nVmRSS:\t  204800 kB\nVmSwap:\t0 kB\n')).toBe(200);
    expect(rssMbFromStatus('Name:\tkthreadd\n')).toBeNull();
  });

  it('peak is the largest sample that has the field', () => {
    const sample = (mainMb: number | null): MemorySample => ({
      atMs: 0,
      mainMb,
      rendererMb: null,
      allRenderersMb: null,
      renderers: 0,
      browserMb: null,
      gpuMb: null,
    });
    expect(peakOf([sample(10), sample(null), sample(30), sample(20)], 'mainMb')).toBe(30);
    expect(peakOf([sample(null)], 'mainMb')).toBeNull();
    expect(peakOf([sample(1)], 'rendererMb')).toBeNull();
  });
});

describe.skipIf(process.platform !== 'linux')('on this machine', () => {
  it('sees a child process and its memory', async () => {
    // A child that holds ~64 MB until told to exit on stdin.
    const child = spawn(
      process.execPath,
      [
        '-e',
        'globalThis.b = Buffer.alloc(64 * 2 ** 20, 1); process.stdin.on("data", () => process.exit(0)); console.log("ready")',
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const pid = child.pid ?? -1;
      const processes = await readProcessTable();
      expect(processes.get(pid)?.parentPid).toBe(process.pid);
      expect(descendantsOf(processes, process.pid)).toContain(pid);
      const sample = await sampleTree(process.pid, { pid }, 0);
      expect(sample.mainMb).toBeGreaterThan(64);
      expect(sample.rendererMb).toBeNull();
    } finally {
      child.stdin.write('bye\n');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
