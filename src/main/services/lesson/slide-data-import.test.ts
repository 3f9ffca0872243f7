import { readdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultPlacement } from '../../../shared/lesson/lesson-schema.ts';
import { loadLesson } from './lesson-store.ts';
import { importSlideData } from './slide-data-import.ts';
import { writeFiles, tempRoot, expectOk, expectError } from '../../../../testing/lesson-files.ts';

/** 1x1 PNGs; a different colour each, so copies can be told apart. */
const pngRed = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);
const pngBlue = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPj/HwADBwIAMCbHYQAAAABJRU5ErkJggg==',
  'base64',
);

let root: string;

let remove: () => Promise<void>;

beforeEach(async () => {
  ({ root, remove } = await tempRoot('rapido-slide-data-'));
});

afterEach(() => remove());

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe('importSlideData', () => {
  it('turns the predecessor slide data into a lesson beside it, images copied', async () => {
    const data = {
      title: 'Solar system',
      frameWidth: 1920,
      frameHeight: 1080,
      slides: [
        {
          slideInfo: {
            imagePath: '/old/machine/frames/frame_001.png',
            narrationData: 'The Sun is a star.',
            narrationDuration: 3.25,
            presenterConfig: { x: 1440, y: 540, width: 432, height: 486 },
          },
        },
        {
          slideInfo: {
            slideNumber: 2,
            narrationData: { text: 'Mercury is closest.' },
            narrationDuration: '4.5',
            presenterConfig: { x: 0.75, y: 0.5, width: 0.225, height: 0.45 },
          },
        },
        {
          slideInfo: {
            image: 'frames\\frame_003.png',
            narrationData: [{ text: 'Venus is hot.' }, 'It spins backwards.'],
            presenterConfig: { position: 'top-left', size: 'small' },
            title: 'Venus',
          },
        },
        {
          slideInfo: {
            frame: '4',
            narrationData: '',
            narrationDuration: 2,
            presenterConfig: { visible: false },
            notes: 'A pause.',
          },
        },
      ],
    };
    await writeFiles(root, {
      'talk.json': json(data),
      'frame_001.png': pngRed,
      'frame_002.png': pngBlue,
      'frames/frame_003.png': pngRed,
      'frame_004.png': pngBlue,
    });
    const loaded = expectOk(await importSlideData({ file: join(root, 'talk.json') }));
    const lessonDir = join(root, 'talk-lesson');
    expect(loaded.dir).toBe(lessonDir);
    const { lesson } = loaded;
    expect(lesson.title).toBe('Solar system');
    expect(lesson.id).toBe('solar-system');
    expect(lesson.output).toEqual({ width: 1920, height: 1080, fps: 25 });
    const placement = { x: 0.75, y: 0.5, width: 0.225, height: 0.45 };
    expect(lesson.avatar.placement).toEqual(placement);
    expect(
      lesson.slides.map((slide) => ({
        id: slide.id,
        image: slide.image,
        narration: slide.narration,
        holdMs: slide.holdMs,
        notes: slide.notes,
        title: slide.title,
        avatar: slide.avatar,
      })),
    ).toEqual([
      {
        id: 'frame_001',
        image: 'slides/frame_001.png',
        narration: 'The Sun is a star.',
        holdMs: 0,
        notes: 'Predecessor duration: 3.3 s',
        title: undefined,
        avatar: undefined,
      },
      {
        id: 'frame_002',
        image: 'slides/frame_002.png',
        narration: 'Mercury is closest.',
        holdMs: 0,
        notes: 'Predecessor duration: 4.5 s',
        title: undefined,
        // The same place as the first slide: no override.
        avatar: undefined,
      },
      {
        id: 'frame_003',
        image: 'slides/frame_003.png',
        narration: 'Venus is hot. It spins backwards.',
        holdMs: 0,
        notes: '',
        title: 'Venus',
        avatar: {
          placement: { x: 0.02, y: 0.02, width: 0.1969, height: 0.35 },
        },
      },
      {
        id: 'frame_004',
        image: 'slides/frame_004.png',
        narration: '',
        // Silent: it stays as long as the predecessor showed it.
        holdMs: 2000,
        notes: 'A pause.\nPredecessor duration: 2 s',
        title: undefined,
        avatar: { hidden: true },
      },
    ]);
    expect((await readdir(join(lessonDir, 'slides'))).sort()).toEqual([
      'frame_001.png',
      'frame_002.png',
      'frame_003.png',
      'frame_004.png',
    ]);
    expect(await readFile(join(lessonDir, 'slides', 'frame_002.png'))).toEqual(pngBlue);
    expect(expectOk(await loadLesson(lessonDir)).lesson).toEqual(lesson);
  });

  it('finds images in imagesDir, or in SLIDE_FRAMES_PATH after the JSON folder', async () => {
    const data = {
      slides: [
        { slideInfo: { image: 'one.png', narrationData: 'One.' } },
        { slideInfo: { image: 'two.png', narrationData: 'Two.' } },
      ],
    };
    await writeFiles(root, {
      'data/deck.json': json(data),
      'data/one.png': pngRed,
      'frames/two.png': pngBlue,
      'frames/one.png': pngBlue,
      'elsewhere/one.png': pngBlue,
      'elsewhere/two.png': pngRed,
    });
    const withFrames = expectOk(
      await importSlideData({
        file: join(root, 'data', 'deck.json'),
        slideFramesPath: join(root, 'frames'),
        lessonDir: join(root, 'a'),
      }),
    );
    expect(withFrames.lesson.title).toBe('deck');
    // one.png from the JSON's folder (first), two.png from SLIDE_FRAMES_PATH.
    expect(await readFile(join(root, 'a', 'slides', 'one.png'))).toEqual(pngRed);
    expect(await readFile(join(root, 'a', 'slides', 'two.png'))).toEqual(pngBlue);

    expectOk(
      await importSlideData({
        file: join(root, 'data', 'deck.json'),
        imagesDir: join(root, 'elsewhere'),
        lessonDir: join(root, 'b'),
      }),
    );
    expect(await readFile(join(root, 'b', 'slides', 'one.png'))).toEqual(pngBlue);
  });

  it('takes images by slide position when none is named, and a bare list of slides', async () => {
    await writeFiles(root, {
      'list.json': json([{ narrationData: 'First.' }, { narration: 'Second.' }]),
      'Slide1.png': pngRed,
      'Slide2.png': pngBlue,
      'cover.png': pngRed,
    });
    const loaded = expectOk(await importSlideData({ file: join(root, 'list.json') }));
    expect(loaded.lesson.slides.map((slide) => [slide.image, slide.narration])).toEqual([
      ['slides/Slide1.png', 'First.'],
      ['slides/Slide2.png', 'Second.'],
    ]);
    expect(loaded.lesson.avatar.placement).toEqual(defaultPlacement);
  });

  it('copies a shared image once and keeps same-named images apart', async () => {
    await writeFiles(root, {
      'deck.json': json({
        slides: [
          { slideInfo: { image: 'a/slide.png', narrationData: 'A.' } },
          { slideInfo: { image: 'b/slide.png', narrationData: 'B.' } },
          { slideInfo: { image: 'a/slide.png', narrationData: 'A again.' } },
        ],
      }),
      'a/slide.png': pngRed,
      'b/slide.png': pngBlue,
    });
    const loaded = expectOk(await importSlideData({ file: join(root, 'deck.json') }));
    expect(loaded.lesson.slides.map((slide) => [slide.id, slide.image])).toEqual([
      ['slide', 'slides/slide.png'],
      ['slide-2', 'slides/slide-2.png'],
      ['slide-3', 'slides/slide.png'],
    ]);
    expect(await readFile(join(loaded.dir, 'slides', 'slide-2.png'))).toEqual(pngBlue);
  });

  it('names every problem with its JSON path and line, and writes nothing', async () => {
    const text = json({
      slides: [
        {
          slideInfo: {
            image: 'missing.png',
            narrationData: 42,
            narrationDuration: 'long',
            presenterConfig: { x: 1500, y: 0.1, width: 0.2, height: 0.2 },
          },
        },
        { slideInfo: { image: 'https://example.com/slide.png', narrationData: 'Hi.' } },
        { slideInfo: { image: 'fake.png', narrationData: 'Hi.' } },
        'not a slide',
      ],
    });
    await writeFiles(root, { 'bad.json': text, 'fake.png': 'text, not an image' });
    const error = expectError(await importSlideData({ file: join(root, 'bad.json') }));
    expect(error.code).toBe('invalid-request');
    expect(error.message).toBe('bad.json cannot be imported as a lesson');
    const lineOf = (needle: string) =>
      text.split('\n').findIndex((line) => line.includes(needle)) + 1;
    expect(error.details).toEqual([
      `slides[0].slideInfo.narrationData (line ${lineOf('"narrationData": 42')}): expected narration text (a string, {"text": "…"}, or a list of them), got number 42`,
      `slides[0].slideInfo.narrationDuration (line ${lineOf('"long"')}): expected a duration in seconds, got the text "long"`,
      `slides[0].slideInfo.presenterConfig.x (line ${lineOf('"x": 1500')}): 1500 looks like pixels, but the slide size is not given (add frameWidth and frameHeight, or give fractions 0..1)`,
      `slides[3] (line ${lineOf('"not a slide"')}): expected a slide object, got the text "not a slide"`,
      `slides[0].slideInfo.image (line ${lineOf('"missing.png"')}): image not found: missing.png (looked in ${root})`,
      `slides[1].slideInfo.image (line ${lineOf('https://')}): web addresses cannot be imported (https://example.com/slide.png): save the image into ${root}`,
      `slides[2].slideInfo.image (line ${lineOf('"fake.png"')}): not a readable image: fake.png is not a PNG image (its content matches no supported image type) (in ${root})`,
    ]);
    expect((await readdir(root)).sort()).toEqual(['bad.json', 'fake.png']);
  });

  it('reports JSON syntax errors by line and column, and a missing slide list', async () => {
    await writeFiles(root, {
      'broken.json': '{\n  "slides": [\n    {"slideInfo": {}},\n  ]\n}\n',
      'empty.json': '{"pages": []}',
    });
    const broken = expectError(await importSlideData({ file: join(root, 'broken.json') }));
    expect(broken.message).toBe(
      "broken.json:4:3: Unexpected token ']': a trailing comma is not allowed",
    );
    const empty = expectError(await importSlideData({ file: join(root, 'empty.json') }));
    expect(empty.details).toEqual(['(root) (line 1): expected a "slides" list']);
    const missing = expectError(await importSlideData({ file: join(root, 'nope.json') }));
    expect(missing.code).toBe('asset-not-found');
  });

  it('refuses a lesson folder that already holds a lesson', async () => {
    await writeFiles(root, {
      'deck.json': json({ slides: [{ slideInfo: { image: 'a.png', narrationData: 'A.' } }] }),
      'a.png': pngRed,
      'deck-lesson/lesson.json': '{}',
    });
    const error = expectError(await importSlideData({ file: join(root, 'deck.json') }));
    expect(error.message).toBe(
      `${join(root, 'deck-lesson')} already holds a lesson: open it, or choose an empty folder`,
    );
  });
  it('takes no image from outside the named folders: absolute, file://, ../ and links', async () => {
    // The secret image sits beside the data folder, where the user pointed at nothing.
    await writeFiles(root, {
      'secret/private.png': pngRed,
      'data/deck.json': json({
        slides: [
          { slideInfo: { image: join(root, 'secret/private.png'), narrationData: 'A.' } },
          {
            slideInfo: {
              image: pathToFileURL(join(root, 'secret/private.png')).href,
              narrationData: 'B.',
            },
          },
          { slideInfo: { image: '../secret/private.png', narrationData: 'C.' } },
          { slideInfo: { image: 'linked.png', narrationData: 'D.' } },
        ],
      }),
    });
    await symlink(join(root, 'secret/private.png'), join(root, 'data/linked.png'));
    const deck = JSON.parse(await readFile(join(root, 'data/deck.json'), 'utf8')) as {
      slides: unknown[];
    };
    const dataDir = join(root, 'data');
    const error = expectError(await importSlideData({ file: join(dataDir, 'deck.json') }));
    const rule =
      'slide images are taken only from the folders named for the import (absolute paths, file:// URLs, "../" and links that lead out of them are not followed)';
    const outside = (entry: string) =>
      `image not found: ${entry} lies outside ${dataDir}, and no image named private.png is inside: ${rule}`;
    expect(error.details?.map((line) => line.replace(/ \(line \d+\)/, ''))).toEqual([
      `slides[0].slideInfo.image: ${outside(join(root, 'secret/private.png'))}`,
      `slides[1].slideInfo.image: ${outside(pathToFileURL(join(root, 'secret/private.png')).href)}`,
      `slides[2].slideInfo.image: ${outside('../secret/private.png')}`,
      `slides[3].slideInfo.image: ${join(dataDir, 'linked.png')} links to a file outside ${dataDir}: ${rule}`,
    ]);
    expect((await readdir(dataDir)).sort()).toEqual(['deck.json', 'linked.png']);
    // The same entries are taken when they lie inside the folder named for the images.
    await writeFiles(root, { 'data/deck.json': json({ slides: deck.slides.slice(0, 3) }) });
    const inside = expectOk(
      await importSlideData({
        file: join(dataDir, 'deck.json'),
        imagesDir: join(root, 'secret'),
        lessonDir: join(root, 'made'),
      }),
    ).lesson;
    expect(inside.slides.map((slide) => slide.image)).toEqual([
      'slides/private.png',
      'slides/private.png',
      'slides/private.png',
    ]);
  });
});
