import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deckNarration, maxTextNarrationChars, sentencesFrom } from './deck-narration.ts';
import { DeckFormatError, readDeckText } from './deck-text.ts';
import {
  fixtureMissing,
  hasUnzip,
  notesByUnzip,
  notesDeck,
  outlineDeck,
  squash,
} from '../../../../../testing/support/pptx-notes.ts';
import { deckOf, zipOf } from '../../../../../testing/support/pptx-test-deck.ts';

function refusal(bytes: Uint8Array): DeckFormatError {
  try {
    readDeckText(bytes);
  } catch (error) {
    if (error instanceof DeckFormatError) return error;
    throw error;
  }
  throw new Error('expected a DeckFormatError');
}

describe('readDeckText', () => {
  it('follows p:sldIdLst, not file names, and reads title, notes and text per slide', () => {
    const deck = readDeckText(
      deckOf([
        {
          title: 'Welcome',
          titleType: 'ctrTitle',
          notes: ['Hello & welcome.', '', 'Second\nline.'],
        },
        { title: 'Agenda', body: ['First', 'Second'] },
        { body: ['Only a picture caption'], notes: ['  '] },
        { title: 'Secret', notes: ['Not shown.'], hidden: true },
      ]),
    );
    expect(deck.slides.map((s) => s.part)).toEqual([
      'ppt/slides/slide4.xml',
      'ppt/slides/slide3.xml',
      'ppt/slides/slide2.xml',
      'ppt/slides/slide1.xml',
    ]);
    expect(deck.slides.map((s) => s.title)).toEqual(['Welcome', 'Agenda', undefined, 'Secret']);
    // Paragraphs kept apart, a line break is a space, empty paragraphs dropped.
    expect(deck.slides[0]?.notes).toBe('Hello & welcome.\n\nSecond line.');
    // The slide number placeholder is furniture, not text.
    expect(deck.slides[1]?.text).toEqual(['Agenda', 'First', 'Second']);
    expect(deck.slides[2]?.notes).toBe('');
    expect(deck.slides.map((s) => s.hidden)).toEqual([false, false, false, true]);
  });

  it('takes notes only from the body placeholder, never the slide number or image', () => {
    const deck = readDeckText(deckOf([{ notes: ['Say this.'], notesFurniture: '42' }]));
    expect(deck.slides[0]?.notes).toBe('Say this.');
  });

  it('reads one branch of mc:AlternateContent, not the fallback copy as well', () => {
    const mc = 'http://schemas.openxmlformats.org/markup-compatibility/2006';
    const shapeWith = (text: string) =>
      `<p:sp><p:nvSpPr><p:cNvPr id="9" name="x"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:txBody><a:p><a:r><a:t>${text}</a:t></a:r></a:p></p:txBody></p:sp>`;
    const deck = readDeckText(
      deckOf([
        {
          title: 'Chart',
          rawShapes: `<mc:AlternateContent xmlns:mc="${mc}"><mc:Choice Requires="p14">${shapeWith('Sales rose')}</mc:Choice><mc:Fallback>${shapeWith('Sales rose')}</mc:Fallback></mc:AlternateContent>`,
        },
      ]),
    );
    expect(deck.slides[0]?.text).toEqual(['Chart', 'Sales rose']);
  });

  it('any notes text comes back with its paragraphs, whitespace collapsed (property)', () => {
    const paragraph = fc
      .string({ unit: 'grapheme', maxLength: 30 })
      .filter((s) => !Array.from(s).some((c) => c < ' ' || c === '\ufffe' || c === '\uffff'));
    fc.assert(
      fc.property(
        fc.array(fc.array(paragraph, { maxLength: 4 }), { minLength: 1, maxLength: 4 }),
        (notes) => {
          const deck = readDeckText(deckOf(notes.map((paragraphs) => ({ notes: paragraphs }))));
          deck.slides.forEach((slide, index) => {
            const expected = (notes[index] ?? []).map(squash).filter((p) => p.length > 0);
            expect(slide.notes).toBe(expected.join('\n\n'));
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('bad input: names the part, and the line where there is one', () => {
    expect(
      refusal(new TextEncoder().encode('PK\u0003\u0004 not really'.repeat(4))).message,
    ).toContain('the file: it is not a ZIP archive');
    expect(refusal(zipOf([{ name: 'word/document.xml', content: '<w/>' }])).message).toBe(
      '_rels/.rels: it is missing, so this is not an Office document',
    );
    expect(refusal(deckOf([])).message).toBe(
      'ppt/presentation.xml: the presentation has no slides (p:sldIdLst is empty)',
    );
    const malformed = refusal(
      deckOf([
        { notes: ['fine'] },
        {
          rawNotes:
            '<?xml version="1.0"?>\n<p:notes xmlns:p="urn:x">\n<p:cSld>\n<a:t>broken</p:cSld></p:notes>',
        },
      ]),
    );
    expect(malformed).toMatchObject({ part: 'ppt/notesSlides/notesSlide1.xml', line: 4 });
    expect(malformed.message).toBe(
      'ppt/notesSlides/notesSlide1.xml line 4: </p:cSld> does not close <a:t>',
    );
    const badEntity = refusal(
      deckOf([{ rawNotes: '<p:notes xmlns:p="urn:x">\n\nAT&T</p:notes>' }]),
    );
    expect(badEntity.message).toContain('ppt/notesSlides/notesSlide1.xml line 3: "&" must start');
  });

  it('the notes deck fixture: 21 slides, notes on 20, read slide by slide as unzip + regex read them', (ctx) => {
    const missing = fixtureMissing(notesDeck);
    if (missing !== null) return ctx.skip(missing);
    const deck = readDeckText(readFileSync(notesDeck));
    expect(deck.slides).toHaveLength(21);
    expect(deck.slides.filter((s) => s.notes.length > 0)).toHaveLength(20);
    expect(deck.slides[20]?.notes).toBe('');
    for (const slide of deck.slides.slice(0, 20)) {
      expect(slide.notes.length, slide.part).toBeGreaterThanOrEqual(266);
      expect(slide.notes.length, slide.part).toBeLessThanOrEqual(1406);
    }
    // Markup in notes is text, not markup; straight quotes and typographic ones survive.
    expect(deck.slides[10]?.notes).toContain('<!-- your work experience -->');
    expect(deck.slides[5]?.notes).toContain('"markup"');
    expect(deck.slides[8]?.notes).toContain('you’ve');
    expect(deck.slides[0]?.title).toBe(
      'Create a resume website in the browser using github.dev and GitHub Pages',
    );
    expect(deck.slides[5]?.title).toBe('Getting started with HTML');
    // Screenshots without a title placeholder have no title.
    expect(deck.slides[1]?.title).toBeUndefined();
    if (!hasUnzip()) return ctx.skip('unzip is not installed: the independent reading is skipped');
    expect(deck.slides.map((s) => squash(s.notes))).toEqual(notesByUnzip(notesDeck));
  });

  it('the outline deck fixture: no notes, so every slide falls back to its text', (ctx) => {
    const missing = fixtureMissing(outlineDeck);
    if (missing !== null) return ctx.skip(missing);
    const narration = deckNarration(readDeckText(readFileSync(outlineDeck)));
    expect(narration.hidden).toEqual([]);
    expect(narration.slides.map((s) => s.source)).toEqual(Array<string>(11).fill('text'));
    expect(narration.slides[1]).toMatchObject({ number: 2, title: 'Who am I ?' });
    expect(narration.slides[1]?.narration).toMatch(/^Who am I \? Gammasoft is the nickname/u);
    for (const slide of narration.slides) {
      expect(slide.narration.length).toBeLessThanOrEqual(maxTextNarrationChars);
    }
  });
});

describe('deckNarration', () => {
  it('notes first, else the text as sentences, else silence; hidden slides counted apart', () => {
    const narration = deckNarration(
      readDeckText(
        deckOf([
          { title: 'One', body: ['Ignored'], notes: ['Spoken words.'] },
          { title: 'Two', body: ['First point', 'Second point!'] },
          { hidden: true, title: 'Three', notes: ['Hidden.'] },
          {},
        ]),
      ),
    );
    expect(narration).toEqual({
      slides: [
        { number: 1, title: 'One', narration: 'Spoken words.', source: 'notes' },
        { number: 2, title: 'Two', narration: 'Two. First point. Second point!', source: 'text' },
        { number: 4, title: undefined, narration: '', source: 'none' },
      ],
      hidden: [3],
    });
  });

  it('sentencesFrom drops bullet marks and ends each paragraph', () => {
    expect(sentencesFrom(['• Lists', 'Grids:', 'The end.'])).toBe('Lists. Grids: The end.');
  });
});
