import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  expectError,
  expectOk,
  pngBytes,
  tempRoot,
  writeFiles,
} from '../../../../../testing/lesson-files.ts';
import type { PlanSlide } from '../../../../shared/lesson/predecessor-import.ts';
import { readPredecessorFile } from './read-predecessor.ts';
import {
  innerDocument,
  parsedSlideData,
  videoJobDocumentText,
} from './predecessor-samples.test-data.ts';

let root: string;
let remove: () => Promise<void>;

beforeEach(async () => {
  ({ root, remove } = await tempRoot('rapido-predecessor-'));
});
afterEach(() => remove());

async function write(name: string, content: string): Promise<string> {
  const file = join(root, name);
  await writeFile(file, content);
  return file;
}

function canvasOf(slide: PlanSlide | undefined) {
  if (slide?.visual.kind !== 'canvas') throw new Error('expected a canvas slide');
  return slide.visual;
}

describe('parsed slide data', () => {
  it('reads the real shape: narration, ms durations, placement from presenterConfig, title cards', async () => {
    const file = await write(
      '22b8e86d-0bf7-41e8-820c-ad5fa8a3af48.json',
      JSON.stringify(parsedSlideData(), null, 2),
    );
    const { plan, assets } = expectOk(await readPredecessorFile({ file }));
    expect(plan.form).toBe('parsed-slide-data');
    expect(plan.title).toBe('Predecessor lesson 22b8e86d');
    expect(plan.canvas).toEqual({ widthPx: 1920, heightPx: 1080 });
    // 400 px square at left 755.2, top 670.4 + 36 (the nudge), moved up to stay inside.
    expect(plan.placement).toEqual({ x: 0.3933, y: 0.6296, width: 0.2083, height: 0.3704 });
    expect(
      plan.slides.map((slide) => [slide.id, slide.position, slide.narrationDurationMs]),
    ).toEqual([
      ['bfab0faf-cb79-43fc-ba93-32178dab6502', 1, 4478],
      ['quiz-1', 2, null],
      ['c0ffee00-0000-4000-8000-000000000003', 3, 2000],
    ]);
    expect(plan.slides.map((slide) => slide.placement)).toEqual([
      null,
      null,
      { x: 0.0638, y: 0.6296, width: 0.2083, height: 0.3704 },
    ]);
    expect(plan.slides.every((slide) => slide.visual.kind === 'title-card')).toBe(true);
    expect(plan.notes[0]).toMatch(/^Parsed slide data has no images: 3 slides get a title card/);
    expect(plan.notes[1]).toMatch(/1 slide is not a canvas slide/);
    expect(assets.size).toBe(0);
  });

  it('takes images by slide id, else by position, from the named folder', async () => {
    await writeFiles(root, {
      'frames/bfab0faf-cb79-43fc-ba93-32178dab6502.png': pngBytes,
      'frames/slide_2.png': pngBytes,
      'frames/notes.txt': 'not an image',
    });
    const file = await write('data.json', JSON.stringify(parsedSlideData()));
    const { plan, assets } = expectOk(
      await readPredecessorFile({ file, imagesDir: join(root, 'frames') }),
    );
    expect(plan.slides.map((slide) => slide.visual)).toEqual([
      { kind: 'image', asset: 'slide-image-1' },
      { kind: 'image', asset: 'slide-image-2' },
      { kind: 'title-card' },
    ]);
    expect(assets.get('slide-image-2')?.origin).toEqual({
      type: 'file',
      path: join(root, 'frames/slide_2.png'),
    });
    expect(plan.notes.join('\n')).toMatch(/has none for 1 slide/);
    // SLIDE_FRAMES_PATH is the fallback folder.
    const fallback = expectOk(
      await readPredecessorFile({ file, slideFramesPath: join(root, 'frames') }),
    );
    expect(fallback.plan.slides[0]?.visual).toEqual({ kind: 'image', asset: 'slide-image-1' });
  });

  it('names each bad field with its line, and writes nothing', async () => {
    const data = parsedSlideData() as { slides: { slideInfo: Record<string, unknown> }[] };
    const [first, second] = data.slides;
    if (!first || !second) throw new Error('sample');
    first.slideInfo.narrationDuration = '4.5 s';
    second.slideInfo.slideType = 7;
    first.slideInfo.presenterConfig = { top: 'low', left: 1 };
    const file = await write('bad.json', JSON.stringify(data, null, 2));
    const error = expectError(await readPredecessorFile({ file }));
    expect(error.code).toBe('invalid-request');
    expect(error.message).toBe('bad.json cannot be imported as a lesson');
    expect(error.details).toEqual([
      'slides[0].slideInfo.narrationDuration (line 8): expected the narration\'s length in milliseconds (e.g. 4478), got the text "4.5 s"',
      'slides[0].slideInfo.presenterConfig.top (line 12): expected a number of canvas pixels, got "low"',
      'slides[1].slideInfo.slideType (line 20): expected 1 (a canvas slide) or 2 (any other), got number 7',
    ]);
    expect(await readdir(root)).toEqual(['bad.json']);
  });

  it('reports JSON syntax errors with line and column, and files of neither form', async () => {
    const broken = await write('broken.json', '{\n  "slides": [\n    {"slideInfo": {}},\n  ]\n}');
    expect(expectError(await readPredecessorFile({ file: broken })).message).toBe(
      "broken.json:4:3: Unexpected token ']': a trailing comma is not allowed",
    );
    const other = await write('other.json', '{"pages": []}');
    const error = expectError(await readPredecessorFile({ file: other }));
    expect(error.message).toBe("other.json is neither of the predecessor's forms");
    expect(error.details?.[0]).toMatch(/^\(root\) \(line 1\): expected/);
    expect(expectError(await readPredecessorFile({ file: join(root, 'none.json') })).code).toBe(
      'asset-not-found',
    );
  });
});

describe('video-job documents', () => {
  it('reads canvas objects, embeds, narration with recorded words, and the lesson placement', async () => {
    const file = await write('job.json', videoJobDocumentText());
    const { plan, assets } = expectOk(await readPredecessorFile({ file }));
    expect(plan.form).toBe('video-job-document');
    expect(plan.title).toBe('Beyond Hello World');
    // The first sized object (1032x1022) is no known canvas: the predecessor's default.
    expect(plan.canvas).toEqual({ widthPx: 1920, heightPx: 1080 });
    expect(plan.placement).toEqual({ x: 0.4023, y: 0.6296, width: 0.2083, height: 0.3704 });
    const [first, embed, last] = plan.slides;
    const visual = canvasOf(first);
    expect(visual.backgroundColor).toBe('#ffffff');
    expect(visual.backgroundAsset).toBe('image-2');
    expect(visual.objects.map((object) => object.id)).toEqual([
      'picture',
      'band',
      'title',
      'points',
    ]);
    expect(visual.objects[0]).toEqual({
      kind: 'image',
      id: 'picture',
      transform: { xPx: 51.4, yPx: 30.16, rotateDeg: 0, scaleX: 1, scaleY: 1 },
      widthPx: 1032.22,
      heightPx: 1022.12,
      opacity: 1,
      asset: 'image-1',
      naturalWidthPx: 1032.22,
      naturalHeightPx: 1024.14,
      crop: { top: 2 / 1024.12, right: 0, bottom: 0, left: 0 },
    });
    expect(visual.objects[1]).toMatchObject({
      kind: 'shape',
      shape: 'rectangle',
      fill: '#fc5a54',
      fillGradient: {
        angleDeg: 90,
        stops: [
          { color: '#fc5a54', offset: 0 },
          { color: '#8b2d56', offset: 1 },
        ],
      },
      stroke: 'rgb(0,0,0)',
      strokeWidthPx: 0,
      transform: { xPx: 805.71, yPx: 1026.39, rotateDeg: 0, scaleX: 1.96, scaleY: 1.96 },
    });
    expect(visual.objects[2]).toMatchObject({
      kind: 'text',
      content: 'Beyond Hello World',
      variant: 'heading',
      fontSizePx: 110,
      textAlign: 'center',
      backgroundColor: null,
    });
    expect(visual.objects[3]).toMatchObject({
      kind: 'text',
      content: 'One\nTwo',
      variant: 'bulletList',
      bulletColor: '#d1be92',
    });
    expect(first?.narration).toBe('Hello World programs.');
    expect(first?.narrationDurationMs).toBe(4478);
    expect(first?.recorded).toEqual({
      asset: 'audio-1',
      words: [
        { text: 'Hello', startMs: 1000, endMs: 1240 },
        { text: 'World', startMs: 1240, endMs: 1600 },
        { text: 'programs.', startMs: 1600, endMs: 2200 },
      ],
    });
    expect(embed).toMatchObject({
      id: 'quiz',
      title: 'Quick quiz',
      visual: { kind: 'embed', title: 'Quick quiz', url: 'https://example.invalid/quiz' },
      recorded: null,
    });
    // presenterConfig null: defaultPresenterConfig (bottom right) differs from the lesson's.
    expect(last?.placement).toEqual({ x: 0.72, y: 0.6296, width: 0.2083, height: 0.3704 });
    expect(last?.recorded).toBeNull();
    expect(plan.assets).toEqual([
      { key: 'image-1', kind: 'image', source: 'https://example.invalid/a.png' },
      { key: 'image-2', kind: 'image', source: 'https://example.invalid/background.jpg' },
      { key: 'audio-1', kind: 'audio', source: 'https://example.invalid/narration.mp3' },
    ]);
    expect(assets.get('image-1')?.origin).toEqual({
      type: 'url',
      url: 'https://example.invalid/a.png',
    });
    expect(plan.notes).toContain(
      'Slide 1: image 2 (never-placed): it was never placed (transform "translate(NaNpx, NaNpx)"); left out.',
    );
    expect(
      plan.notes.some((note) => note.startsWith('Slide 2 embeds https://example.invalid/quiz')),
    ).toBe(true);
  });

  it('resolves local pictures beside the JSON, as paths and file URLs', async () => {
    const inner = innerDocument('pictures/a.png');
    const slides = inner.slides as Record<string, unknown>[];
    if (slides[0]) slides[0].backgroundImage = `file://${join(root, 'bg.png')}`;
    const file = await write('job.json', videoJobDocumentText(inner));
    const { assets } = expectOk(await readPredecessorFile({ file }));
    expect(assets.get('image-1')?.origin).toEqual({
      type: 'file',
      path: join(root, 'pictures/a.png'),
    });
    expect(assets.get('image-2')?.origin).toEqual({ type: 'file', path: join(root, 'bg.png') });
  });

  it('names the outer field and line and the inner path, line and column', async () => {
    const inner = innerDocument();
    const slides = inner.slides as { objects?: Record<string, unknown>[] }[];
    const objects = slides[0]?.objects ?? [];
    if (objects[2]) objects[2].transform = 'skew(10deg)';
    if (objects[3]) objects[3].fontSize = 'huge';
    const file = await write('job.json', videoJobDocumentText(inner));
    const error = expectError(await readPredecessorFile({ file }));
    expect(error.details).toHaveLength(2);
    expect(error.details?.[0]).toMatch(
      /^stringifiedDocJson \(line 3\) → slides\[0\]\.objects\[2\]\.transform \(line 1, column \d+ of the string\): "skew\(10deg\)" skew\(\) is not supported/,
    );
    expect(error.details?.[1]).toMatch(
      /^stringifiedDocJson \(line 3\) → slides\[0\]\.objects\[3\]\.fontSize \(line 1, column \d+ of the string\): expected a font size/,
    );
    // The column points at the key in the string's text.
    const column = Number(/column (\d+)/.exec(error.details?.[0] ?? '')?.[1]);
    expect(JSON.stringify(inner).slice(column - 1, column - 1 + 11)).toBe('"transform"');
  });

  it('reports a string that is not JSON, and a slide of an unknown kind', async () => {
    const file = await write(
      'job.json',
      JSON.stringify({ docId: 'x', stringifiedDocJson: '{"slides": [' }, null, 2),
    );
    expect(expectError(await readPredecessorFile({ file })).details).toEqual([
      "stringifiedDocJson (line 3): the document in this string is not JSON: Unexpected end of input: the array at 1:12 is not closed (line 1, column 13 of the string's text)",
    ]);
    const inner = innerDocument();
    (inner.slides as Record<string, unknown>[]).push({ id: 'x', contentType: 'video' });
    const second = await write('job2.json', videoJobDocumentText(inner));
    expect(expectError(await readPredecessorFile({ file: second })).details).toEqual([
      expect.stringMatching(
        /^stringifiedDocJson \(line 3\) → slides\[3\]\.contentType \(line 1, column \d+ of the string\): expected "canvas" or "embed", got the text "video"$/,
      ),
    ]);
  });

  it('reads the inner document on its own, with plain paths', async () => {
    const inner = innerDocument();
    const slides = inner.slides as { narrationData?: { tokens?: unknown[] } }[];
    if (slides[0]?.narrationData?.tokens)
      slides[0].narrationData.tokens[1] = { text: 'World', startTime: 900, endTime: 800 };
    const file = await write('doc.json', JSON.stringify(inner, null, 2));
    const error = expectError(await readPredecessorFile({ file }));
    expect(error.details?.[0]).toMatch(
      /^slides\[0\]\.narrationData\.tokens\[1\]\.endTime \(line \d+\): expected times in ms/,
    );
  });
});
