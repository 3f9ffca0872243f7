/**
 * Loaded with `node --import` ahead of the `rapido` entry when a farm worker runs a render
 * (render-child.ts): the render must not outlive its worker. A worker killed with SIGKILL runs no
 * code, so the child watches for it itself, two ways:
 * - its stdin is a pipe whose only writer is the worker: the kernel closes it when the worker
 *   dies, however it dies, and the read end sees end-of-file at once;
 * - its parent process id changes (re-parented to init or a subreaper), checked every second, in
 *   case something else holds the pipe open.
 * Either way, and on SIGTERM (the worker's cancel), it exits through process.exit, so the 'exit'
 * handlers run: Playwright's kills the headless Chromium it launched (a process group of its own
 * that would otherwise live on). The part files left behind are removed by the next worker that
 * takes the job (job-files.ts: the writer's pid is dead).
 */
const parentPid = Number(process.env.RAPIDO_PARENT_PID ?? Number.NaN);

if (Number.isInteger(parentPid) && parentPid > 1) {
  const leave = (why: string, code: number): void => {
    process.stderr.write(`rapido: ${why}: stopping the render\n`);
    process.exit(code);
  };
  if (process.ppid !== parentPid) leave(`the worker (pid ${parentPid}) is gone`, 129);
  process.stdin.on('end', () => leave(`the worker (pid ${parentPid}) is gone`, 129));
  process.stdin.on('error', () => leave(`the worker (pid ${parentPid}) is gone`, 129));
  process.stdin.resume();
  setInterval(() => {
    if (process.ppid !== parentPid) leave(`the worker (pid ${parentPid}) is gone`, 129);
  }, 1_000).unref();
  process.on('SIGTERM', () => leave('asked to stop (SIGTERM)', 143));
}
