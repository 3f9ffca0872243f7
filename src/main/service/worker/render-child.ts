import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Readable } from 'node:stream';
import type { RenderJobOptions } from '../jobs/render-job.ts';
import { progressFdVariable, progressPipeReader, type ProgressPipeLine } from './progress-pipe.ts';

/**
 * One render of a farm job: `rapido render <lessonDir> --out <work>/lesson.mp4` as a child
 * process, through the very entry bin/rapido.mjs and the npm scripts run (src/main/hosts/cli/
 * rapido.ts under tsx), so a worker renders exactly as the command line does. Run with
 * `node --import tsx` rather than the tsx command, which would put a second process between the
 * worker and the render (one a SIGKILL of the worker would orphan). exit-with-parent.ts, loaded
 * first, ends the render when the worker dies.
 */
const srcMain = join(import.meta.dirname, '..', '..');
const rapidoEntry = join(srcMain, 'hosts', 'cli', 'rapido.ts');
const exitWithParent = pathToFileURL(join(import.meta.dirname, 'exit-with-parent.ts')).href;
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** How long a render gets to stop on SIGTERM (browser closed) before SIGKILL. */
const stopGraceMs = 10_000;
/** The end of its stderr kept for the job's failure message. */
const stderrTailChars = 2_000;

/** The `rapido render` arguments for a job's options (`--parallel` is H3's render option). */
export function renderArguments(
  lessonDir: string,
  outPath: string,
  options: RenderJobOptions,
): string[] {
  const args = ['render', lessonDir, '--out', outPath];
  if (options.mode === 'realtime') args.push('--realtime');
  if (options.mode === 'live') {
    args.push('--live');
    if (options.room !== undefined) args.push('--room', options.room);
  }
  if (options.parallel > 1) args.push('--parallel', String(options.parallel));
  return args;
}

export interface RenderChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether it ended because `stop` was called. */
  stopped: boolean;
  stdoutTail: string;
  stderrTail: string;
}

export interface RenderChild {
  pid: number | undefined;
  done: Promise<RenderChildResult>;
  /** SIGTERM, then SIGKILL after the grace period; resolves once it has exited. */
  stop(): Promise<RenderChildResult>;
}

function tailOf(text: string, chunk: string): string {
  const joined = text + chunk;
  return joined.length > stderrTailChars ? joined.slice(-stderrTailChars) : joined;
}

export function startRenderChild(request: {
  lessonDir: string;
  outPath: string;
  options: RenderJobOptions;
  env: NodeJS.ProcessEnv;
  onProgress: (line: ProgressPipeLine) => void;
  onOutput?: (text: string) => void;
}): RenderChild {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      tsxLoader,
      '--import',
      exitWithParent,
      rapidoEntry,
      ...renderArguments(request.lessonDir, request.outPath, request.options),
    ],
    {
      // stdin: the worker's end is the child's lifeline (exit-with-parent.ts); fd 3: progress.
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      env: {
        ...request.env,
        [progressFdVariable]: '3',
        RAPIDO_PARENT_PID: String(process.pid),
      },
    },
  );
  let stdoutTail = '';
  let stderrTail = '';
  let stopped = false;
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdoutTail = tailOf(stdoutTail, chunk);
    request.onOutput?.(chunk);
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = tailOf(stderrTail, chunk);
    request.onOutput?.(chunk);
  });
  const reader = progressPipeReader(request.onProgress);
  const progressStream = child.stdio[3] as Readable | null;
  progressStream?.setEncoding('utf8').on('data', (chunk: string) => reader.push(chunk));
  // Nothing is ever written to the lifeline; an EPIPE once the child is gone is expected.
  child.stdin?.on('error', () => undefined);

  const done = new Promise<RenderChildResult>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void =>
      resolve({ code, signal, stopped, stdoutTail, stderrTail });
    child.once('error', (error) => {
      stderrTail = tailOf(stderrTail, `could not start the render: ${error.message}`);
      finish(null, null);
    });
    child.once('close', finish);
  });

  return {
    pid: child.pid,
    done,
    async stop() {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
        await done;
        clearTimeout(timer);
      }
      return done;
    },
  };
}
