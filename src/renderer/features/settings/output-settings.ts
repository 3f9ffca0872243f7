import { outputSettingsSchema, type OutputSettings } from '../../../shared/lesson/lesson-schema.ts';

/**
 * The Output section's pure part: the size presets and frame rates offered, and turning what is
 * typed into an OutputSettings or into a message per field (checked by the lesson's own schema,
 * so the dialog can never accept what lesson.json would refuse).
 */

export interface SizePreset {
  id: string;
  label: string;
  widthPx: number;
  heightPx: number;
}

export const sizePresets: readonly SizePreset[] = [
  { id: '1280x720', label: '1280 × 720 (HD)', widthPx: 1280, heightPx: 720 },
  { id: '1920x1080', label: '1920 × 1080 (Full HD)', widthPx: 1920, heightPx: 1080 },
  { id: '854x480', label: '854 × 480 (SD)', widthPx: 854, heightPx: 480 },
];

export const customSizeId = 'custom';
export const frameRates: readonly number[] = [24, 25, 30, 50, 60];

/** The preset a size matches, else Custom (a lesson made elsewhere may have any size). */
export function presetIdFor(widthPx: number, heightPx: number): string {
  return (
    sizePresets.find((preset) => preset.widthPx === widthPx && preset.heightPx === heightPx)?.id ??
    customSizeId
  );
}

export interface OutputDraft {
  sizeId: string;
  /** As typed (custom size only), so a half-typed number stays on screen. */
  widthText: string;
  heightText: string;
  fps: number;
}

export function draftFrom(output: OutputSettings): OutputDraft {
  return {
    sizeId: presetIdFor(output.width, output.height),
    widthText: String(output.width),
    heightText: String(output.height),
    fps: output.fps,
  };
}

export type OutputField = 'width' | 'height' | 'fps';
export type OutputErrors = Partial<Record<OutputField, string>>;

export type DraftCheck = { ok: true; output: OutputSettings } | { ok: false; errors: OutputErrors };

/** A whole number as typed, or NaN ("12.5", "1e3", "" and "abc" are not sizes). */
function parsePixels(text: string): number {
  const trimmed = text.trim();
  return /^\d{1,6}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

/** Readable messages for the schema's limits, with the limits themselves as the schema says. */
function describeIssue(field: OutputField, code: string, value: number): string {
  if (Number.isNaN(value)) return 'Enter a whole number of pixels.';
  switch (field) {
    case 'width':
      return 'Width must be an even number from 16 to 7680.';
    case 'height':
      return 'Height must be an even number from 16 to 4320.';
    case 'fps':
      return code === 'invalid_type' ? 'Choose a frame rate.' : 'Frame rate must be 1 to 60.';
  }
}

export function checkDraft(draft: OutputDraft): DraftCheck {
  const preset = sizePresets.find((p) => p.id === draft.sizeId);
  const widthPx = preset ? preset.widthPx : parsePixels(draft.widthText);
  const heightPx = preset ? preset.heightPx : parsePixels(draft.heightText);
  const candidate = { width: widthPx, height: heightPx, fps: draft.fps };
  const parsed = outputSettingsSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, output: parsed.data };
  const errors: OutputErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    if (field !== 'width' && field !== 'height' && field !== 'fps') continue;
    errors[field] ??= describeIssue(field, issue.code, candidate[field]);
  }
  return { ok: false, errors };
}

export function sameOutput(a: OutputSettings, b: OutputSettings): boolean {
  return a.width === b.width && a.height === b.height && a.fps === b.fps;
}
