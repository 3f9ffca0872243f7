import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertPptxToPdf, findLibreOffice } from './pptx-convert.ts';
import { zipOf } from '../../../../testing/support/pptx-test-deck.ts';
import { ZipArchive } from './pptx/zip-reader.ts';
import {
  fixtureMissing,
  hasUnzip,
  notesByUnzip,
  notesDeck,
  outlineDeck,
  squash,
} from '../../../../testing/support/pptx-notes.ts';

/**
 * The fixture decks through the real LibreOffice (Debian's libreoffice-impress, installed by
 * scripts/setup-system.sh and CI): one PDF page per shown slide, and each slide's narration its
 * speaker notes, checked slide by slide against the notes read independently (unzip + regex).
 * Skipped, saying why, where LibreOffice or the fixtures are absent.
 */

const lookup = await findLibreOffice();
const noLibreOffice = lookup.found
  ? null
  : 'LibreOffice (soffice) is not installed here: run scripts/setup-system.sh (libreoffice-impress)';

/** Pages of a PDF from its page tree root's /Count (LibreOffice writes one, uncompressed). */
function pdfPageCount(pdf: Uint8Array): number {
  const text = Buffer.from(pdf).toString('latin1');
  const counts = [
    ...text.matchAll(
      /\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/gu,
    ),
  ].map((m) => Number(m[1] ?? m[2]));
  return Math.max(0, ...counts);
}

async function convert(file: string) {
  const result = await convertPptxToPdf({
    fileName: basename(file),
    bytes: new Uint8Array(readFileSync(file)),
    timeoutMs: 170_000,
  });
  if (!result.ok) throw new Error(`conversion failed: ${JSON.stringify(result.error)}`);
  return result.value;
}

describe('PowerPoint import through the real LibreOffice', () => {
  it('the notes deck: 21 pages, each slide narrated from its notes, the last from its text', async (ctx) => {
    if (noLibreOffice !== null) return ctx.skip(noLibreOffice);
    const missing = fixtureMissing(notesDeck);
    if (missing !== null) return ctx.skip(missing);
    const { pdf, converter, deck } = await convert(notesDeck);
    expect(converter).toMatch(/^LibreOffice \d/u);
    expect(pdfPageCount(pdf)).toBe(21);
    if (deck === null) throw new Error('a .pptx has its deck read');
    expect(deck.hidden).toEqual([]);
    expect(deck.slides.map((s) => s.number)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(deck.slides.map((s) => s.source)).toEqual([...Array<string>(20).fill('notes'), 'text']);
    expect(deck.slides[20]?.narration).toContain('To continue growing your web development skills');
    expect(deck.slides[5]?.title).toBe('Getting started with HTML');
    if (!hasUnzip()) return ctx.skip('unzip is not installed: notes not compared independently');
    const expected = notesByUnzip(notesDeck);
    deck.slides.slice(0, 20).forEach((slide, index) => {
      expect(squash(slide.narration), `slide ${slide.number}`).toBe(expected[index]);
    });
  }, 180_000);

  it('the outline deck: 11 pages, no notes, so each slide is narrated from its own text', async (ctx) => {
    if (noLibreOffice !== null) return ctx.skip(noLibreOffice);
    const missing = fixtureMissing(outlineDeck);
    if (missing !== null) return ctx.skip(missing);
    const { pdf, deck } = await convert(outlineDeck);
    expect(pdfPageCount(pdf)).toBe(11);
    expect(deck?.slides.map((s) => s.source)).toEqual(Array<string>(11).fill('text'));
    expect(deck?.slides[2]).toMatchObject({ title: 'Outline' });
    expect(deck?.slides[2]?.narration).toContain('Language Basics');
  }, 180_000);

  it('hidden slides: LibreOffice leaves them out of the PDF, and so do the narrations', async (ctx) => {
    if (noLibreOffice !== null) return ctx.skip(noLibreOffice);
    const missing = fixtureMissing(outlineDeck);
    if (missing !== null) return ctx.skip(missing);
    // The outline deck with slides 2 and 5 hidden (p:sld show="0"), repacked part by part.
    const source = ZipArchive.open(new Uint8Array(readFileSync(outlineDeck)));
    const hide = new Set(['ppt/slides/slide2.xml', 'ppt/slides/slide5.xml']);
    const repacked = zipOf(
      source.entries.map((entry) => {
        const bytes = source.read(entry.name);
        if (!hide.has(entry.name)) return { name: entry.name, content: bytes };
        const xml = new TextDecoder().decode(bytes).replace(/<p:sld\b/u, '<p:sld show="0"');
        return { name: entry.name, content: xml };
      }),
    );
    const result = await convertPptxToPdf({
      fileName: 'hidden.pptx',
      bytes: repacked,
      timeoutMs: 170_000,
    });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(pdfPageCount(result.value.pdf)).toBe(9);
    expect(result.value.deck?.hidden).toEqual([2, 5]);
    expect(result.value.deck?.slides.map((s) => s.number)).toEqual([1, 3, 4, 6, 7, 8, 9, 10, 11]);
  }, 180_000);
});
