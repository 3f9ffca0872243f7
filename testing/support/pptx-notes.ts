import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Test support: the speaker notes of a fixture deck read a second, independent way (Info-ZIP's
 * `unzip -p` and regular expressions over the XML), to check the readers against something that
 * shares none of their code.
 */

export const slidesFixturesDir = join(import.meta.dirname, '../../../shared/fixtures/media/slides');
export const notesDeck = join(slidesFixturesDir, 'ms_workshop_resume_website_16x9_21p_notes.pptx');
export const outlineDeck = join(slidesFixturesDir, 'gammasoft_modern_cpp_outline_16x9_11p.pptx');

export function hasUnzip(): boolean {
  try {
    execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function fixtureMissing(file: string): string | null {
  return existsSync(file)
    ? null
    : `fixture not found: ${file} (the shared media fixtures live outside the repo in ../shared/fixtures/media)`;
}

function unzipText(deck: string, part: string): string {
  return execFileSync('unzip', ['-p', deck, part], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

function unescape(text: string): string {
  return text
    .replace(/&lt;/gu, '<')
    .replace(/&gt;/gu, '>')
    .replace(/&quot;/gu, '"')
    .replace(/&apos;/gu, "'")
    .replace(/&#(\d+);/gu, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/gu, '&');
}

export const squash = (text: string) => text.replace(/\s+/gu, ' ').trim();

/** Each slide's notes in deck order, all text runs of the body placeholder, whitespace squashed. */
export function notesByUnzip(deck: string): string[] {
  const presentation = unzipText(deck, 'ppt/presentation.xml');
  const rels = unzipText(deck, 'ppt/_rels/presentation.xml.rels');
  const targets = new Map(
    [...rels.matchAll(/<Relationship [^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"/gu)].map((m) => [
      m[1],
      m[2],
    ]),
  );
  const order = [...presentation.matchAll(/<p:sldId [^>]*?r:id="([^"]+)"/gu)].map((m) =>
    targets.get(m[1] ?? ''),
  );
  return order.map((target) => {
    const slide = `ppt/${target ?? ''}`;
    const slideRels = unzipText(deck, slide.replace(/slides\//u, 'slides/_rels/') + '.rels');
    const notesTarget = /Type="[^"]*\/notesSlide" Target="\.\.\/([^"]+)"/u.exec(slideRels)?.[1];
    if (notesTarget === undefined) return '';
    const notes = unzipText(deck, `ppt/${notesTarget}`);
    const body = notes.split('<p:sp>').find((shape) => /<p:ph type="body"/u.test(shape)) ?? '';
    const paragraphs = body
      .split('</a:p>')
      .map((p) =>
        [...p.matchAll(/<a:t>([^<]*)<\/a:t>|<a:br\/>/gu)]
          .map((m) => (m[1] === undefined ? ' ' : unescape(m[1])))
          .join(''),
      );
    return squash(paragraphs.join(' '));
  });
}
