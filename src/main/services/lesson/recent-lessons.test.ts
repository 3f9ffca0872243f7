import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../logging/logger.ts';
import { createRecentLessons, maxRecentLessons, recentLessonsFileName } from './recent-lessons.ts';
import { writeFiles } from '../../../../testing/lesson-files.ts';

let root: string;
let dataDir: string;
let clockMs: number;
const nowMs = () => clockMs++;

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'rapido-recent-')));
  dataDir = join(root, 'data', 'nested');
  clockMs = 1_000;
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function makeLesson(name: string): Promise<string> {
  const dir = join(root, name);
  await writeFiles(dir, { 'lesson.json': '{}' });
  return dir;
}

describe('recent lessons', () => {
  it('lists newest first, once per folder, and survives a restart', async () => {
    const a = await makeLesson('a');
    const b = await makeLesson('b');
    const recent = createRecentLessons({ dataDir, nowMs });
    await recent.record({ dir: a, title: 'A' });
    await recent.record({ dir: b, title: 'B' });
    await recent.record({ dir: a, title: 'A, renamed' });
    const expected = [
      { dir: a, title: 'A, renamed', openedAtMs: 1_002 },
      { dir: b, title: 'B', openedAtMs: 1_001 },
    ];
    expect(await recent.list()).toEqual(expected);

    const again = createRecentLessons({ dataDir, nowMs });
    expect(await again.list()).toEqual(expected);
    const stored = JSON.parse(await readFile(join(dataDir, recentLessonsFileName), 'utf8')) as {
      version: number;
    };
    expect(stored.version).toBe(1);
  });

  it(`shows at most ${maxRecentLessons}, leaving out folders whose lesson.json is gone`, async () => {
    const recent = createRecentLessons({ dataDir, nowMs });
    const dirs: string[] = [];
    for (let index = 0; index < 15; index += 1) {
      const dir = await makeLesson(`lesson-${index}`);
      dirs.push(dir);
      await recent.record({ dir, title: `Lesson ${index}` });
    }
    await rm(join(dirs[14] ?? '', 'lesson.json'));
    await rm(dirs[13] ?? '', { recursive: true });
    const listed = await recent.list();
    expect(listed).toHaveLength(maxRecentLessons);
    expect(listed.map((entry) => entry.title)).toEqual(
      Array.from({ length: 12 }, (_unused, index) => `Lesson ${12 - index}`),
    );
    // Put back, it is listed again: entries are kept while their folder is away.
    await writeFiles(dirs[14] ?? '', { 'lesson.json': '{}' });
    expect((await recent.list())[0]?.title).toBe('Lesson 14');
  });

  it('records in call order even when calls overlap', async () => {
    const dirs = await Promise.all(['x', 'y', 'z'].map(makeLesson));
    const recent = createRecentLessons({ dataDir, nowMs });
    await Promise.all(dirs.map((dir, index) => recent.record({ dir, title: String(index) })));
    expect((await recent.list()).map((entry) => entry.title)).toEqual(['2', '1', '0']);
    const reread = createRecentLessons({ dataDir, nowMs });
    expect((await reread.list()).map((entry) => entry.title)).toEqual(['2', '1', '0']);
  });

  it('does not rewrite the file when the newest entry is recorded again (autosave)', async () => {
    const dir = await makeLesson('autosaved');
    const recent = createRecentLessons({ dataDir, nowMs });
    await recent.record({ dir, title: 'Saved' });
    await rm(join(dataDir, recentLessonsFileName));
    await recent.record({ dir, title: 'Saved' });
    await expect(readFile(join(dataDir, recentLessonsFileName))).rejects.toThrow();
    expect((await recent.list())[0]?.openedAtMs).toBe(1_001);
    await recent.record({ dir, title: 'Renamed' });
    expect(await createRecentLessons({ dataDir, nowMs }).list()).toEqual([
      { dir, title: 'Renamed', openedAtMs: 1_002 },
    ]);
  });

  it.each([
    ['not JSON', '{"version": 1, "lessons": ['],
    ['the wrong shape', '{"version": 1, "lessons": [{"dir": 3}]}'],
    ['another version', '{"version": 2, "lessons": []}'],
  ])('starts empty with a warning when the file is %s', async (_what, text) => {
    await writeFiles(dataDir, { [recentLessonsFileName]: text });
    const logger = createMemoryLogger();
    const recent = createRecentLessons({ dataDir, logger, nowMs });
    expect(await recent.list()).toEqual([]);
    expect(
      logger.lines.some(
        (line) =>
          line.record.level === 'WARN' &&
          String(line.record.message).includes('starting an empty recent list'),
      ),
    ).toBe(true);
    // The next record replaces the damaged file.
    const dir = await makeLesson('fresh');
    await recent.record({ dir, title: 'Fresh' });
    expect(await createRecentLessons({ dataDir, nowMs }).list()).toEqual([
      { dir, title: 'Fresh', openedAtMs: expect.any(Number) as number },
    ]);
  });

  it('keeps working for the session when the data folder cannot be written', async () => {
    // A file where the data folder should be: mkdir fails.
    await writeFile(join(root, 'blocked'), 'not a folder');
    const logger = createMemoryLogger();
    const recent = createRecentLessons({ dataDir: join(root, 'blocked'), logger, nowMs });
    const dir = await makeLesson('kept');
    await recent.record({ dir, title: 'Kept' });
    expect((await recent.list()).map((entry) => entry.title)).toEqual(['Kept']);
    expect(logger.lines.some((line) => line.record.event_type === 'recent_lessons_unsaved')).toBe(
      true,
    );
  });
});
