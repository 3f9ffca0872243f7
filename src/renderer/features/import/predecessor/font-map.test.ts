import { describe, expect, it } from 'vitest';
import { createFontProbe, cssFontFamily, FontMapper, genericFor, quoteFamily } from './font-map.ts';

describe('FontMapper', () => {
  it('keeps a family this machine has, substitutes the rest once each', () => {
    const installed = new Set(['Cabin', 'DejaVu Sans', 'DejaVu Serif', 'Liberation Sans']);
    const fonts = new FontMapper((family) => installed.has(family));
    expect(fonts.map('Cabin')).toEqual({
      requested: 'Cabin',
      family: 'Cabin',
      generic: 'sans-serif',
    });
    expect(fonts.map('Poppins').family).toBe('DejaVu Sans');
    expect(fonts.map('poppins').family).toBe('DejaVu Sans');
    expect(fonts.map('Larken')).toMatchObject({ family: 'DejaVu Serif', generic: 'serif' });
    expect(fonts.map('Fira Code').generic).toBe('monospace');
    expect(fonts.substitutions()).toEqual([
      'Poppins → DejaVu Sans',
      'Larken → DejaVu Serif',
      'Fira Code → the default monospace font',
    ]);
  });

  it('prefers Liberation Sans to DejaVu Sans for the narrow Cabin', () => {
    const fonts = new FontMapper(
      (family) => family === 'Liberation Sans' || family === 'DejaVu Sans',
    );
    expect(fonts.map('Cabin').family).toBe('Liberation Sans');
  });

  it('writes a CSS family list with the generic family last', () => {
    expect(cssFontFamily({ requested: 'X', family: 'DejaVu Sans', generic: 'sans-serif' })).toBe(
      '"DejaVu Sans", sans-serif',
    );
    expect(cssFontFamily({ requested: 'X', family: null, generic: 'serif' })).toBe('serif');
    expect(quoteFamily('A "b" \\c')).toBe('"A \\"b\\" \\\\c"');
  });

  it('guesses the generic family from the name', () => {
    expect(genericFor('Playfair Display')).toBe('serif');
    expect(genericFor('PT Sans')).toBe('sans-serif');
    expect(genericFor('Noto Serif')).toBe('serif');
  });
});

describe('createFontProbe', () => {
  it('says a family exists when text in it measures unlike both fallbacks', () => {
    // A fake browser: "Here" draws 5 px per character, everything else falls back.
    const width = (font: string, text: string) => {
      const size = text.length;
      if (font.includes('"Here"')) return size * 5;
      return font.includes('monospace') ? size * 6 : size * 7;
    };
    const probe = createFontProbe(width);
    expect(probe('Here')).toBe(true);
    expect(probe('Absent')).toBe(false);
  });
});
