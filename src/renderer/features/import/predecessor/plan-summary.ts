import type { PredecessorPlan } from '../../../../shared/lesson/predecessor-import.ts';

/** "1 slide", "2 slides". */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What a plan holds, in a line: its form, its slides by kind, what has to be fetched. */
export function planSummary(plan: PredecessorPlan): string {
  const kinds = { canvas: 0, embed: 0, 'title-card': 0, image: 0 };
  for (const slide of plan.slides) kinds[slide.visual.kind] += 1;
  const slides = [
    kinds.canvas > 0 ? `${kinds.canvas} drawn from the document` : '',
    kinds.image > 0 ? `${kinds.image} from supplied pictures` : '',
    kinds['title-card'] > 0 ? plural(kinds['title-card'], 'title card') : '',
    kinds.embed > 0
      ? `${plural(kinds.embed, 'embedded page')} as ${kinds.embed === 1 ? 'a card' : 'cards'}`
      : '',
  ].filter(Boolean);
  const pictures = plan.assets.filter((a) => a.kind === 'image').length;
  const recordings = plan.assets.filter((a) => a.kind === 'audio').length;
  const form = plan.form === 'video-job-document' ? 'Video-job document' : 'Parsed slide data';
  const fetches = [
    pictures > 0 ? plural(pictures, 'picture') : '',
    recordings > 0 ? plural(recordings, 'recording') : '',
  ].filter(Boolean);
  return `${form} “${plan.title}”: ${plural(plan.slides.length, 'slide')} (${slides.join(', ')})${
    fetches.length > 0 ? `; ${fetches.join(' and ')} to fetch` : ''
  }.`;
}
