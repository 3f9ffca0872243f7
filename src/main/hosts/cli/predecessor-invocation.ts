import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { headlessDataDir, readEnvironment } from '../../services/platform/config/environment.ts';
import { argumentsOrExit, fail, usage } from './cli-support.ts';
import type { ConfigSettings } from './config-file.ts';
import { runImport } from './import-command.ts';
import { render } from './render-command.ts';
import { status } from './status-command.ts';

/**
 * The predecessor's own invocation, so its scripts and habits carry over. Its arguments, from
 * `main()` in rapido/src/rapido_refactored_main.py (alin-anjum/agent_streaming_backend, commit
 * 534b6f6, lines 222-226):
 *   --config      "Configuration file path"          (taken by global-options.ts)
 *   --lesson-id   "Lesson identifier" (required)
 *   --slide-data  "Path to slide data JSON file" (else the config's paths.input_data)
 *   --status-only "Show status only"
 * and `--verbose`/`-v` from its rapido_main.py:2134 (global-options.ts too). The predecessor
 * required --lesson-id even with --status-only; here status needs no lesson.
 *
 * `--lesson-id ID --slide-data FILE` imports the data into a lesson folder of its own under the
 * data folder (made afresh each run) and renders it to the config's paths.output (the
 * predecessor's default ./output) as ID.mp4.
 */
const lessonIdPattern = /^[A-Za-z0-9_.-]{1,100}$/;

export function isPredecessorInvocation(args: readonly string[]): boolean {
  return args.some((arg) => /^--(lesson-id|slide-data|status-only)(=|$)/.test(arg));
}

export async function predecessorInvocation(
  args: string[],
  config: ConfigSettings | null,
): Promise<number> {
  const { values } = argumentsOrExit(() =>
    parseArgs({
      args,
      allowPositionals: false,
      options: {
        'lesson-id': { type: 'string' },
        'slide-data': { type: 'string' },
        'status-only': { type: 'boolean' },
      },
    }),
  );
  if (values['status-only']) return status([]);
  const lessonId = values['lesson-id'];
  if (lessonId === undefined)
    fail(2, `the following arguments are required: --lesson-id\n${usage}`);
  if (!lessonIdPattern.test(lessonId)) {
    fail(2, '--lesson-id: use letters, digits, ".", "_" and "-" only (at most 100)');
  }
  const slideData = values['slide-data'] ?? config?.inputData;
  if (slideData === undefined) {
    fail(2, '--slide-data FILE is needed (or paths.input_data in --config)');
  }
  const env = readEnvironment();
  if (!env.ok) fail(2, env.message);
  // A folder of our own, by a checked id: remade each run, so a re-run imports the data afresh.
  const lessonDir = join(headlessDataDir(env.value), 'predecessor-lessons', lessonId);
  await rm(lessonDir, { recursive: true, force: true });
  const imported = await runImport({
    source: resolve(slideData),
    out: lessonDir,
    title: null,
    size: { width: config?.video?.width ?? 1280, height: config?.video?.height ?? 720 },
    script: null,
    images: null,
    keepRecordedNarration: false,
  });
  if (imported !== 0) return imported;
  const outputDir = resolve(config?.outputDir ?? 'output');
  await mkdir(outputDir, { recursive: true });
  return render([lessonDir, '--out', join(outputDir, `${lessonId}.mp4`)]);
}
