import type { DeckText } from './deck-text.ts';

/**
 * The narration each shown slide of a deck gets: its speaker notes, where the presenter keeps
 * what they will say; a slide without notes falls back to its own text (title, then the other
 * paragraphs as sentences), a start for the teacher to edit; a slide without either is silent.
 * Hidden slides are not in LibreOffice's PDF, so they get no entry and are counted apart.
 */

/** The lesson's own limit per slide (lesson-schema.ts). */
export const maxNotesNarrationChars = 20_000;
/** Fallback text is a start, as a PDF page's text is (page-text.ts keeps 600 too). */
export const maxTextNarrationChars = 600;

export type NarrationSource = 'notes' | 'text' | 'none';

export interface DeckSlideNarration {
  /** 1-based position in the deck, hidden slides included (as PowerPoint numbers them). */
  number: number;
  title: string | undefined;
  narration: string;
  source: NarrationSource;
}

export interface DeckNarration {
  /** The shown slides, in order: one per page of LibreOffice's PDF. */
  slides: DeckSlideNarration[];
  /** Numbers of the hidden slides left out. */
  hidden: number[];
}

const sentenceEnd = /[.!?…:;]["'”’)\]]*$/u;

/** Whole sentences up to `maxChars`; one long sentence is cut at a word and ends with "…". */
export function capNarration(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const head = text.slice(0, maxChars);
  let end = -1;
  for (const match of head.matchAll(/[.!?…]["'”’)\]]*(?=\s)/gu))
    end = match.index + match[0].length;
  if (end >= maxChars / 3) return text.slice(0, end).trimEnd();
  const space = head.lastIndexOf(' ', maxChars - 2);
  return `${head.slice(0, space > maxChars / 2 ? space : maxChars - 1).trimEnd()}…`;
}

/** Paragraphs read as sentences: each gets a full stop unless it already ends one. */
export function sentencesFrom(paragraphs: readonly string[]): string {
  return paragraphs
    .map((paragraph) => paragraph.replace(/^[•◦▪●○■□►▶‣⁃∙·*\-–—]\s+/u, '').trim())
    .filter((paragraph) => paragraph.length > 0)
    .map((paragraph) =>
      sentenceEnd.test(paragraph) ? paragraph : `${paragraph.replace(/[,]$/u, '')}.`,
    )
    .join(' ');
}

export function deckNarration(deck: DeckText): DeckNarration {
  const slides: DeckSlideNarration[] = [];
  const hidden: number[] = [];
  for (const slide of deck.slides) {
    if (slide.hidden) {
      hidden.push(slide.number);
      continue;
    }
    const notes = slide.notes.trim();
    const text = notes.length > 0 ? '' : sentencesFrom(slide.text);
    slides.push({
      number: slide.number,
      title: slide.title,
      ...(notes.length > 0
        ? { narration: capNarration(notes, maxNotesNarrationChars), source: 'notes' as const }
        : text.length > 0
          ? { narration: capNarration(text, maxTextNarrationChars), source: 'text' as const }
          : { narration: '', source: 'none' as const }),
    });
  }
  return { slides, hidden };
}
