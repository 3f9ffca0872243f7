import { describe, expect, it } from 'vitest';
import type { PredecessorPlan } from '../../../../shared/lesson/predecessor-import.ts';
import { silentSlideHoldMs, textSlideHoldMs } from '../lesson-from-pages.ts';
import { formatDuration, lessonFromPlan, slideAssetPath } from './lesson-from-plan.ts';

const uuid = '052fe49b-ac67-4a19-ad21-6cb0891cd23d';
const placement = { x: 0.7, y: 0.62, width: 0.2, height: 0.36 };

const plan: PredecessorPlan = {
  planId: 'plan-1',
  form: 'video-job-document',
  sourceFile: '/data/job.json',
  title: 'Lucknow',
  canvas: { widthPx: 1920, heightPx: 1080 },
  placement,
  slides: [
    {
      id: uuid,
      position: 1,
      title: 'Where it lies',
      narration: 'Lucknow is situated in the north.',
      narrationDurationMs: 4478,
      placement: null,
      presenterHidden: false,
      visual: { kind: 'canvas', backgroundColor: '#ffffff', backgroundAsset: null, objects: [] },
      recorded: { asset: 'audio-1', words: [{ text: 'Lucknow', startMs: 0, endMs: 400 }] },
    },
    {
      id: uuid,
      position: 2,
      title: null,
      narration: '',
      narrationDurationMs: null,
      placement: { x: 0.1, y: 0.1, width: 0.2, height: 0.3 },
      presenterHidden: true,
      visual: { kind: 'embed', title: 'Map', url: 'https://example.org/map' },
      recorded: null,
    },
  ],
  assets: [{ key: 'audio-1', kind: 'audio', source: 'https://x/a.mp3' }],
  notes: [],
};

describe('lessonFromPlan', () => {
  const lesson = lessonFromPlan({
    plan,
    lessonDir: '/home/ann/Lessons/Lucknow tour',
    output: { width: 1280, height: 720, fps: 25 },
    images: ['slides/slide-01.png', 'slides/slide-02.png'],
    recorded: new Map([
      [
        0,
        { audio: 'narration/slide-01.wav', words: [{ text: 'Lucknow', startMs: 0, endMs: 400 }] },
      ],
    ]),
  });

  it('takes the title, output and the lesson’s placement from the plan', () => {
    expect(lesson.id).toBe('lucknow-tour');
    expect(lesson.title).toBe('Lucknow');
    expect(lesson.output).toEqual({ width: 1280, height: 720, fps: 25 });
    expect(lesson.avatar.placement).toEqual(placement);
  });

  it('keeps narration, title, notes with the predecessor’s length and the kept recording', () => {
    expect(lesson.slides[0]).toEqual({
      id: uuid,
      image: 'slides/slide-01.png',
      narration: 'Lucknow is situated in the north.',
      notes: 'Narration length in Rapido (Python): 4.5 s.',
      holdMs: textSlideHoldMs,
      title: 'Where it lies',
      recordedNarration: {
        audio: 'narration/slide-01.wav',
        words: [{ text: 'Lucknow', startMs: 0, endMs: 400 }],
      },
    });
  });

  it('makes repeated ids unique and keeps per-slide placement and a hidden avatar', () => {
    expect(lesson.slides[1]?.id).not.toBe(uuid);
    expect(lesson.slides[1]).toMatchObject({
      image: 'slides/slide-02.png',
      holdMs: silentSlideHoldMs,
      notes: '',
      avatar: { hidden: true, placement: { x: 0.1, y: 0.1, width: 0.2, height: 0.3 } },
    });
    expect(lesson.slides[1]?.recordedNarration).toBeUndefined();
  });

  it('throws when a slide has no image', () => {
    expect(() =>
      lessonFromPlan({
        plan,
        lessonDir: '/x',
        output: lesson.output,
        images: [],
        recorded: new Map(),
      }),
    ).toThrow(/slide 1 has no image/);
  });
});

describe('names and durations', () => {
  it('numbers assets with enough digits to sort', () => {
    expect(slideAssetPath('image', 0, 9)).toBe('slides/slide-01.png');
    expect(slideAssetPath('narration', 99, 120)).toBe('narration/slide-100.wav');
  });
  it('formats durations', () => {
    expect(formatDuration(4478)).toBe('4.5 s');
    expect(formatDuration(72_300)).toBe('1 min 12.3 s');
  });
});
