/**
 * The predecessor's documents name web fonts (Cabin, Poppins and Larken in the real ones) that a
 * machine seldom has. Each family is drawn with the first font of its list that exists here, the
 * closest in look first (metric-compatible and common families before the ones every Linux has),
 * and each substitution is said once ("Poppins → DejaVu Sans").
 */

export type GenericFamily = 'sans-serif' | 'serif' | 'monospace';

/** The fonts tried after the document's own, by family (lower case). */
const knownFamilies: Record<string, { generic: GenericFamily; candidates: readonly string[] }> = {
  // Geometric sans: Montserrat and the system UI sans are nearest; DejaVu Sans is as wide.
  poppins: {
    generic: 'sans-serif',
    candidates: [
      'Montserrat',
      'Open Sans',
      'Segoe UI',
      'Helvetica Neue',
      'DejaVu Sans',
      'Liberation Sans',
      'Arial',
    ],
  },
  // Humanist sans, narrow: Lato / Open Sans, then Liberation Sans (Arial's metrics).
  cabin: {
    generic: 'sans-serif',
    candidates: [
      'Lato',
      'Open Sans',
      'Segoe UI',
      'Liberation Sans',
      'Arial',
      'Helvetica',
      'DejaVu Sans',
    ],
  },
  // A display serif.
  larken: {
    generic: 'serif',
    candidates: ['Lora', 'Georgia', 'DejaVu Serif', 'Liberation Serif', 'Times New Roman'],
  },
};

const genericCandidates: Record<GenericFamily, readonly string[]> = {
  'sans-serif': [
    'Open Sans',
    'Segoe UI',
    'Helvetica Neue',
    'Liberation Sans',
    'Arial',
    'DejaVu Sans',
  ],
  serif: ['Georgia', 'DejaVu Serif', 'Liberation Serif', 'Times New Roman'],
  monospace: ['DejaVu Sans Mono', 'Liberation Mono', 'Consolas', 'Courier New'],
};

/** A family the document names but this list does not know: guessed from its name. */
export function genericFor(family: string): GenericFamily {
  const name = family.toLowerCase();
  if (/mono|code|courier|consol/u.test(name)) return 'monospace';
  if (/serif/u.test(name) && !/sans/u.test(name)) return 'serif';
  if (/garamond|times|georgia|playfair|merriweather|lora|baskerville|larken/u.test(name)) {
    return 'serif';
  }
  return 'sans-serif';
}

export interface MappedFont {
  /** As the document named it. */
  requested: string;
  /** What is drawn: the document's own when it exists, else its substitute, else null (generic). */
  family: string | null;
  generic: GenericFamily;
}

/** A family name quoted for CSS and canvas `font` (quotes and backslashes escaped). */
export function quoteFamily(family: string): string {
  return `"${family.replace(/["\\]/gu, (c) => `\\${c}`)}"`;
}

/** The CSS font-family list that draws `font`: its family, then the generic one. */
export function cssFontFamily(font: MappedFont): string {
  return font.family === null ? font.generic : `${quoteFamily(font.family)}, ${font.generic}`;
}

export class FontMapper {
  private readonly mapped = new Map<string, MappedFont>();

  /** `isAvailable` says whether this machine (this browser) can draw a family. */
  constructor(private readonly isAvailable: (family: string) => boolean) {}

  map(requested: string): MappedFont {
    const key = requested.trim().toLowerCase();
    const known = this.mapped.get(key);
    if (known) return known;
    const entry = knownFamilies[key];
    const generic = entry?.generic ?? genericFor(requested);
    const candidates = [requested.trim(), ...(entry?.candidates ?? genericCandidates[generic])];
    const family = candidates.find((name) => name !== '' && this.isAvailable(name)) ?? null;
    const font: MappedFont = { requested: requested.trim(), family, generic };
    this.mapped.set(key, font);
    return font;
  }

  /** One line per family drawn with another font, in the order first met. */
  substitutions(): string[] {
    return [...this.mapped.values()]
      .filter((font) => font.family !== font.requested)
      .map((font) => `${font.requested} → ${font.family ?? `the default ${font.generic} font`}`);
  }
}

/**
 * Whether the browser draws `family` itself: text in `"family", fallback` measures differently
 * from the fallback alone, for two different fallbacks (a font that happens to match one of them
 * in width still differs from the other). `document.fonts.check` cannot say this: it answers true
 * for any installed-or-not system family.
 */
export function createFontProbe(
  measure: (font: string, text: string) => number,
): (family: string) => boolean {
  const sample = 'mmmmmmmmmmlliWQ@#ãg 0123456789';
  const cache = new Map<string, boolean>();
  return (family) => {
    const cached = cache.get(family);
    if (cached !== undefined) return cached;
    const available = (['monospace', 'serif'] as const).some(
      (fallback) =>
        measure(`72px ${quoteFamily(family)}, ${fallback}`, sample) !==
        measure(`72px ${fallback}`, sample),
    );
    cache.set(family, available);
    return available;
  };
}

/** The probe over this browser's canvas text measurement. */
export function browserFontProbe(): (family: string) => boolean {
  const context = new OffscreenCanvas(8, 8).getContext('2d');
  if (!context) return () => false;
  return createFontProbe((font, text) => {
    context.font = font;
    return context.measureText(text).width;
  });
}
