import { describe, expect, it } from 'vitest';
import { expectLinearTime } from '../../../../testing/linear-time.ts';
import { lessonSchema } from '../../../shared/lesson/lesson-schema.ts';
import {
  documentTitle,
  folderName,
  lessonFromPages,
  lessonIdFor,
  pageImagePath,
  pagePlacement,
  silentSlideHoldMs,
  slugify,
  textSlideHoldMs,
} from './lesson-from-pages.ts';

const output = { width: 1280, height: 720, fps: 25 };

describe('lessonFromPages', () => {
  const lesson = lessonFromPages({
    lessonDir: '/home/ann/Lessons/Modern C++ (part 1)/',
    title: 'Modern C++',
    output,
    pages: [
      {
        image: 'slides/page-01.png',
        lines: [
          { text: 'Modern C++ Course', top: 0.18, size: 116 },
          { text: 'with examples', top: 0.3, size: 40 },
        ],
      },
      { image: 'slides/page-02.png', lines: [] },
      {
        image: 'slides/page-03 (1).png',
        lines: [{ text: '• Templates', top: 0.2, size: 50 }],
      },
    ],
  });

  it('is a valid version 1 lesson with ids s1.. and the output settings', () => {
    expect(lessonSchema.safeParse(lesson).success).toBe(true);
    expect(lesson.schemaVersion).toBe(1);
    expect(lesson.id).toBe('modern-c-part-1');
    expect(lesson.title).toBe('Modern C++');
    expect(lesson.output).toEqual(output);
    expect(lesson.slides.map((s) => s.id)).toEqual(['s1', 's2', 's3']);
    expect(lesson.voice.provider).toBe('offline');
    expect(lesson.avatar.provider).toBe('local');
  });

  it("narrates each page's text, titles it from its first line, and leaves notes empty", () => {
    expect(lesson.slides[0]).toMatchObject({
      image: 'slides/page-01.png',
      narration: 'Modern C++ Course with examples.',
      title: 'Modern C++ Course',
      notes: '',
      holdMs: textSlideHoldMs,
    });
    expect(lesson.slides[2]).toMatchObject({
      image: 'slides/page-03 (1).png',
      narration: 'Templates.',
      title: 'Templates',
    });
  });

  it('holds a page without text on screen a while, with no title', () => {
    expect(lesson.slides[1]).toMatchObject({ narration: '', holdMs: silentSlideHoldMs });
    expect(lesson.slides[1]?.title).toBeUndefined();
  });

  it('refuses a document without pages', () => {
    expect(() => lessonFromPages({ lessonDir: '/x', title: 'T', output, pages: [] })).toThrow();
  });
});

describe('lesson ids', () => {
  it('slugs to letters, digits, "_" and "-"', () => {
    expect(slugify('Ça va? Leçon_2 — intro')).toBe('ca-va-lecon_2-intro');
    expect(slugify('x'.repeat(150))).toHaveLength(100);
    expect(slugify('!!!')).toBe('');
  });

  it('prefers the folder name, then the title, then "lesson"', () => {
    expect(lessonIdFor('C:\\Users\\ann\\talk_01\\', 'Title')).toBe('talk_01');
    expect(lessonIdFor('/tmp/!!!', 'My Talk')).toBe('my-talk');
    expect(lessonIdFor('/', '???')).toBe('lesson');
  });
});

describe('documentTitle', () => {
  it('uses meaningful metadata, else the file name', () => {
    expect(documentTitle('00. modern_cpp_course', 'a.pdf')).toBe('00. modern_cpp_course');
    expect(documentTitle('Microsoft PowerPoint - Week 3.pptx', 'w3.pdf')).toBe('Week 3');
    expect(documentTitle('Untitled', 'week_3_intro.pdf')).toBe('week 3 intro');
    expect(documentTitle(undefined, 'talk.pptx')).toBe('talk');
    expect(documentTitle('  ', '.pdf')).toBe('Imported lesson');
  });
});

describe('pagePlacement', () => {
  it('fills the output with a page of the same aspect', () => {
    expect(pagePlacement({ width: 1920, height: 1080 }, { width: 1280, height: 720 })).toEqual({
      x: 0,
      y: 0,
      width: 1280,
      height: 720,
    });
    // A4-ish 16:9 exports are often a fraction of a point off.
    expect(pagePlacement({ width: 960.2, height: 540 }, { width: 1280, height: 720 })).toEqual({
      x: 0,
      y: 0,
      width: 1280,
      height: 720,
    });
  });

  it('pillarboxes a 4:3 page and letterboxes a portrait one, centred', () => {
    expect(pagePlacement({ width: 1024, height: 768 }, { width: 1280, height: 720 })).toEqual({
      x: 160,
      y: 0,
      width: 960,
      height: 720,
    });
    const a4 = pagePlacement({ width: 595, height: 842 }, { width: 1920, height: 1080 });
    expect(a4.height).toBe(1080);
    expect(a4.width).toBe(763);
    expect(a4.x).toBe(578);
  });
});

describe('pageImagePath', () => {
  it('pads page numbers so names sort in page order', () => {
    expect(pageImagePath(3, 11)).toBe('slides/page-03.png');
    expect(pageImagePath(7, 120)).toBe('slides/page-007.png');
  });
});

describe('lesson ids from crafted names', () => {
  it('300 KB worst cases take about 10 × what 30 KB takes, not 100 × (the patterns were quadratic)', () => {
    expectLinearTime((size) => {
      slugify(`a${'-_'.repeat(size / 2)}b`);
      folderName(`a${'/'.repeat(size)}b`);
    });
  });
});
