import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { importImageFolder } from './import-image-folder.ts';
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
  ({ root, remove } = await tempRoot('rapido-import-'));
});

afterEach(() => remove());

describe('importImageFolder', () => {
  test('sorts images naturally, pairs paragraphs, copies into slides/ and writes lesson.json', async () => {
    const imagesDir = join(root, 'My_slides');
    await writeFiles(imagesDir, {
      'slide10.png': pngBytes,
      'slide2.png': pngBytes,
      'slide1.png': pngBytes,
      '._slide1.png': 'macOS resource fork, not an image',
      'notes.pdf': 'ignored',
      'script.txt': 'One.\n\nTwo,\nwrapped.\n\nTen.\n',
    });
    const lessonDir = join(root, 'out', 'lesson');
    const loaded = expectOk(await importImageFolder({ imagesDir, lessonDir }));
    expect(loaded.dir).toBe(lessonDir);
    expect(loaded.lesson.title).toBe('My slides');
    expect(loaded.lesson.id).toBe('my-slides');
    expect(loaded.lesson.slides.map((s) => [s.id, s.image, s.narration])).toEqual([
      ['slide1', 'slides/slide1.png', 'One.'],
      ['slide2', 'slides/slide2.png', 'Two, wrapped.'],
      ['slide10', 'slides/slide10.png', 'Ten.'],
    ]);
    expect((await readdir(join(lessonDir, 'slides'))).sort()).toEqual([
      'slide1.png',
      'slide10.png',
      'slide2.png',
    ]);
    expect(JSON.parse(await readFile(join(lessonDir, 'lesson.json'), 'utf8'))).toEqual(
      loaded.lesson,
    );
  });

  test('references images in place when the lesson folder is the images folder', async () => {
    const imagesDir = join(root, 'deck');
    await writeFiles(imagesDir, {
      'b.png': pngBytes,
      'a.png': pngBytes,
      'narration.txt': 'A.\n---\nB.\n',
    });
    const loaded = expectOk(
      await importImageFolder({ imagesDir, lessonDir: imagesDir, title: 'Deck', id: 'deck_1' }),
    );
    expect(loaded.lesson).toMatchObject({ id: 'deck_1', title: 'Deck' });
    expect(loaded.lesson.slides.map((s) => [s.image, s.narration])).toEqual([
      ['a.png', 'A.'],
      ['b.png', 'B.'],
    ]);
    expect(await readdir(imagesDir)).not.toContain('slides');
  });

  test('references images in place when they already lie inside the lesson folder', async () => {
    const lessonDir = join(root, 'lesson');
    await writeFiles(lessonDir, { 'pages/p1.png': pngBytes, 'pages/script.txt': 'Only.' });
    const loaded = expectOk(
      await importImageFolder({ imagesDir: join(lessonDir, 'pages'), lessonDir }),
    );
    expect(loaded.lesson.slides[0]?.image).toBe('pages/p1.png');
  });

  test('lessonDir defaults to the images folder', async () => {
    const imagesDir = join(root, 'deck');
    await writeFiles(imagesDir, { '1.png': pngBytes, 'talk.txt': 'Hello.' });
    const loaded = expectOk(await importImageFolder({ imagesDir }));
    expect(loaded.dir).toBe(imagesDir);
  });

  test('--- separators allow a slide without narration and paragraphs within one', async () => {
    const imagesDir = join(root, 'deck');
    await writeFiles(imagesDir, {
      '1.png': pngBytes,
      '2.png': pngBytes,
      '3.png': pngBytes,
      'script.txt': 'Intro.\n\nMore intro.\n---\n---\nEnd.',
    });
    const loaded = expectOk(await importImageFolder({ imagesDir }));
    expect(loaded.lesson.slides.map((s) => s.narration)).toEqual([
      'Intro.\n\nMore intro.',
      '',
      'End.',
    ]);
  });

  test('an explicit script path is used even when the folder has others', async () => {
    const imagesDir = join(root, 'deck');
    await writeFiles(imagesDir, { '1.png': pngBytes, 'script.txt': 'Wrong.\n\nWrong.' });
    await writeFiles(root, { 'mine.txt': 'Right.' });
    const loaded = expectOk(
      await importImageFolder({ imagesDir, scriptPath: join(root, 'mine.txt') }),
    );
    expect(loaded.lesson.slides[0]?.narration).toBe('Right.');
  });

  test('a count mismatch says how many of each and pairs them up, and writes nothing', async () => {
    const imagesDir = join(root, 'deck');
    await writeFiles(imagesDir, {
      'slide1.png': pngBytes,
      'slide2.png': pngBytes,
      'slide3.png': pngBytes,
      'script.txt': 'First paragraph.\n\nSecond paragraph.',
    });
    const lessonDir = join(root, 'lesson');
    const error = expectError(await importImageFolder({ imagesDir, lessonDir }));
    expect(error.code).toBe('invalid-request');
    expect(error.message).toBe('Found 3 slide images but 2 narration paragraphs in script.txt');
    expect(error.details).toEqual([
      'slide 1: slide1.png ↔ "First paragraph."',
      'slide 2: slide2.png ↔ "Second paragraph."',
      'slide 3: slide3.png ↔ (no paragraph)',
    ]);
    expect(error.hint).toMatch(/blank lines/);
    await expect(readdir(lessonDir)).rejects.toThrow();
  });

  test('refuses to overwrite an existing lesson.json unless asked', async () => {
    const imagesDir = join(root, 'deck');
    await writeFiles(imagesDir, { '1.png': pngBytes, 'script.txt': 'New.' });
    const lessonDir = join(root, 'lesson');
    await writeFiles(lessonDir, { 'lesson.json': '{"keep": "me"}' });
    const error = expectError(await importImageFolder({ imagesDir, lessonDir }));
    expect(error.message).toBe(`${lessonDir} already contains a lesson.json`);
    expect(error.hint).toMatch(/overwrite/);
    expect(await readFile(join(lessonDir, 'lesson.json'), 'utf8')).toBe('{"keep": "me"}');

    const loaded = expectOk(await importImageFolder({ imagesDir, lessonDir, overwrite: true }));
    expect(loaded.lesson.slides[0]?.narration).toBe('New.');
  });

  test('no script, several scripts, no images, no folder', async () => {
    const imagesDir = join(root, 'deck');
    await writeFiles(imagesDir, { '1.png': pngBytes });
    expect(expectError(await importImageFolder({ imagesDir })).message).toBe(
      `No script file in ${imagesDir}`,
    );

    await writeFiles(imagesDir, { 'a.txt': 'A.', 'b.txt': 'B.' });
    const several = expectError(await importImageFolder({ imagesDir }));
    expect(several.message).toMatch(/Several \.txt files/);
    expect(several.details).toEqual(['a.txt', 'b.txt']);

    const empty = join(root, 'empty');
    await writeFiles(empty, { 'script.txt': 'A.' });
    expect(expectError(await importImageFolder({ imagesDir: empty })).message).toBe(
      `No slide images in ${empty}`,
    );

    const missing = expectError(await importImageFolder({ imagesDir: join(root, 'missing') }));
    expect(missing.code).toBe('asset-not-found');
  });

  test('a file that is not really an image stops the import before anything is written', async () => {
    const imagesDir = join(root, 'deck');
    await writeFiles(imagesDir, {
      '1.png': pngBytes,
      '2.png': 'not a png',
      'script.txt': 'A.\n\nB.',
    });
    const lessonDir = join(root, 'lesson');
    const error = expectError(await importImageFolder({ imagesDir, lessonDir }));
    expect(error.details).toEqual([
      'not a readable image: 2.png is not a PNG image (its content matches no supported image type)',
    ]);
    await expect(readdir(lessonDir)).rejects.toThrow();
  });

  test('an invalid id is reported as a lesson error', async () => {
    const imagesDir = join(root, 'deck');
    await writeFiles(imagesDir, { '1.png': pngBytes, 'script.txt': 'A.' });
    const lessonDir = join(root, 'lesson');
    const error = expectError(await importImageFolder({ imagesDir, lessonDir, id: 'has spaces' }));
    expect(error.code).toBe('lesson-invalid');
    expect(error.details).toEqual([
      'id: use letters, digits, "_" and "-" only (it names rooms and files)',
    ]);
    // Checked before anything is copied.
    await expect(readdir(lessonDir)).rejects.toThrow();
  });
});
