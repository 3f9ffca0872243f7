import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Result } from '../src/shared/result.ts';

/** A 1x1 PNG: a real image for the lesson checks, as small as one can be. */
export const pngBytes = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** A fresh temporary folder (its real path, so symlinked /tmp compares equal); `remove` deletes it. */
export async function tempRoot(
  prefix: string,
): Promise<{ root: string; remove: () => Promise<void> }> {
  const root = await realpath(await mkdtemp(join(tmpdir(), prefix)));
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

export function expectOk<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
}

export function expectError<T>(result: Result<T>) {
  if (result.ok) throw new Error('expected an error result');
  return result.error;
}

/** Writes a small tree of files (tests only): paths relative to `dir`, folders created as needed. */
export async function writeFiles(
  dir: string,
  files: Record<string, string | Uint8Array>,
): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
}
