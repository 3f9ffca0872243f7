import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { LessonInput } from '../../../shared/lesson/lesson-schema.ts';
import type { Result } from '../../../shared/result.ts';
import { createMemoryLogger } from '../logging/logger.ts';
import { loadLesson, readLessonAsset, saveLesson } from './lesson-store.ts';
import { writeFiles } from '../../../../testing/lesson-files.ts';

/** A real 1x1 PNG. */
const pngBytes = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const svgText =
  '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="9" viewBox="0 0 16 9"></svg>';

const sampleLessonDir = fileURLToPath(
  new URL('../../../../resources/sample-lesson', import.meta.url),
);

let root: string;

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'rapido-lesson-store-')));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A lesson folder inside the temp root, with lesson.json written from `lines` joined by \n. */
async function lessonFolder(lines: string[], files: Record<string, string | Uint8Array> = {}) {
  const dir = join(root, 'lesson');
  await writeFiles(dir, { 'lesson.json': lines.join('\n'), ...files });
  return dir;
}

function expectError<T>(result: Result<T>) {
  if (result.ok) throw new Error('expected an error result');
  return result.error;
}

function expectOk<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
}

/** A valid lesson, one field per line, so tests can name exact line numbers. */
function validLines(overrides: { slide0?: string[]; slide1?: string[]; head?: string[] } = {}) {
  return [
    '{', //                                           1
    ...(overrides.head ?? [
      '  "schemaVersion": 1,', //                     2
      '  "id": "plants",', //                         3
      '  "title": "Plants",', //                      4
    ]),
    '  "slides": [', //                               5
    '    {', //                                       6
    ...(overrides.slide0 ?? [
      '      "id": "one",', //                        7
      '      "image": "slides/01.png",', //           8
      '      "narration": "First."', //               9
    ]),
    '    },', //                                      10
    '    {', //                                       11
    ...(overrides.slide1 ?? [
      '      "id": "two",', //                        12
      '      "image": "slides/02.svg",', //           13
      '      "narration": "Second."', //              14
    ]),
    '    }', //                                       15
    '  ]', //                                         16
    '}', //                                           17
  ];
}

const validFiles = { 'slides/01.png': pngBytes, 'slides/02.svg': svgText };

describe('loadLesson: valid lessons', () => {
  test('the built-in sample lesson loads', async () => {
    const loaded = expectOk(await loadLesson(sampleLessonDir));
    expect(loaded.lesson.id).toBe('sample_photosynthesis');
    expect(loaded.lesson.slides).toHaveLength(4);
    expect(loaded.lesson.output).toEqual({ width: 1280, height: 720, fps: 25 });
    expect(loaded.lesson.voice.provider).toBe('offline');
    expect(loaded.lesson.avatar).toMatchObject({ provider: 'local', keyColor: '#00b140' });
  });

  test('loads, applies defaults and returns the real folder and the source text', async () => {
    const dir = await lessonFolder(validLines(), validFiles);
    const linked = join(root, 'linked-lesson');
    await symlink(dir, linked);
    const logger = createMemoryLogger();
    const loaded = expectOk(await loadLesson(linked, { logger }));
    expect(loaded.dir).toBe(dir);
    expect(loaded.source).toBe(validLines().join('\n'));
    expect(loaded.lesson.output).toEqual({ width: 1280, height: 720, fps: 25 });
    expect(loaded.lesson.slides[0]).toMatchObject({ id: 'one', holdMs: 0, notes: '' });
    expect(logger.lines.map((line) => line.record.event_type)).toContain('lesson_loaded');
  });

  test('accepts the path of lesson.json itself', async () => {
    const dir = await lessonFolder(validLines(), validFiles);
    expect(expectOk(await loadLesson(join(dir, 'lesson.json'))).dir).toBe(dir);
  });

  test('accepts a symlinked image that stays inside the folder', async () => {
    const dir = await lessonFolder(validLines(), {
      'slides/real.png': pngBytes,
      'slides/02.svg': svgText,
    });
    await symlink(join(dir, 'slides/real.png'), join(dir, 'slides/01.png'));
    expectOk(await loadLesson(dir));
  });
});

describe('loadLesson: not found', () => {
  test('a missing folder', async () => {
    const error = expectError(await loadLesson(join(root, 'nope')));
    expect(error.code).toBe('lesson-not-found');
    expect(error.message).toBe(`No lesson.json in ${join(root, 'nope')}`);
    expect(error.hint).toMatch(/import a folder of slide images/);
  });

  test('a folder without lesson.json', async () => {
    await mkdir(join(root, 'empty'));
    const error = expectError(await loadLesson(join(root, 'empty')));
    expect(error.code).toBe('lesson-not-found');
    expect(error.message).toBe(`No lesson.json in ${join(root, 'empty')}`);
  });
});

describe('loadLesson: invalid lessons', () => {
  test('bad JSON names line and column', async () => {
    const lines = validLines();
    lines[9] = '    }'; // drop the comma between the two slides (line 10)
    const dir = await lessonFolder(lines, validFiles);
    const error = expectError(await loadLesson(dir));
    expect(error.code).toBe('lesson-invalid');
    expect(error.message).toMatch(
      /^lesson\.json:11:5: Unexpected token '\{': expected ',' or '\]'/,
    );
    expect(error.message).not.toMatch(/\n\s+at /);
  });

  test('a wrong type names the field, its line and what was found', async () => {
    const dir = await lessonFolder(
      validLines({
        head: [
          '  "schemaVersion": 1,',
          '  "id": "plants",',
          '  "title": "Plants", "output": { "width": 1280, "height": 720, "fps": "25" },',
        ],
      }),
      validFiles,
    );
    const error = expectError(await loadLesson(dir));
    expect(error.message).toBe('lesson.json is not a valid lesson');
    expect(error.details).toEqual(['output.fps (line 4): expected number, got string "25"']);
  });

  test('an out-of-range number says the limit and the value', async () => {
    const head = [
      '  "schemaVersion": 1,',
      '  "id": "plants",',
      '  "title": "Plants", "output": { "width": 1281, "height": 720, "fps": 90 },',
    ];
    const dir = await lessonFolder(validLines({ head }), validFiles);
    expect(expectError(await loadLesson(dir)).details).toEqual([
      'output.width (line 4): must be a multiple of 2, got number 1281',
      'output.fps (line 4): must be at most 60, got 90',
    ]);
  });

  test('a missing field points at its parent', async () => {
    const dir = await lessonFolder(
      validLines({
        slide1: ['      "id": "two",', '      "image": "slides/02.svg",', '      "notes": ""'],
      }),
      validFiles,
    );
    const error = expectError(await loadLesson(dir));
    expect(error.details).toEqual([
      'slides[1].narration (line 11): required field is missing (expected string)',
    ]);
  });

  test('an unsupported provider lists the supported ones', async () => {
    const head = [
      '  "schemaVersion": 1,',
      '  "id": "plants",',
      '  "title": "Plants", "voice": {',
      '    "provider": "azure" },',
    ];
    const dir = await lessonFolder(validLines({ head }), validFiles);
    const error = expectError(await loadLesson(dir));
    expect(error.details).toEqual([
      'voice.provider (line 5): unsupported provider string "azure" (supported: offline, elevenlabs)',
    ]);
  });

  test('a bad enum-like literal and an unknown field', async () => {
    const dir = await lessonFolder(
      validLines({
        head: ['  "schemaVersion": 2,', '  "id": "plants",', '  "title": "Plants",'],
        slide0: [
          '      "id": "one",',
          '      "image": "slides/01.png",',
          '      "narration": "First.", "colour": "red"',
        ],
      }),
      validFiles,
    );
    const error = expectError(await loadLesson(dir));
    expect(error.details).toEqual([
      'schemaVersion (line 2): expected 1',
      'slides[0].colour (line 9): unknown field (check its spelling; it is not part of the lesson format)',
    ]);
  });

  test('duplicate slide ids', async () => {
    const dir = await lessonFolder(
      validLines({
        slide1: [
          '      "id": "one",',
          '      "image": "slides/02.svg",',
          '      "narration": "Second."',
        ],
      }),
      validFiles,
    );
    const error = expectError(await loadLesson(dir));
    expect(error.details).toEqual([
      'slides[1].id (line 12): duplicate slide id "one" (also slides[0].id)',
    ]);
  });

  test('a missing image file', async () => {
    const dir = await lessonFolder(validLines(), { 'slides/01.png': pngBytes });
    const error = expectError(await loadLesson(dir));
    expect(error.details).toEqual(['slides[1].image (line 13): file not found: slides/02.svg']);
  });

  test('a path escaping with ..', async () => {
    await writeFiles(root, { 'outside.png': pngBytes });
    const dir = await lessonFolder(
      validLines({
        slide0: ['      "id": "one",', '      "image": "../outside.png",', '      "narration": ""'],
      }),
      validFiles,
    );
    const error = expectError(await loadLesson(dir));
    expect(error.details).toEqual([
      'slides[0].image (line 8): path escapes the lesson folder: ../outside.png',
    ]);
  });

  test('an absolute path, even to a file inside the folder', async () => {
    const dir = join(root, 'lesson');
    const absolute = join(dir, 'slides/01.png');
    await lessonFolder(
      validLines({
        slide0: [
          '      "id": "one",',
          `      "image": ${JSON.stringify(absolute)},`,
          '      "narration": ""',
        ],
      }),
      validFiles,
    );
    const error = expectError(await loadLesson(dir));
    expect(error.details).toEqual([
      `slides[0].image (line 8): absolute paths are not allowed (use a path relative to the lesson folder): ${absolute}`,
    ]);
  });

  test('a symlink pointing outside the folder', async () => {
    await writeFiles(root, { 'secret.png': pngBytes });
    const dir = await lessonFolder(validLines(), { 'slides/02.svg': svgText });
    await symlink(join(root, 'secret.png'), join(dir, 'slides/01.png'));
    const error = expectError(await loadLesson(dir));
    expect(error.details).toEqual([
      'slides[0].image (line 8): path escapes the lesson folder: slides/01.png (it links to a file outside the folder)',
    ]);
  });

  test('a symlinked folder pointing outside', async () => {
    await writeFiles(root, { 'elsewhere/01.png': pngBytes, 'elsewhere/02.svg': svgText });
    const dir = await lessonFolder(validLines());
    await symlink(join(root, 'elsewhere'), join(dir, 'slides'));
    const error = expectError(await loadLesson(dir));
    expect(error.details).toHaveLength(2);
    expect(error.details?.[0]).toMatch(
      /^slides\[0\]\.image \(line 8\): path escapes the lesson folder/,
    );
  });

  test('an unsupported image type, and content that is no image', async () => {
    const dir = await lessonFolder(
      validLines({
        slide0: ['      "id": "one",', '      "image": "slides/01.tiff",', '      "narration": ""'],
        slide1: ['      "id": "two",', '      "image": "slides/02.png",', '      "narration": ""'],
      }),
      { 'slides/01.tiff': pngBytes, 'slides/02.png': 'just text' },
    );
    const error = expectError(await loadLesson(dir));
    expect(error.details).toEqual([
      'slides[0].image (line 8): unsupported image type ".tiff": slides/01.tiff (supported: png, jpg, jpeg, webp, gif, svg, bmp, avif)',
      'slides[1].image (line 13): not a readable image: slides/02.png is not a PNG image (its content matches no supported image type)',
    ]);
  });

  test('reports schema and file problems together', async () => {
    const dir = await lessonFolder(
      validLines({ head: ['  "schemaVersion": 1,', '  "id": "has spaces",', '  "title": "",'] }),
      { 'slides/01.png': pngBytes },
    );
    const error = expectError(await loadLesson(dir));
    expect(error.details).toEqual([
      'id (line 3): use letters, digits, "_" and "-" only (it names rooms and files)',
      'title (line 4): must not be empty',
      'slides[1].image (line 13): file not found: slides/02.svg',
    ]);
    expect(error.hint).toContain(join(dir, 'lesson.json'));
  });

  test('a lesson.json that is not an object', async () => {
    const dir = await lessonFolder(['[', '  1', ']']);
    const error = expectError(await loadLesson(dir));
    expect(error.details).toEqual(['(root) (line 1): expected object, got an array']);
  });
});

describe('readLessonAsset', () => {
  test('returns bytes and MIME type', async () => {
    const dir = await lessonFolder(validLines(), validFiles);
    const png = expectOk(await readLessonAsset(dir, 'slides/01.png'));
    expect(png.mimeType).toBe('image/png');
    expect(Buffer.from(png.bytes).equals(pngBytes)).toBe(true);
    const svg = expectOk(await readLessonAsset(dir, './slides\\02.svg'));
    expect(svg.mimeType).toBe('image/svg+xml');
    expect(Buffer.from(svg.bytes).toString('utf8')).toBe(svgText);
  });

  test('reports the type the content has, which is what the decoder uses', async () => {
    const dir = await lessonFolder(validLines(), { 'slides/looks-like.jpg': pngBytes });
    expect(expectOk(await readLessonAsset(dir, 'slides/looks-like.jpg')).mimeType).toBe(
      'image/png',
    );
  });

  test.each([
    ['../outside.png', 'path-outside-lesson'],
    ['slides/../../outside.png', 'path-outside-lesson'],
    ['/etc/hostname', 'path-outside-lesson'],
    ['slides/link.png', 'path-outside-lesson'],
    ['slides/missing.png', 'asset-not-found'],
    ['lesson.json', 'invalid-request'],
    ['slides', 'invalid-request'],
  ])('refuses %s (%s)', async (path, code) => {
    await writeFiles(root, { 'outside.png': pngBytes });
    const dir = await lessonFolder(validLines(), validFiles);
    await symlink(join(root, 'outside.png'), join(dir, 'slides/link.png'));
    const error = expectError(await readLessonAsset(dir, path));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^Cannot read lesson asset: /);
  });

  test.skipIf(process.platform === 'win32')(
    'refuses a FIFO named like an image without blocking on it',
    async () => {
      const dir = await lessonFolder(validLines(), validFiles);
      execFileSync('mkfifo', [join(dir, 'slides/pipe.png')]);
      const error = expectError(await readLessonAsset(dir, 'slides/pipe.png'));
      expect(error.message).toBe('Cannot read lesson asset: not a file: slides/pipe.png');
    },
  );

  test('a missing lesson folder', async () => {
    expect(expectError(await readLessonAsset(join(root, 'nope'), 'a.png')).code).toBe(
      'lesson-not-found',
    );
  });
});

describe('saveLesson', () => {
  const lesson: LessonInput = {
    schemaVersion: 1,
    id: 'saved',
    title: 'Saved lesson',
    slides: [{ id: 's1', image: 'slides/01.png', narration: 'Hello.' }],
  };

  test('writes pretty JSON with defaults spelled out, which loads again', async () => {
    const dir = join(root, 'new', 'lesson');
    await writeFiles(dir, { 'slides/01.png': pngBytes });
    expectOk(await saveLesson(dir, lesson));
    const text = await readFile(join(dir, 'lesson.json'), 'utf8');
    expect(text).toMatch(/^\{\n {2}"schemaVersion": 1,\n/);
    expect(text.endsWith('}\n')).toBe(true);
    const loaded = expectOk(await loadLesson(dir));
    expect(loaded.lesson.voice).toEqual({
      provider: 'offline',
      voice: 'en-us',
      rateWpm: 165,
      pitch: 50,
    });
    expect(JSON.parse(text)).toEqual(loaded.lesson);
    expect((await readdir(dir)).sort()).toEqual(['lesson.json', 'slides']);
  });

  test('replaces an existing lesson.json', async () => {
    const dir = await lessonFolder(validLines(), validFiles);
    expectOk(await saveLesson(dir, { ...lesson, title: 'Replaced' }));
    expect(expectOk(await loadLesson(dir)).lesson.title).toBe('Replaced');
    expect((await readdir(dir)).sort()).toEqual(['lesson.json', 'slides']);
  });

  test('refuses an invalid lesson and leaves the file alone', async () => {
    const dir = await lessonFolder(validLines(), validFiles);
    const error = expectError(await saveLesson(dir, { ...lesson, slides: [] }));
    expect(error.code).toBe('lesson-invalid');
    expect(error.details).toEqual(['slides: a lesson needs at least one slide']);
    expect(await readFile(join(dir, 'lesson.json'), 'utf8')).toBe(validLines().join('\n'));
  });

  test('refuses paths outside the folder', async () => {
    const error = expectError(
      await saveLesson(join(root, 'x'), {
        ...lesson,
        slides: [{ id: 's1', image: '../x.png', narration: '' }],
      }),
    );
    expect(error.code).toBe('path-outside-lesson');
    expect(error.details).toEqual(['slides[0].image: path escapes the lesson folder: ../x.png']);
  });
});

describe('a large lesson.json', () => {
  test('6 MB with faults far down: each reported at its line, in one pass', async () => {
    const slides: string[] = [];
    const count = 40_000;
    for (let index = 0; index < count; index += 1) {
      // Slide 30,000 has a numeric id; slide 39,999 an unknown field. Images are left out so the
      // test measures the locator, not 40,000 file checks.
      const id = index === 30_000 ? '30000' : `"s${index}"`;
      const extra = index === count - 1 ? ', "imagee": "x.png"' : '';
      const filler = `"${'n'.repeat(100)}"`;
      slides.push(
        `    { "id": ${id}, "narration": ${filler}, "holdMs": 1000${extra} }${index === count - 1 ? '' : ','}`,
      );
    }
    const lines = [
      '{',
      '  "schemaVersion": 1,',
      '  "id": "big",',
      '  "title": "Big",',
      '  "slides": [',
      ...slides,
      '  ]',
      '}',
    ];
    expect(lines.join('\n').length).toBeGreaterThan(5_000_000);
    const dir = await lessonFolder(lines);
    const error = expectError(await loadLesson(dir));
    // Slide i sits on line i + 6.
    expect(error.details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^slides\[30000\]\.id \(line 30006\): expected string, got number 30000$/,
        ),
        expect.stringMatching(/^slides\[39999\]\.imagee \(line 40005\): unknown field/),
      ]),
    );
  });
});
