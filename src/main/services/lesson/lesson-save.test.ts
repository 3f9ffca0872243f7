import { mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lessonSchema, type Lesson } from '../../../shared/lesson/lesson-schema.ts';
import {
  createKeyedQueue,
  numberedName,
  saveLessonFolder,
  writeLessonAsset,
} from './lesson-save.ts';
import { loadLesson } from './lesson-store.ts';
import {
  writeFiles,
  tempRoot,
  expectOk,
  expectError,
  pngBytes,
} from '../../../../testing/lesson-files.ts';

let root: string;

let remove: () => Promise<void>;

beforeEach(async () => {
  ({ root, remove } = await tempRoot('rapido-save-'));
});

afterEach(() => remove());

function lessonWith(images: string[], change: Partial<Lesson> = {}): Lesson {
  return lessonSchema.parse({
    schemaVersion: 1,
    id: 'saved',
    title: 'Saved lesson',
    slides: images.map((image, index) => ({
      id: `s${index + 1}`,
      image,
      narration: `Slide ${index + 1} speaks.`,
    })),
    ...change,
  });
}

describe('saveLessonFolder', () => {
  it('replaces lesson.json with readable JSON and answers as lesson:open would', async () => {
    const dir = join(root, 'lesson');
    await writeFiles(dir, { 'slides/a.png': pngBytes, 'slides/b.png': pngBytes });
    const created = expectOk(
      await saveLessonFolder({ dir, lesson: lessonWith(['slides/a.png']), create: true }),
    );
    expect(created.dir).toBe(dir);

    const edited = lessonWith(['slides/a.png', 'slides/b.png'], { title: 'Edited' });
    const saved = expectOk(await saveLessonFolder({ dir, lesson: edited }));
    expect(saved.lesson).toEqual(edited);
    const text = await readFile(join(dir, 'lesson.json'), 'utf8');
    expect(text).toBe(`${JSON.stringify(edited, null, 2)}\n`);
    expect(text).toContain('\n  "title": "Edited",\n');
    expect(expectOk(await loadLesson(dir)).lesson).toEqual(edited);
    // Only lesson.json and the images: no temporary files left behind.
    expect((await readdir(dir)).sort()).toEqual(['lesson.json', 'slides']);
  });

  it('create makes the folder, and refuses one that already holds a lesson', async () => {
    const dir = join(root, 'new', 'deeper');
    // A folder that does not exist cannot hold the images yet: an image-free check first.
    const missing = expectError(
      await saveLessonFolder({ dir, lesson: lessonWith(['slides/a.png']), create: true }),
    );
    expect(missing.code).toBe('asset-not-found');
    await writeFiles(dir, { 'slides/a.png': pngBytes });
    expectOk(await saveLessonFolder({ dir, lesson: lessonWith(['slides/a.png']), create: true }));
    const again = expectError(
      await saveLessonFolder({ dir, lesson: lessonWith(['slides/a.png']), create: true }),
    );
    expect(again.code).toBe('invalid-request');
    expect(again.message).toBe(`${dir} already holds a lesson: open it, or choose an empty folder`);
  });

  it('without create, refuses a folder that holds no lesson', async () => {
    const dir = join(root, 'gone');
    await writeFiles(dir, { 'slides/a.png': pngBytes });
    const error = expectError(
      await saveLessonFolder({ dir, lesson: lessonWith(['slides/a.png']) }),
    );
    expect(error.code).toBe('lesson-not-found');
    expect(error.message).toContain(dir);
    await expect(readdir(dir)).resolves.toEqual(['slides']);
  });

  it('names the slide and file of every missing or unusable image, and writes nothing', async () => {
    const dir = join(root, 'lesson');
    await writeFiles(dir, {
      'slides/a.png': pngBytes,
      'slides/fake.png': 'not an image',
      'lesson.json': '{"original": true}\n',
    });
    const lesson = lessonWith(['slides/a.png', 'slides/missing.png', 'slides/fake.png']);
    const error = expectError(await saveLessonFolder({ dir, lesson }));
    expect(error.code).toBe('asset-not-found');
    expect(error.message).toBe('The lesson was not saved: 2 slide images cannot be used');
    expect(error.details).toEqual([
      'slides[1].image, slide 2 ("Slide 2 speaks.", id s2): file not found: slides/missing.png',
      'slides[2].image, slide 3 ("Slide 3 speaks.", id s3): not a readable image: slides/fake.png is not a PNG image (its content matches no supported image type)',
    ]);
    expect(await readFile(join(dir, 'lesson.json'), 'utf8')).toBe('{"original": true}\n');
  });

  it('refuses paths outside the folder, including through a link', async () => {
    const dir = join(root, 'lesson');
    await writeFiles(dir, { 'slides/a.png': pngBytes, 'lesson.json': '{}' });
    await writeFiles(root, { 'outside.png': pngBytes });
    const escaping = expectError(
      await saveLessonFolder({ dir, lesson: lessonWith(['../outside.png']) }),
    );
    expect(escaping.code).toBe('path-outside-lesson');
    expect(escaping.details?.[0]).toContain('slides[0].image');

    await symlink(join(root, 'outside.png'), join(dir, 'slides', 'linked.png'));
    const linked = expectError(
      await saveLessonFolder({ dir, lesson: lessonWith(['slides/linked.png']) }),
    );
    expect(linked.code).toBe('path-outside-lesson');
    expect(linked.details?.[0]).toMatch(/^slides\[0\]\.image, slide 1 .*links to a file outside/);
  });

  it('reports schema problems by field', async () => {
    const dir = join(root, 'lesson');
    await writeFiles(dir, { 'slides/a.png': pngBytes, 'lesson.json': '{}' });
    const lesson = lessonWith(['slides/a.png']);
    const duplicate = { ...lesson, slides: [...lesson.slides, ...lesson.slides] };
    const error = expectError(await saveLessonFolder({ dir, lesson: duplicate }));
    expect(error.code).toBe('lesson-invalid');
    expect(error.details).toEqual(['slides[1].id: duplicate slide id "s1" (also slides[0].id)']);
  });
});

describe('writeLessonAsset', () => {
  it('writes inside the folder, creating folders, and never replaces a file', async () => {
    const dir = join(root, 'new-lesson');
    const first = expectOk(
      await writeLessonAsset({ dir, path: 'slides/photo.png', bytes: pngBytes }),
    );
    expect(first.path).toBe('slides/photo.png');
    const second = expectOk(
      await writeLessonAsset({ dir, path: './slides\\photo.png', bytes: pngBytes }),
    );
    expect(second.path).toBe('slides/photo-2.png');
    const third = expectOk(
      await writeLessonAsset({ dir, path: 'slides/photo.png', bytes: pngBytes }),
    );
    expect(third.path).toBe('slides/photo-3.png');
    expect((await readdir(join(dir, 'slides'))).sort()).toEqual([
      'photo-2.png',
      'photo-3.png',
      'photo.png',
    ]);
    expect(await readFile(join(dir, 'slides', 'photo-3.png'))).toEqual(pngBytes);
  });

  it.each([
    ['/etc/passwd.png', 'path-outside-lesson', 'absolute paths are not allowed'],
    ['../escape.png', 'path-outside-lesson', 'path escapes the lesson folder'],
    ['slides/../../escape.png', 'path-outside-lesson', 'path escapes the lesson folder'],
    ['C:\\temp\\x.png', 'path-outside-lesson', 'absolute paths are not allowed'],
    ['file:///tmp/x.png', 'path-outside-lesson', 'URLs are not allowed'],
    ['slides/run.sh', 'invalid-request', 'only images can be added to a lesson'],
    ['slides/noext', 'invalid-request', 'only images can be added to a lesson'],
  ])('refuses %s', async (path, code, message) => {
    const dir = join(root, 'lesson');
    const error = expectError(await writeLessonAsset({ dir, path, bytes: pngBytes }));
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
    await expect(readdir(root)).resolves.toEqual([]);
  });

  it('refuses empty, oversized and non-image content', async () => {
    const dir = join(root, 'lesson');
    expect(
      expectError(await writeLessonAsset({ dir, path: 'a.png', bytes: new Uint8Array(0) })).message,
    ).toBe('Cannot write a.png: the file is empty');
    const big = expectError(
      await writeLessonAsset({ dir, path: 'a.png', bytes: pngBytes, maxBytes: 10 }),
    );
    expect(big.message).toMatch(/^Cannot write a\.png: it is 0 MB, more than the 0 MB/);
    const huge = expectError(
      await writeLessonAsset({ dir, path: 'a.png', bytes: new Uint8Array(50 * 1024 * 1024 + 1) }),
    );
    expect(huge.message).toBe(
      'Cannot write a.png: it is 50 MB, more than the 50 MB a slide image may have',
    );
    expect(
      expectError(
        await writeLessonAsset({ dir, path: 'a.png', bytes: new TextEncoder().encode('hello') }),
      ).message,
    ).toContain('its content is not a');
  });

  it('refuses to follow a linked folder out of the lesson', async () => {
    const dir = join(root, 'lesson');
    const outside = join(root, 'outside');
    await mkdir(dir);
    await mkdir(outside);
    await symlink(outside, join(dir, 'slides'));
    const error = expectError(
      await writeLessonAsset({ dir, path: 'slides/deep/a.png', bytes: pngBytes }),
    );
    expect(error.code).toBe('path-outside-lesson');
    expect(error.message).toContain('links to a folder outside the lesson folder');
    await expect(readdir(outside)).resolves.toEqual([]);
  });

  it('numbers names before the extension', () => {
    expect(numberedName('photo.png', 2)).toBe('photo-2.png');
    expect(numberedName('my.slide.jpeg', 3)).toBe('my.slide-3.jpeg');
    expect(numberedName('.hidden', 2)).toBe('.hidden-2');
  });
});

describe('createKeyedQueue', () => {
  it('runs one task at a time per key, in call order, failures included', async () => {
    const queue = createKeyedQueue();
    const order: string[] = [];
    let releaseFirst: () => void = () => undefined;
    const first = queue('a', async () => {
      await new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      order.push('a1');
      throw new Error('first failed');
    });
    const second = queue('a', () => {
      order.push('a2');
      return Promise.resolve(2);
    });
    const other = queue('b', () => {
      order.push('b1');
      return Promise.resolve(1);
    });
    await other;
    expect(order).toEqual(['b1']);
    releaseFirst();
    await expect(first).rejects.toThrow('first failed');
    await expect(second).resolves.toBe(2);
    expect(order).toEqual(['b1', 'a1', 'a2']);
  });
});
