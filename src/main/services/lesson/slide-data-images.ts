import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageTypeFromPath } from '../../../shared/lesson/lesson-paths.ts';
import type { JsonPathSegment } from './json-locator.ts';
import type { LessonImage } from './lesson-assets.ts';
import { inspectLessonImage, isInsideDirectory } from './lesson-assets.ts';
import { compareNatural } from './narration-script.ts';
import { lastDigitRun } from './number-text.ts';

/**
 * Where the images of predecessor slide data are found: only inside the folders named for the
 * import (the images folder, or the data file's folder then SLIDE_FRAMES_PATH). The data may come
 * from anyone, so a path in it to elsewhere (absolute, file://, ../) is looked up by its file
 * name inside those folders, and a link inside them that leads out is refused.
 */

export const imageKeys = [
  'image',
  'imageUrl',
  'imagePath',
  'slideImage',
  'frame',
  'slideNumber',
] as const;

type JsonPath = JsonPathSegment[];

export type ImageReference =
  | { kind: 'path'; value: string; path: JsonPath }
  | { kind: 'number'; value: number; path: JsonPath; implicit?: boolean };

/** Each slide's image (null where it has a problem, which is added to `problems`). */
export async function findSlideImages(
  slides: readonly { image: ImageReference }[],
  searchDirs: readonly string[],
  problems: { path: JsonPath; message: string }[],
): Promise<(LessonImage | null)[]> {
  const realSearchDirs = await Promise.all(searchDirs.map((dir) => realpath(dir).catch(() => dir)));
  const list = createFolderLister();
  const images: (LessonImage | null)[] = [];
  for (const slide of slides) {
    const located = await locateImage(slide.image, searchDirs, list);
    if ('problem' in located) {
      problems.push({ path: slide.image.path, message: located.problem });
      images.push(null);
      continue;
    }
    let real: string;
    try {
      real = await realpath(located.file);
    } catch {
      problems.push({ path: slide.image.path, message: `image not found: ${located.file}` });
      images.push(null);
      continue;
    }
    // A link inside a named folder may lead anywhere; the file it reaches must be inside too.
    if (!insideAny(realSearchDirs, real)) {
      problems.push({
        path: slide.image.path,
        message: `${located.file} links to a file outside ${searchDirs.join(', ')}: ${outsideRule}`,
      });
      images.push(null);
      continue;
    }
    const inspected = await inspectLessonImage(dirname(real), basename(real));
    if (!inspected.ok) {
      problems.push({
        path: slide.image.path,
        message: `${inspected.error.message} (in ${dirname(real)})`,
      });
      images.push(null);
    } else {
      images.push(inspected.value);
    }
  }
  return images;
}

/** Images directly in a folder, by name; listed once per import. */
function createFolderLister(): (dir: string) => Promise<string[]> {
  const cache = new Map<string, Promise<string[]>>();
  return (dir) => {
    let listed = cache.get(dir);
    if (listed === undefined) {
      listed = readdir(dir, { withFileTypes: true })
        .then((entries) =>
          entries
            .filter(
              (entry) =>
                (entry.isFile() || entry.isSymbolicLink()) &&
                !entry.name.startsWith('.') &&
                imageTypeFromPath(entry.name) !== null,
            )
            .map((entry) => entry.name)
            .sort(compareNatural),
        )
        .catch(() => []);
      cache.set(dir, listed);
    }
    return listed;
  };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The number a file name ends in ("slide_012.png" -> 12), or null. */
function trailingNumber(name: string): number | null {
  return lastDigitRun(name.slice(0, name.length - extname(name).length));
}

async function locateImage(
  reference: ImageReference,
  searchDirs: readonly string[],
  list: (dir: string) => Promise<string[]>,
): Promise<{ file: string } | { problem: string }> {
  const where = searchDirs.join(', ');
  if (reference.kind === 'number') {
    for (const dir of searchDirs) {
      const matches = (await list(dir)).filter((name) => trailingNumber(name) === reference.value);
      if (matches.length === 1 && matches[0] !== undefined) return { file: join(dir, matches[0]) };
      if (matches.length > 1) {
        return {
          problem: `several images are numbered ${reference.value} in ${dir} (${matches.join(', ')}): name the image instead`,
        };
      }
    }
    const none = `no image numbered ${reference.value} (e.g. slide${reference.value}.png) in ${where}`;
    return {
      problem:
        reference.implicit === true
          ? `the slide names no image (${imageKeys.join(', ')}), and there is ${none}`
          : none,
    };
  }

  let path = reference.value;
  if (/^file:/i.test(path)) {
    try {
      path = fileURLToPath(path);
    } catch {
      return { problem: `not a usable file URL: ${reference.value}` };
    }
  } else if (/^[a-z][a-z0-9+.-]+:/i.test(path) && !/^[a-z]:[\\/]/i.test(path)) {
    return {
      problem: `web addresses cannot be imported (${reference.value}): save the image into ${searchDirs[0] ?? 'the images folder'}`,
    };
  }
  // Paths written on Windows name their last part after a backslash.
  const name = path.split(/[/\\]/).pop() ?? path;
  const named = isAbsolute(path)
    ? [path]
    : searchDirs.map((dir) => join(dir, ...path.split(/[/\\]/).filter(Boolean)));
  // Only places inside the named folders are even looked at: a path to elsewhere (absolute,
  // file://, ../) is looked up by its file name inside them, as for data from another machine.
  const inside = named.filter((candidate) => insideAny(searchDirs, resolve(candidate)));
  const candidates = [...inside, ...searchDirs.map((dir) => join(dir, name))];
  for (const candidate of candidates) {
    if (await isFile(candidate)) return { file: candidate };
  }
  if (inside.length < named.length) {
    return {
      problem: `image not found: ${reference.value} lies outside ${where}, and no image named ${name} is inside: ${outsideRule}`,
    };
  }
  return { problem: `image not found: ${reference.value} (looked in ${where})` };
}

/** Why an image elsewhere is not taken; the same words for every way of pointing out. */
const outsideRule =
  'slide images are taken only from the folders named for the import (absolute paths, file:// URLs, "../" and links that lead out of them are not followed)';

function insideAny(dirs: readonly string[], candidate: string): boolean {
  return dirs.some((dir) => isInsideDirectory(dir, candidate));
}
