import { describe, expect, it } from 'vitest';
import { assetLabel, cardTitle, middleEllipsis } from './draw-slide.ts';
import { graphemes } from './text-layout.ts';

const mono = (text: string) => graphemes(text).length * 10;

describe('placeholder and card texts', () => {
  it('names a missing asset by its file name', () => {
    expect(assetLabel('https://x.blob.core.windows.net/usermedia/a%20b.png?sig=1')).toBe('a b.png');
    expect(assetLabel('/home/ann/pictures/photo.jpg')).toBe('photo.jpg');
    expect(assetLabel('C:\\pics\\p.png')).toBe('p.png');
  });

  it('cuts a long name in the middle to fit, keeping both ends', () => {
    expect(middleEllipsis('short.png', 100, mono)).toBe('short.png');
    const cut = middleEllipsis('c34536d9-c459-459f-a723_ae01e3e4.jpg', 150, mono);
    expect(mono(cut)).toBeLessThanOrEqual(150);
    expect(cut.startsWith('c345')).toBe(true);
    expect(cut.endsWith('.jpg')).toBe(true);
    expect(cut).toContain('…');
  });

  it('titles a card by its title, else the narration’s first words, else the fallback', () => {
    expect(cardTitle(' Intro ', 'ignored', 'Slide 1')).toBe('Intro');
    expect(cardTitle(null, 'one two three', 'Slide 1')).toBe('one two three');
    expect(cardTitle(null, 'a b c d e f g h i j k l m n', 'Slide 1')).toBe(
      'a b c d e f g h i j k l…',
    );
    expect(cardTitle(null, '  ', 'Slide 3')).toBe('Slide 3');
  });
});
