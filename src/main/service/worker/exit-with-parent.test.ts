import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isRunning, waitUntilGone } from '../../../../testing/support/process-tree.ts';

/**
 * The render's lifeline: a process started the way render-child.ts starts a render (stdin a pipe
 * from its parent, exit-with-parent.ts loaded first) ends when its parent is killed with SIGKILL,
 * which runs no code in the parent. The "parent" here is a small Node process standing in for the
 * worker; the real worker and render are killed the same way in e2e/render-farm.spec.ts.
 */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const preload = pathToFileURL(join(import.meta.dirname, 'exit-with-parent.ts')).href;

/** The stand-in worker: starts the child with the lifeline and prints the child's pid. */
const parentScript = `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['--import', ${JSON.stringify(tsxLoader)}, '--import', ${JSON.stringify(preload)},
  '-e', 'setInterval(() => undefined, 1000); process.on("exit", () => console.error("child exit handler ran")); console.log("child ready");'],
  { stdio: ['pipe', 'inherit', 'inherit'], env: { ...process.env, RAPIDO_PARENT_PID: String(process.pid) } });
console.log('child ' + child.pid);
setInterval(() => undefined, 1000);
`;

function startParent() {
  const parent = spawn(process.execPath, ['-e', parentScript], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  parent.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // The parent's and the child's stderr are one pipe: it ends once both have exited.
  const stderrEnded = new Promise<string>((resolve) =>
    parent.stderr.once('end', () => resolve(stderr)),
  );
  // The child prints "ready" from its own code, which runs after its preloads: watching by then.
  const childPid = new Promise<number>((resolve, reject) => {
    let stdout = '';
    parent.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /child (\d+)/.exec(stdout);
      if (match && stdout.includes('child ready')) resolve(Number(match[1]));
    });
    parent.once('exit', () => reject(new Error(`the parent exited early: ${stderr}`)));
  });
  return { parent, childPid, stderrEnded };
}

describe('exit-with-parent', () => {
  it('ends the child, through its exit handlers, when the parent is killed with SIGKILL', async () => {
    const { parent, childPid, stderrEnded } = startParent();
    const pid = await childPid;
    expect(isRunning(pid)).toBe(true);
    parent.kill('SIGKILL');
    await waitUntilGone([pid], 5_000);
    const stderr = await stderrEnded;
    expect(stderr).toContain('is gone: stopping the render');
    expect(stderr).toContain('child exit handler ran');
  });

  it('ends the child through its exit handlers on SIGTERM (a cancel)', async () => {
    const { parent, childPid, stderrEnded } = startParent();
    const pid = await childPid;
    process.kill(pid, 'SIGTERM');
    await waitUntilGone([pid], 5_000);
    expect(isRunning(parent.pid ?? -1)).toBe(true);
    parent.kill('SIGKILL');
    const stderr = await stderrEnded;
    expect(stderr).toContain('asked to stop (SIGTERM)');
    expect(stderr).toContain('child exit handler ran');
  });
});
