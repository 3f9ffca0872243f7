import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { z } from 'zod';
import { formatError } from '../../../shared/result.ts';
import { readEnvironment } from '../../services/platform/config/environment.ts';
import { loadLesson } from '../../services/lesson/lesson-store.ts';
import { launchChromium, chromiumPath } from '../headless/chromium.ts';
import { startHeadlessHost } from '../headless/headless-host.ts';
import { argumentsOrExit, describe, fail, usage } from './cli-support.ts';

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
  process.stdout.write(`Rapido is running at ${host.server.appUrl}\n`);
  if (values.open) {
    const browser = await launchChromium({
      executablePath: chromiumPath(env.value.CHROMIUM_PATH),
      headless: false,
      appUrl: host.server.appUrl,
    });
    browser.on('disconnected', () => {
      void host.close().then(() => process.exit(0));
    });
  }
  const stop = () => {
    void host.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return new Promise<number>(() => undefined);
}
