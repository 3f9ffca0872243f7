import type { OutputSettings } from '../../../shared/lesson/lesson-schema.ts';

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A plain title card for a new slide, as SVG at the lesson's size: a slide needs an image, and a
 * teacher adding a slide to fill in later should get a clean one, not a broken reference.
 */
export function blankSlideSvg(
  title: string,
  output: Pick<OutputSettings, 'width' | 'height'>,
): Uint8Array<ArrayBuffer> {
  const { width, height } = output;
  const fontPx = Math.round(height / 12);
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="#f7f7f2"/>`,
    `<rect x="0" y="${Math.round(height * 0.9)}" width="100%" height="${Math.round(height * 0.1)}" fill="#2f5d8a"/>`,
    `<text x="50%" y="45%" text-anchor="middle" font-family="sans-serif" font-size="${fontPx}" fill="#1d2733">${escapeXml(title)}</text>`,
    `</svg>`,
  ].join('\n');
  return new Uint8Array(new TextEncoder().encode(svg));
}

/** A file name from a title: lower-case letters, digits and dashes. */
export function slugOf(text: string, fallback: string): string {
  const slug = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return slug.length > 0 ? slug : fallback;
}
