import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { imageTypeFromPath } from '../../../../shared/lesson/lesson-paths.ts';
import { lastDigitRun } from '../number-text.ts';

/**
 * Pictures for parsed slide data, which has none (the predecessor screenshotted a web page per
 * slide): a folder of images, each matched to a slide by the predecessor's slide id (the file is
 * named `<slideId>.png`) or else by position (the last number in its name: `slide_3.png`,
 * `frame-003.jpg`, `3.png`).
 */

export interface SuppliedImages {
  dir: string;
  byId: Map<string, string>;
  byPosition: Map<number, string>;
}

/** Null when the folder cannot be read (the caller says so in a note). */
export async function listSuppliedImages(dir: string): Promise<SuppliedImages | null> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && imageTypeFromPath(entry.name) !== null)
      .map((entry) => entry.name)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  } catch {
    return null;
  }
  const byId = new Map<string, string>();
  const byPosition = new Map<number, string>();
  for (const name of names) {
    const stem = name.slice(0, name.length - extname(name).length);
    if (!byId.has(stem.toLowerCase())) byId.set(stem.toLowerCase(), join(dir, name));
    // A uuid-named file is matched by id only: its last digits are no position.
    const number = /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(stem) ? null : lastDigitRun(stem);
    if (number !== null && !byPosition.has(number)) byPosition.set(number, join(dir, name));
  }
  return { dir, byId, byPosition };
}

export function suppliedImageFor(
  images: SuppliedImages,
  slide: { id: string | null; position: number },
): string | null {
  if (slide.id !== null) {
    const byId = images.byId.get(slide.id.toLowerCase());
    if (byId !== undefined) return byId;
  }
  return images.byPosition.get(slide.position) ?? null;
}
