import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import type { RenderProgress } from '../../../shared/ipc/contract.ts';
import { formatError } from '../../../shared/result.ts';
import { readEnvironment } from '../../services/platform/config/environment.ts';
import { loadLesson } from '../../services/lesson/lesson-store.ts';
import { launchChromium, chromiumPath } from '../headless/chromium.ts';
import { startHeadlessHost } from '../headless/headless-host.ts';
import { argumentsOrExit, cliSettings, describe, fail, usage } from './cli-support.ts';
import { renderProgressReporter } from './render-progress.ts';
import {
  parallelOption,
  parallelProblem,
  renderParallelCommand,
} from './render-parallel-command.ts';

/**
 * `rapido render <lessonDir> --out talk.mp4`: renders a lesson through the same services and
 * renderer as the desktop app, in system Chromium, with no display. Exit codes: 0 written,
 * 1 failed while rendering, 2 bad input (arguments, lesson, environment).
 */
const renderArgsSchema = z.object({
  lessonDir: z.string({ error: 'missing <lessonDir>' }).min(1),
  out: z.string({ error: 'missing --out <file.mp4>' }).regex(/\.mp4$/i, '--out must end in .mp4'),
  live: z.boolean(),
  realtime: z.boolean(),
  preRoll: z.boolean(),
  room: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/, '--room: use letters, digits, ".", "_" and "-" only')
    .optional(),
  parallel: parallelOption,
});

export async function render(argv: string[]): Promise<number> {
  const { values, positionals } = argumentsOrExit(() =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        live: { type: 'boolean' },
        realtime: { type: 'boolean' },
        'no-pre-roll': { type: 'boolean' },
        room: { type: 'string' },
        parallel: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const parsed = renderArgsSchema.safeParse({
    lessonDir: positionals[0],
    out: values.out,
    live: values.live ?? false,
    realtime: values.realtime ?? false,
    preRoll: !(values['no-pre-roll'] ?? false),
    room: values.room,
    parallel: values.parallel,
  });
  if (!parsed.success) fail(2, `${parsed.error.issues.map((i) => i.message).join('; ')}\n${usage}`);
  if (parsed.data.room !== undefined && !parsed.data.live) fail(2, `--room needs --live\n${usage}`);
  const parallelConflict = parallelProblem(values.parallel, parsed.data);
  if (parallelConflict) fail(2, `${parallelConflict}\n${usage}`);
  const env = readEnvironment();
  if (!env.ok) fail(2, env.message);
  if (parsed.data.live) {
    const missing = ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'].filter(
      (name) => !process.env[name],
    );
    if (missing.length > 0) {
      fail(
        2,
        `--live needs ${missing.join(', ')} (the LiveKit server and the key to mint tokens with)`,
      );
    }
  }

  // Refuse a bad lesson before starting a browser: the error names the field and line.
  const lesson = await loadLesson(resolve(parsed.data.lessonDir));
  if (!lesson.ok) fail(2, formatError(lesson.error));
  const outPath = resolve(parsed.data.out);
  const outDir = await stat(resolve(outPath, '..')).catch(() => null);
  if (!outDir?.isDirectory()) fail(2, `the folder for ${outPath} does not exist`);
  if (parsed.data.parallel > 1) {
    return renderParallelCommand({ env: env.value, lesson: lesson.value, outPath, ...parsed.data });
  }

  process.stdout.write(
    `Rendering "${lesson.value.lesson.title}" (${lesson.value.lesson.slides.length} slides, ` +
      `${lesson.value.lesson.output.width}x${lesson.value.lesson.output.height} @ ${lesson.value.lesson.output.fps} fps) to ${outPath}\n`,
  );

  let settle: (progress: RenderProgress) => void = () => undefined;
  const finished = new Promise<RenderProgress>((resolveFinished) => {
    settle = resolveFinished;
  });
  const progress = renderProgressReporter();
  const host = await startHeadlessHost({
    environment: env.value,
    mode: 'render',
    lessonDir: lesson.value.dir,
    outPath,
    live: parsed.data.live ? { room: parsed.data.room ?? null } : null,
    // A live stream is real time by nature.
    realtime: parsed.data.realtime || parsed.data.live,
    preRoll: parsed.data.preRoll,
    consoleLog: cliSettings.verbose,
    onRenderProgress(report) {
      progress.report(report);
      if (report.phase === 'done' || report.phase === 'failed') settle(report);
    },
  }).catch((error: unknown) => fail(2, describe(error)));
  const browser = await launchChromium({
    executablePath: chromiumPath(env.value.CHROMIUM_PATH),
    headless: true,
    warn: (message) => host.logger.warn(message, { event_type: 'chromium_unsandboxed' }),
  }).catch(async (error: unknown) => {
    await host.close();
    fail(2, describe(error));
  });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) =>
      host.logger.error('renderer page error', { event_type: 'renderer_error', error }),
    );
    page.on('crash', () =>
      settle({
        phase: 'failed',
        fraction: 0,
        programMs: 0,
        totalMs: null,
        slideIndex: null,
        message: 'the renderer crashed',
      }),
    );
    page.on('console', (message) => {
      if (message.type() === 'error')
        host.logger.warn(`renderer console: ${message.text()}`, { event_type: 'renderer_console' });
    });
    await page.goto(host.server.appUrl);
    const outcome = await finished;
    progress.stop();
    if (outcome.phase === 'failed') {
      process.stderr.write(`rapido: rendering failed: ${outcome.message ?? 'unknown error'}\n`);
      return 1;
    }
    process.stdout.write(`Wrote ${outcome.outPath ?? outPath}\n`);
    return 0;
  } finally {
    progress.stop();
    await browser.close();
    await host.close();
  }
}
