import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { repoRoot } from './app-host.ts';

// `npm run render` as a child process, and the JSON-lines logs it leaves.
/** The `rapido` command line as the specs start it: its TypeScript entry through tsx. */
export const tsxBin = join(repoRoot, 'node_modules', '.bin', 'tsx');
export const cliPath = join(repoRoot, 'src', 'main', 'hosts', 'cli', 'rapido.ts');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `rapido-cli-${prefix}-`));
}

/**
 * Runs the CLI with its own data and log folders so nothing leaks between runs (or in the one
 * given, to share a cache). `onStdout` sees the output as it comes (e.g. to act mid-render).
 */
export async function runCli(
  args: string[],
  extraEnv: Record<string, string> = {},
  options: { dataDir?: string; onStdout?: (text: string) => void } = {},
): Promise<CliRun & { logDir: string }> {
  const dataDir = options.dataDir ?? (await tempDir('data'));
  const logDir = join(dataDir, 'logs');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RAPIDO_DATA_DIR: dataDir,
    RAPIDO_LOG_DIR: logDir,
    LOG_LEVEL: 'info',
    ...extraEnv,
  };
  const startedMs = Date.now();
  const child = spawn(tsxBin, [cliPath, ...args], { cwd: repoRoot, env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    options.onStdout?.(stdout);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => resolve(exitCode));
  });
  return { code, stdout, stderr, wallMs: Date.now() - startedMs, logDir };
}

export function describeRun(run: CliRun): string {
  return `exit ${String(run.code)} after ${run.wallMs} ms\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

const logLineSchema = z
  .object({
    timestamp: z.string(),
    level: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
    logger: z.string(),
    message: z.string(),
    lesson_id: z.string().nullable(),
    event_type: z.string().nullable(),
    event_source: z.enum(['backend', 'frontend']),
    performance_data: z
      .record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()]))
      .optional(),
  })
  .loose();
export type LogLine = z.infer<typeof logLineSchema>;

/** Every line of the main log files (`rapido_YYYY-MM-DD.jsonl`) in a log folder, in order. */
export async function readMainLog(logDir: string): Promise<LogLine[]> {
  const files = (await readdir(logDir)).filter((name) => name.startsWith('rapido_2')).sort();
  return (await Promise.all(files.map((name) => readLogLines(join(logDir, name))))).flat();
}

export async function readLogLines(file: string): Promise<LogLine[]> {
  const text = await readFile(file, 'utf8');
  const lines = text.split('\n').filter((line) => line.length > 0);
  return lines.map((line, index) => {
    const parsed = logLineSchema.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`${file}:${index + 1} is not a log line: ${line}`);
    return parsed.data;
  });
}
