import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { z } from 'zod';
import { formatError } from '../../../shared/result.ts';
import { readEnvironment } from '../../services/platform/config/environment.ts';
import { loadLesson } from '../../services/lesson/lesson-store.ts';
import { chromiumPath, openChromiumApp } from '../headless/chromium.ts';
import { startHeadlessHost } from '../headless/headless-host.ts';
import { argumentsOrExit, describe, fail, usage } from './cli-support.ts';

/**
 * The one-time link for a browser. The link's nonce is burned when a page uses it, so what this
 * terminal (or its scrollback, or a screen share) shows is worthless afterwards; the session
 * token the page gets for it is never printed.
 */
function printLink(server: { appUrl: string }): void {
  process.stdout.write(
    `Open Rapido at ${server.appUrl}\n(this link works once; press Enter for a new one)\n`,
  );
}

/** `rapido serve [lessonDir]`: the app for a browser over the headless host (`npm run headless`). */
export async function serve(argv: string[]): Promise<number> {
  const { values, positionals } = argumentsOrExit(() =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        open: { type: 'boolean' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const env = readEnvironment();
  if (!env.ok) fail(2, env.message);
  const lessonDir = positionals[0] === undefined ? null : resolve(positionals[0]);
  if (lessonDir !== null) {
    const lesson = await loadLesson(lessonDir);
    if (!lesson.ok) fail(2, formatError(lesson.error));
    if (values.check) {
      process.stdout.write(
        `${lessonDir}: valid lesson "${lesson.value.lesson.title}" (${lesson.value.lesson.slides.length} slides)\n`,
      );
      return 0;
    }
  } else if (values.check) {
    fail(2, `--check needs a <lessonDir>\n${usage}`);
  }
  const parsedPort = z.coerce.number().int().min(0).max(65535).optional().safeParse(values.port);
  if (!parsedPort.success) fail(2, `--port must be a port number (0-65535)\n${usage}`);
  const port = parsedPort.data;
  // A missing renderer build or a taken port is the environment's fault: say so, no stack.
  const host = await startHeadlessHost({
    environment: env.value,
    mode: 'interactive',
    lessonDir,
    consoleLog: true,
    ...(port === undefined ? {} : { port }),
  }).catch((error: unknown) => fail(2, describe(error)));
  const warn = (message: string) =>
    host.logger.warn(message, { event_type: 'chromium_unsandboxed' });
  if (values.open) {
    // The link goes to the window through Playwright's pipe: never on a command line or here.
    process.stdout.write(`Rapido is running at ${host.server.origin} (opening a window)\n`);
    const window = await openChromiumApp({
      executablePath: chromiumPath(env.value.CHROMIUM_PATH),
      url: host.server.appUrl,
      warn,
    });
    window.on('close', () => {
      void host.close().then(() => process.exit(0));
    });
  } else {
    printLink(host.server);
    // A link works once: Enter prints a fresh one (for another browser, or after closing the tab).
    if (process.stdin.isTTY) process.stdin.on('data', () => printLink(host.server));
  }
  const stop = () => {
    void host.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return new Promise<number>(() => undefined);
}
