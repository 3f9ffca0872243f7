import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { pngBytes, tempRoot } from '../../../../testing/lesson-files.ts';

/**
 * A lesson of 1,000 slides, each its own image, under a descriptor limit of 256 (a quarter of the
 * usual 1024, at which it used to fail): opening it, reading every slide image at once (as the
 * editor's slide list asks), saving it and importing its images must keep few files open.
 */

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '../../../..');
const child = join(repoRoot, 'testing', 'support', 'many-slides-child.ts');
const slideCount = 1000;

let root: string;
let remove: () => Promise<void>;

beforeEach(async () => {
  ({ root, remove } = await tempRoot('rapido-fd-limit-'));
});

afterEach(() => remove());

test('a 1,000-slide lesson opens, reads, saves and imports under ulimit -n 256', async () => {
  const lessonDir = join(root, 'big');
  await mkdir(join(lessonDir, 'slides'), { recursive: true });
  const slides = [];
  for (let index = 1; index <= slideCount; index += 1) {
    const image = `slides/slide-${String(index).padStart(4, '0')}.png`;
    await writeFile(join(lessonDir, image), pngBytes);
    slides.push({ id: `s${index}`, image, narration: '' });
  }
  // The import reads one narration paragraph per image.
  await writeFile(
    join(lessonDir, 'slides', 'script.txt'),
    slides.map((slide) => `Slide ${slide.id}.`).join('\n\n'),
  );
  await writeFile(
    join(lessonDir, 'lesson.json'),
    JSON.stringify({ schemaVersion: 1, id: 'big', title: 'Big', slides }),
  );
  // exec keeps the limit on node itself; the child reports its outcome as one JSON line.
  const { stdout } = await run(
    'bash',
    [
      '-c',
      'ulimit -n 256 && exec "$0" --import tsx "$@"',
      process.execPath,
      child,
      lessonDir,
      join(root, 'imported'),
    ],
    { cwd: repoRoot, timeout: 120_000 },
  );
  const outcome = (JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { outcome?: string })
    .outcome;
  expect(outcome).toBe(`ok ${slideCount} ${slideCount} ${slideCount}`);
}, 150_000);
