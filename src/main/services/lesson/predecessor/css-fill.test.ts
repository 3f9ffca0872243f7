import { describe, expect, it } from 'vitest';
import { sniffAudioExtension } from './asset-types.ts';
import { parseCssFill } from './css-fill.ts';
import { cropFractions } from './document-objects.ts';
import { createPlanStore } from './plan-store.ts';

describe('parseCssFill', () => {
  it('reads colours as they are and gradients with their first stop as the colour', () => {
    expect(parseCssFill('#bda679')).toEqual({ color: '#bda679' });
    expect(parseCssFill('linear-gradient(180deg, rgb(147, 190, 223) 0%, #4e667c 100%)')).toEqual({
      color: 'rgb(147, 190, 223)',
      gradient: {
        angleDeg: 180,
        stops: [
          { color: 'rgb(147, 190, 223)', offset: 0 },
          { color: '#4e667c', offset: 1 },
        ],
      },
    });
    expect(parseCssFill('linear-gradient(to right, red, blue, green)')).toEqual({
      color: 'red',
      gradient: {
        angleDeg: 90,
        stops: [
          { color: 'red', offset: 0 },
          { color: 'blue', offset: 0.5 },
          { color: 'green', offset: 1 },
        ],
      },
    });
    for (const bad of [
      'linear-gradient(90deg, red',
      'linear-gradient(red)',
      'linear-gradient(to nowhere, red, blue)',
      'red; background: url(x)',
    ]) {
      expect(parseCssFill(bad), bad).toBe('invalid');
    }
  });
});

describe('cropFractions', () => {
  it("reads the editor's negative crop pixels as fractions of the whole picture", () => {
    expect(
      cropFractions(
        { croppedTop: -2, croppedLeft: 0, croppedRight: 0, croppedBottom: 0 },
        1032.22,
        1022.12,
      ),
    ).toEqual({ top: 2 / 1024.12, right: 0, bottom: 0, left: 0 });
    const banner = cropFractions({ croppedBottom: -44.40298507462686 }, 1950.7, 20.0824565);
    expect(banner.bottom).toBeCloseTo(0.6886, 4);
    // A crop larger than the picture still leaves a sliver (0.1 %) of it.
    const extreme = cropFractions({ croppedLeft: -1e9, croppedRight: 'x' }, 0, 10);
    expect(extreme.left).toBeCloseTo(0.999, 9);
    expect([extreme.top, extreme.right, extreme.bottom]).toEqual([0, 0, 0]);
  });
});

describe('sniffAudioExtension', () => {
  it('knows recordings by their first bytes', () => {
    expect(sniffAudioExtension(Buffer.from('ID3\u0004'))).toBe('mp3');
    expect(sniffAudioExtension(Uint8Array.of(0xff, 0xfb, 0x90, 0x00))).toBe('mp3');
    expect(sniffAudioExtension(Uint8Array.of(0xff, 0xf1, 0x50, 0x80))).toBe('aac');
    expect(sniffAudioExtension(Buffer.from('RIFF\u0000\u0000\u0000\u0000WAVEfmt '))).toBe('wav');
    expect(sniffAudioExtension(Buffer.from('OggS'))).toBe('ogg');
    expect(sniffAudioExtension(Buffer.from('\u0000\u0000\u0000\u0018ftypM4A '))).toBe('m4a');
    expect(sniffAudioExtension(Buffer.from('<html>'))).toBeNull();
  });
});

describe('createPlanStore', () => {
  it('keeps the most recently used plans, up to its size', () => {
    const store = createPlanStore(2);
    const stored = (planId: string) => ({ plan: { planId } as never, assets: new Map() });
    store.put(stored('a'));
    store.put(stored('b'));
    expect(store.get('a')).not.toBeNull();
    store.put(stored('c'));
    expect(store.get('b')).toBeNull();
    expect(store.get('a')).not.toBeNull();
    expect(store.get('c')).not.toBeNull();
  });
});
