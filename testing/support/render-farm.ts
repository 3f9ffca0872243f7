import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { RenderJobData, RenderJobView } from '../../src/main/service/jobs/render-job.ts';
import type { RenderQueue } from '../../src/main/service/jobs/render-queue.ts';
import { repoRoot, sampleLessonAt } from './app-host.ts';
import { isRunning } from './process-tree.ts';
import { cliPath, tsxBin } from './render-cli.ts';

/**
 * `rapido worker` as a farm runs it: a child process started through tsx like the other CLI specs
 * (testing/support/render-cli.ts), judged by what it prints and what lands in the data folder.
 */

export interface WorkerProcess {
  readonly name: string;
  /** The worker's own process id (tsx runs it in a child of the command it was started as). */
  readonly pid: number;
  output(): string;
  /** The pids of the renders it started ("render pid N" lines). */
  renderPids(): number[];
  /** SIGTERM (finish current renders), wait; SIGKILL after `graceMs`. Resolves the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /** Resolves when the started command has exited. */
  readonly exited: Promise<number | null>;
}

export async function startWorker(options: {
  redisUrl: string;
  dataDir: string;
  name: string;
  concurrency?: number;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}): Promise<WorkerProcess> {
  const child = spawn(
    tsxBin,
    [cliPath, 'worker', '--concurrency', String(options.concurrency ?? 1), '--name', options.name],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        RAPIDO_REDIS_URL: options.redisUrl,
        RAPIDO_DATA_DIR: options.dataDir,
        RAPIDO_LOG_DIR: join(options.dataDir, 'logs'),
        LOG_LEVEL: 'info',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const append = (chunk: string): void => {
    output += chunk;
  };
  child.stdout.setEncoding('utf8').on('data', append);
  child.stderr.setEncoding('utf8').on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let pid: number | null = null;
  while (pid === null) {
    const match = /Worker \S+ \(pid (\d+)\) taking render jobs/.exec(output);
    if (match) pid = Number(match[1]);
    else if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`worker ${options.name} exited before it was ready:\n${output}`);
    } else if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker ${options.name} was not ready in time:\n${output}`);
    } else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const workerPid = pid;
  return {
    name: options.name,
    pid: workerPid,
    output: () => output,
    renderPids: () => [...output.matchAll(/render pid (\d+)/g)].map((m) => Number(m[1])),
    exited,
    async stop(graceMs = 60_000) {
      if (isRunning(workerPid)) process.kill(workerPid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (isRunning(workerPid)) process.kill(workerPid, 'SIGKILL');
      }, graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * The sample lesson cut to `slides` slides at 320x180, each narrating its first sentence only
 * (a few seconds) unless `fullNarration` (about 15 s a slide: long enough to act mid-render).
 */
export async function tinyLesson(slides: number, fullNarration = false) {
  return sampleLessonAt(320, 180, (lesson) => ({
    ...lesson,
    slides: lesson.slides.slice(0, slides).map((slide) => ({
      ...slide,
      narration: fullNarration
        ? slide.narration
        : (slide.narration.split(/(?<=[.!?])\s/)[0] ?? slide.narration),
    })),
  }));
}

export function jobFor(lessonId: string, lessonDir: string): RenderJobData {
  return {
    lessonId,
    lessonDir,
    source: 'folder',
    options: { mode: 'export', parallel: 1 },
    submittedBy: 'render-farm-spec',
    submittedAtMs: Date.now(),
  };
}

/** Polls the queue's view of a job until `ok` holds, or throws with the last view. */
export async function waitForJob(
  queue: RenderQueue,
  jobId: string,
  ok: (view: RenderJobView) => boolean,
  timeoutMs: number,
  what: string,
): Promise<RenderJobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await queue.get(jobId);
    if (view !== null && ok(view)) return view;
    if (Date.now() > deadline) {
      throw new Error(`job ${jobId}: no ${what} within ${timeoutMs} ms: ${JSON.stringify(view)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
