import {
  lessonSchema,
  type Lesson,
  type OutputSettings,
  type RecordedNarration,
} from '../../../../shared/lesson/lesson-schema.ts';
import type { PredecessorPlan } from '../../../../shared/lesson/predecessor-import.ts';
import { lessonIdFor, silentSlideHoldMs, textSlideHoldMs } from '../lesson-from-pages.ts';

/** A predecessor lesson's slides are drawn at this size unless the import says otherwise. */
export const defaultPredecessorOutput: OutputSettings = { width: 1280, height: 720, fps: 25 };

/** `slides/slide-01.png` (digits enough for the count, at least two: names sort in order). */
export function slideAssetPath(kind: 'image' | 'narration', index: number, count: number): string {
  const digits = Math.max(2, String(count).length);
  const number = String(index + 1).padStart(digits, '0');
  return kind === 'image' ? `slides/slide-${number}.png` : `narration/slide-${number}.wav`;
}

/** "4.5 s" / "1 min 12.3 s". */
export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${(seconds - minutes * 60).toFixed(1)} s`;
}

/** Lesson slide ids: at most 100 characters, unique (the plan's may be longer uuids or repeat). */
function uniqueIds(ids: readonly string[]): string[] {
  const used = new Set<string>();
  return ids.map((raw, index) => {
    let id = raw.slice(0, 100) || `s${index + 1}`;
    if (used.has(id)) id = `${id.slice(0, 90)}-${index + 1}`;
    used.add(id);
    return id;
  });
}

export interface LessonFromPlanInput {
  plan: PredecessorPlan;
  lessonDir: string;
  output: OutputSettings;
  /** Each slide's drawn image, lesson-relative, in the plan's slide order. */
  images: readonly string[];
  /** Kept recordings by slide index. */
  recorded: ReadonlyMap<number, RecordedNarration>;
}

/**
 * The lesson a plan makes: the plan's title and placement (the lesson's avatar), each slide's
 * narration, title, placement where it differs and hidden avatar, the predecessor's narration
 * length in its notes, and its recording when kept. Throws when the result is not a valid lesson.
 */
export function lessonFromPlan(input: LessonFromPlanInput): Lesson {
  const { plan } = input;
  const ids = uniqueIds(plan.slides.map((slide) => slide.id));
  return lessonSchema.parse({
    schemaVersion: 1,
    id: lessonIdFor(input.lessonDir, plan.title),
    title: plan.title.trim() || 'Imported lesson',
    output: input.output,
    avatar: { provider: 'local', placement: plan.placement },
    slides: plan.slides.map((slide, index) => {
      const image = input.images[index];
      if (image === undefined) throw new Error(`slide ${index + 1} has no image`);
      const recording = input.recorded.get(index);
      const avatar = {
        ...(slide.presenterHidden ? { hidden: true } : {}),
        ...(slide.placement === null ? {} : { placement: slide.placement }),
      };
      const notes =
        slide.narrationDurationMs === null
          ? ''
          : `Narration length in Rapido (Python): ${formatDuration(slide.narrationDurationMs)}.`;
      return {
        id: ids[index],
        image,
        narration: slide.narration,
        notes,
        holdMs:
          slide.narration.trim().length > 0 || recording ? textSlideHoldMs : silentSlideHoldMs,
        ...(slide.title === null || slide.title.trim() === '' ? {} : { title: slide.title.trim() }),
        ...(recording === undefined ? {} : { recordedNarration: recording }),
        ...(Object.keys(avatar).length === 0 ? {} : { avatar }),
      };
    }),
  });
}
