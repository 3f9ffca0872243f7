import { stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { ImportJobInfo, ImportJobProgress } from '../../../shared/ipc/contract.ts';
import { formatError } from '../../../shared/result.ts';
import { importImageFolder } from '../../services/lesson/import-image-folder.ts';
import { lessonFileName } from '../../services/lesson/lesson-store.ts';
import { readEnvironment, type Environment } from '../../services/platform/config/environment.ts';
import { chromiumPath, launchChromium } from '../headless/chromium.ts';
import { startHeadlessHost } from '../headless/headless-host.ts';
import { argumentsOrExit, cliSettings, describe, fail, usage } from './cli-support.ts';
import { createProgressDisplay } from './progress-display.ts';

/**
 * `rapido import <source> --out <lessonDir>`: a PDF, a PowerPoint deck (through LibreOffice), a
 * folder of slide images with a narration script, or the predecessor's slide data (either form)
 * into a new lesson folder. Image folders are imported here in main; the others by the same
 * renderer code as the import dialog (pdf.js, the slide drawing), in system Chromium with no
 * display (launch mode 'import'). Exit codes: 0 imported, 1 failed while importing, 2 bad input
 * (arguments, source, an existing lesson at --out, a missing LibreOffice or Chromium); on bad
 * input nothing is written.
 */
export type ImportSourceKind = 'pdf' | 'pptx' | 'images' | 'predecessor';

const sizeSchema = z
  .string()
  .regex(/^\d{2,4}x\d{2,4}$/, '--size must be WIDTHxHEIGHT, e.g. 1280x720')
  .transform((text) => {
    const [width = 0, height = 0] = text.split('x').map(Number);
    return { width, height };
  })
  .refine(
    (size) => size.width >= 16 && size.height >= 16 && size.width <= 7680 && size.height <= 4320,
    {
      message: '--size must be between 16x16 and 7680x4320',
    },
  );

/** The fps every import writes (as the import dialog). */
const importFps = 25;

export interface ImportRequest {
  source: string;
  out: string;
  title: string | null;
  size: { width: number; height: number };
  script: string | null;
  images: string | null;
  keepRecordedNarration: boolean;
}

/** What a source is, by what it is on disk: a folder of images, or a file by its extension. */
export async function sourceKind(
  source: string,
): Promise<{ kind: ImportSourceKind } | { problem: string }> {
  const info = await stat(source).catch(() => null);
  if (!info) return { problem: `${source} does not exist` };
  if (info.isDirectory()) return { kind: 'images' };
  switch (extname(source).toLowerCase()) {
    case '.pdf':
      return { kind: 'pdf' };
    case '.pptx':
      return { kind: 'pptx' };
    case '.json':
      return { kind: 'predecessor' };
    default:
      return {
        problem: `${source}: not a source rapido can import (a .pdf, a .pptx, a folder of slide images, or the predecessor's slide data .json)`,
      };
  }
}

export function parseImportArgs(argv: string[]): ImportRequest {
  const { values, positionals } = argumentsOrExit(() =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        title: { type: 'string' },
        size: { type: 'string' },
        script: { type: 'string' },
        images: { type: 'string' },
        'keep-recorded-narration': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  if (positionals[0] === undefined) fail(2, `import needs a <source>\n${usage}`);
  if (positionals.length > 1)
    fail(2, `import takes one <source>, not ${positionals.length}\n${usage}`);
  if (values.out === undefined) fail(2, `import needs --out <lessonDir>\n${usage}`);
  const size = sizeSchema.safeParse(values.size ?? '1280x720');
  if (!size.success) fail(2, size.error.issues.map((i) => i.message).join('; '));
  return {
    source: resolve(positionals[0]),
    out: resolve(values.out),
    title: values.title ?? null,
    size: size.data,
    script: values.script === undefined ? null : resolve(values.script),
    images: values.images === undefined ? null : resolve(values.images),
    keepRecordedNarration: values['keep-recorded-narration'] ?? false,
  };
}

/** Options that belong to another kind of source are refused, not ignored. */
function checkOptionsFor(kind: ImportSourceKind, request: ImportRequest): void {
  if (request.script !== null && kind !== 'images') {
    fail(2, '--script is for a folder of slide images');
  }
  if ((request.images !== null || request.keepRecordedNarration) && kind !== 'predecessor') {
    fail(2, "--images and --keep-recorded-narration are for the predecessor's slide data (.json)");
  }
}

export async function runImport(request: ImportRequest): Promise<number> {
  const known = await sourceKind(request.source);
  if ('problem' in known) fail(2, known.problem);
  const { kind } = known;
  checkOptionsFor(kind, request);
  const env = readEnvironment();
  if (!env.ok) fail(2, env.message);
  const existing = await stat(join(request.out, lessonFileName)).catch(() => null);
  if (existing) {
    fail(2, `${request.out} already contains a ${lessonFileName}: choose a new folder for --out`);
  }
  if (request.images !== null && !(await stat(request.images).catch(() => null))?.isDirectory()) {
    fail(2, `--images: no folder at ${request.images}`);
  }
  if (kind === 'images') return importImages(request);
  return importInPage(env.value, kind, request);
}

export async function importCommand(argv: string[]): Promise<number> {
  return runImport(parseImportArgs(argv));
}

async function importImages(request: ImportRequest): Promise<number> {
  process.stdout.write(`Importing the slide images in ${request.source} into ${request.out}\n`);
  const imported = await importImageFolder({
    imagesDir: request.source,
    lessonDir: request.out,
    ...(request.script === null ? {} : { scriptPath: request.script }),
    ...(request.title === null ? {} : { title: request.title }),
  });
  if (!imported.ok) {
    // The importer checks everything before it writes: its refusals are the source's fault.
    const code = imported.error.code === 'io-failed' ? 1 : 2;
    fail(code, formatError(imported.error));
  }
  process.stdout.write(
    `Wrote the lesson "${imported.value.lesson.title}" (${slideCount(imported.value.lesson.slides.length)}) to ${imported.value.dir}\n`,
  );
  return 0;
}

function slideCount(count: number): string {
  return `${count} ${count === 1 ? 'slide' : 'slides'}`;
}

/** "rendering page 5 of 11": the message, led by its phase when it does not say it. */
export function importProgressLabel(progress: ImportJobProgress): string {
  return progress.message.startsWith(progress.phase)
    ? progress.message
    : `${progress.phase} ${progress.message}`;
}

/** "[ 45%] rendering page 5 of 11" */
export function importProgressLine(progress: ImportJobProgress): string {
  const fraction = progress.total > 0 ? progress.done / progress.total : 0;
  const percent = String(Math.floor(Math.min(1, Math.max(0, fraction)) * 100)).padStart(3);
  return `[${percent}%] ${importProgressLabel(progress)}`;
}

async function importInPage(
  env: Environment,
  kind: 'pdf' | 'pptx' | 'predecessor',
  request: ImportRequest,
): Promise<number> {
  const job: ImportJobInfo = {
    kind,
    fileName: basename(request.source),
    file: request.source,
    lessonDir: request.out,
    title: request.title,
    output: { ...request.size, fps: importFps },
    keepRecordedNarration: request.keepRecordedNarration,
    imagesDir: request.images,
  };
  process.stdout.write(
    `Importing ${job.fileName} (${kind === 'predecessor' ? 'Rapido Python data' : kind.toUpperCase()}) into ${request.out} at ${request.size.width}x${request.size.height}\n`,
  );
  const display = createProgressDisplay();
  let settle: (progress: ImportJobProgress) => void = () => undefined;
  const finished = new Promise<ImportJobProgress>((resolveFinished) => {
    settle = resolveFinished;
  });
  let last: ImportJobProgress | null = null;
  let heard = false;
  const host = await startHeadlessHost({
    environment: env,
    mode: 'import',
    lessonDir: request.out,
    consoleLog: cliSettings.verbose,
    importJob: {
      job,
      sourcePath: request.source,
      onProgress(progress) {
        heard = true;
        if (progress.phase === 'done' || progress.phase === 'failed') {
          settle(progress);
          return;
        }
        const notable =
          last === null || last.phase !== progress.phase || last.done !== progress.done;
        last = progress;
        display.update(
          {
            fraction: progress.total > 0 ? progress.done / progress.total : 0,
            label: importProgressLabel(progress),
            etaMs: null,
          },
          notable ? importProgressLine(progress) : null,
        );
      },
    },
  }).catch((error: unknown) => fail(2, describe(error)));
  const browser = await launchChromium({
    executablePath: chromiumPath(env.CHROMIUM_PATH),
    headless: true,
    warn: (message) => host.logger.warn(message, { event_type: 'chromium_unsandboxed' }),
  }).catch(async (error: unknown) => {
    await host.close();
    fail(2, describe(error));
  });
  const failWith = (message: string) =>
    settle({ phase: 'failed', done: 0, total: 0, message, badInput: false });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => {
      host.logger.error('renderer page error', { event_type: 'renderer_error', error });
      // An error before the job's first report is a page that failed to start it (it would show
      // why only in its own window): fail now, rather than after a guessed time limit, which a
      // busy machine could overrun.
      if (!heard) failWith(`the page did not start the import: ${error.message}`);
    });
    page.on('crash', () => failWith('the renderer crashed'));
    await page.goto(host.server.appUrl);
    const outcome = await finished;
    display.stop();
    if (outcome.phase === 'failed') {
      process.stderr.write(`rapido: import failed: ${outcome.message}\n`);
      return outcome.badInput === true ? 2 : 1;
    }
    const result = outcome.result;
    for (const note of result?.notes ?? []) process.stdout.write(`Note: ${note}\n`);
    for (const missing of result?.missing ?? []) process.stdout.write(`Missing: ${missing}\n`);
    process.stdout.write(
      `Wrote the lesson (${slideCount(result?.slides ?? 0)}) to ${result?.dir ?? request.out}: ${outcome.message}\n`,
    );
    return 0;
  } finally {
    display.stop();
    await browser.close();
    await host.close();
  }
}
