import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { fsErrorCode, temporaryPathFor, writeFileAtomic } from './atomic-write.ts';

describe('writeFileAtomic', () => {
  let directory: string;

  beforeEach(async () => {
    directory = join(await mkdtemp(join(tmpdir(), 'rapido-atomic-')), 'files');
  });
  afterEach(async () => {
    await rm(join(directory, '..'), { recursive: true, force: true });
  });

  test('a failed atomic write removes its temporary file and keeps the old content', async () => {
    await mkdir(directory, { recursive: true });
    // Renaming a file over a non-empty directory fails after the temporary file was written.
    const target = join(directory, 'occupied');
    await mkdir(join(target, 'child'), { recursive: true });
    await expect(writeFileAtomic(target, new Uint8Array([1, 2, 3]))).rejects.toThrow();
    expect(await readdir(directory)).toEqual(['occupied']);

    const file = join(directory, 'file.bin');
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    await writeFileAtomic(file, new Uint8Array([4, 5]));
    expect([...(await readFile(file))]).toEqual([4, 5]);
    expect(await readdir(directory)).toEqual(['file.bin', 'occupied']);
  });

  test('concurrent writers of one path each land whole; one of them wins', async () => {
    await mkdir(directory, { recursive: true });
    const file = join(directory, 'settings.json');
    const contents = Array.from({ length: 8 }, (_, n) => `${String(n).repeat(100_000)}\n`);
    await Promise.all(contents.map((text) => writeFileAtomic(file, text)));
    expect(contents).toContain(await readFile(file, 'utf8'));
    expect(await readdir(directory)).toEqual(['settings.json']);
  });

  test('temporary names are hidden, beside the target, and never repeat', () => {
    const path = join(directory, 'lesson.json');
    const names = new Set(Array.from({ length: 100 }, () => temporaryPathFor(path)));
    expect(names.size).toBe(100);
    for (const name of names) {
      expect(name.startsWith(join(directory, `.lesson.json.tmp-${process.pid}-`))).toBe(true);
    }
  });

  test('fsErrorCode reads the code of a file system error and nothing else', async () => {
    const missing = await readFile(join(directory, 'absent')).catch((error: unknown) => error);
    expect(fsErrorCode(missing)).toBe('ENOENT');
    expect(fsErrorCode(new Error('plain'))).toBeUndefined();
    expect(fsErrorCode('ENOENT')).toBeUndefined();
  });
});
