import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { lessonSchema, type Lesson } from '../../src/shared/lesson/lesson-schema.ts';
import type { Environment } from '../../src/main/services/platform/config/environment.ts';
import {
  startHeadlessHost,
  type HeadlessHost,
} from '../../src/main/hosts/headless/headless-host.ts';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const sampleLessonDir = join(repoRoot, 'resources', 'sample-lesson');

/** Fails early with the fix when the renderer has not been built (npm test builds it first). */
export function requireRendererBuild(): void {
  if (!existsSync(join(repoRoot, 'out', 'renderer', 'index.html'))) {
    throw new Error('out/renderer is missing: run `npm run build` before the end-to-end tests');
  }
}

/**
 * A copy of the sample lesson at another output size: software WebGL on CI machines keeps real
 * time only at 640x360 (ENVIRONMENT.md).
 */
/** The lesson.json in `dir`, as the app reads it (parsed, defaults applied). */
export async function readLessonAt(dir: string): Promise<Lesson> {
  return lessonSchema.parse(JSON.parse(await readFile(join(dir, 'lesson.json'), 'utf8')));
}

export async function sampleLessonAt(
  width: number,
  height: number,
  edit?: (lesson: Lesson) => Lesson,
): Promise<{ dir: string; lesson: Lesson }> {
  const dir = await mkdtemp(join(tmpdir(), 'rapido-e2e-lesson-'));
  await cp(sampleLessonDir, dir, { recursive: true });
  const original = await readLessonAt(dir);
  const resized = { ...original, output: { ...original.output, width, height } };
  const lesson = edit ? edit(resized) : resized;
  await writeFile(join(dir, 'lesson.json'), JSON.stringify(lesson, null, 2));
  return { dir, lesson };
}

/** A headless host with its own data and log folders, as the CLI starts it. */
export async function startTestHost(
  lessonDir: string,
  environment: Partial<Environment> = {},
): Promise<{ host: HeadlessHost; dataDir: string; logDir: string }> {
  requireRendererBuild();
  const dataDir = await mkdtemp(join(tmpdir(), 'rapido-e2e-data-'));
  const logDir = join(dataDir, 'logs');
  const host = await startHeadlessHost({
    environment: {
      RAPIDO_DATA_DIR: dataDir,
      RAPIDO_LOG_DIR: logDir,
      LOG_LEVEL: 'debug',
      // The specs type lesson and import folders they made under the temporary folder.
      RAPIDO_FOLDERS: tmpdir(),
      ...environment,
    },
    mode: 'interactive',
    lessonDir,
    consoleLog: false,
  });
  return { host, dataDir, logDir };
}

/** Every file under `dir`, recursively, with its bytes. */
export async function readAllFiles(dir: string): Promise<{ path: string; bytes: Buffer }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile());
  return Promise.all(
    files.map(async (entry) => {
      const path = join(entry.parentPath, entry.name);
      return { path, bytes: await readFile(path) };
    }),
  );
}
