import { describe, expect, it } from 'vitest';
import type { PlanSlide, PredecessorPlan } from '../../../../shared/lesson/predecessor-import.ts';
import { planSummary, plural } from './plan-summary.ts';

function slide(visual: PlanSlide['visual'], position: number): PlanSlide {
  return {
    id: `s${position}`,
    position,
    title: null,
    narration: '',
    narrationDurationMs: null,
    placement: null,
    presenterHidden: false,
    visual,
    recorded: null,
  };
}

const base: Omit<PredecessorPlan, 'slides' | 'assets' | 'form'> = {
  planId: 'p',
  sourceFile: '/x.json',
  title: 'Lucknow',
  canvas: { widthPx: 1920, heightPx: 1080 },
  placement: { x: 0.7, y: 0.6, width: 0.2, height: 0.3 },
  notes: [],
};

describe('planSummary', () => {
  it('says the form, the slides by kind and what is fetched', () => {
    const canvas: PlanSlide['visual'] = {
      kind: 'canvas',
      backgroundColor: null,
      backgroundAsset: null,
      objects: [],
    };
    expect(
      planSummary({
        ...base,
        form: 'video-job-document',
        slides: [
          slide(canvas, 1),
          slide(canvas, 2),
          slide({ kind: 'embed', title: 'Map', url: 'u' }, 3),
        ],
        assets: [
          { key: 'a', kind: 'image', source: 'x.png' },
          { key: 'b', kind: 'audio', source: 'y.mp3' },
        ],
      }),
    ).toBe(
      'Video-job document “Lucknow”: 3 slides (2 drawn from the document, 1 embedded page as a card); 1 picture and 1 recording to fetch.',
    );
    expect(
      planSummary({
        ...base,
        form: 'parsed-slide-data',
        slides: [slide({ kind: 'title-card' }, 1), slide({ kind: 'title-card' }, 2)],
        assets: [],
      }),
    ).toBe('Parsed slide data “Lucknow”: 2 slides (2 title cards).');
  });

  it('counts in words', () => {
    expect(plural(1, 'slide')).toBe('1 slide');
    expect(plural(3, 'box', 'boxes')).toBe('3 boxes');
  });
});
