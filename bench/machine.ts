import { execFile } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { promisify } from 'node:util';
import { chromiumExecutablePath } from '../testing/support/harness-chromium.ts';

const run = promisify(execFile);

/** What the figures were measured on: without it a number cannot be compared with another. */
export interface MachineInfo {
  readonly cpuCount: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  /** 1-minute load average when the bench started: another job on the machine shows here. */
  readonly loadAverageAtStart: number;
  readonly platform: string;
  readonly nodeVersion: string;
  readonly chromium: string;
  readonly date: string;
}

export async function machineInfo(): Promise<MachineInfo> {
  const processors = cpus();
  let chromium = `unknown (${chromiumExecutablePath})`;
  try {
    chromium = (await run(chromiumExecutablePath, ['--version'])).stdout.trim();
  } catch {
    // Reported as unknown; the sections that need Chromium say why they could not run.
  }
  return {
    cpuCount: processors.length,
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    platform: `${process.platform} ${process.arch}`,
    nodeVersion: process.version,
    chromium,
    date: new Date().toISOString(),
  };
}
