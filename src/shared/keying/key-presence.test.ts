import { describe, expect, it } from 'vitest';
import { borderKeyShare, judgeKeyPresence, type RgbImageLike } from './key-presence.ts';

const key = '#089831';
const chromaKey = { similarity: 0.4, smoothness: 0.08, spill: 0.1 };

type Paint = (x: number, y: number) => readonly [number, number, number];

function frame(width: number, height: number, paint: Paint): RgbImageLike {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const [r, g, b] = paint(x, y);
      const offset = (y * width + x) * 3;
      rgb[offset] = r;
      rgb[offset + 1] = g;
      rgb[offset + 2] = b;
    }
  }
  return { rgb, width, height };
}

/** A presenter (skin and a dark suit) in the middle, reaching the bottom edge, on `screen`. */
function presenterOn(screen: readonly [number, number, number]): RgbImageLike {
  return frame(128, 128, (x, y) => {
    const body = x > 40 && x < 88 && y > 50;
    const head = Math.hypot(x - 64, y - 36) < 18;
    if (head) return [224, 172, 140];
    if (body) return [40, 44, 60];
    return screen;
  });
}

/** A background picture: a sky gradient over a brown floor, as a server's default image. */
const picture: Paint = (x, y) => (y < 80 ? [100 + x / 4, 140, 230] : [110, 80, 50]);

describe('borderKeyShare', () => {
  it('finds most of a screen frame’s border keyed, the presenter’s edge excepted', () => {
    const share = borderKeyShare(presenterOn([8, 152, 49]), key, chromaKey);
    expect(share.keyed).toBeGreaterThan(0.8);
    expect(share.keyed).toBeLessThan(1);
    expect(share.black).toBe(0);
  });

  it('keys a lit screen a little off the lesson’s colour as the keyer would', () => {
    expect(borderKeyShare(presenterOn([20, 170, 60]), key, chromaKey).keyed).toBeGreaterThan(0.8);
  });

  it('finds nothing keyed on a frame the server composited onto black', () => {
    const share = borderKeyShare(presenterOn([0, 0, 0]), key, chromaKey);
    expect(share.keyed).toBe(0);
    expect(share.black).toBeGreaterThan(0.8);
  });

  it('finds nothing keyed on a frame composited onto a picture', () => {
    const share = borderKeyShare(frame(128, 128, picture), key, chromaKey);
    expect(share.keyed).toBe(0);
    expect(share.black).toBe(0);
  });

  it('finds a blue screen not keyed by a green key', () => {
    expect(borderKeyShare(presenterOn([20, 60, 200]), key, chromaKey).keyed).toBe(0);
  });

  it('answers nothing keyed for an empty or short image instead of throwing', () => {
    expect(borderKeyShare({ rgb: new Uint8Array(0), width: 0, height: 0 }, key, chromaKey)).toEqual(
      { keyed: 0, black: 0 },
    );
    expect(borderKeyShare({ rgb: new Uint8Array(5), width: 4, height: 4 }, key, chromaKey)).toEqual(
      { keyed: 0, black: 0 },
    );
  });

  it('samples a large frame without reading every border pixel, to the same answer', () => {
    const big = frame(512, 512, (x, y) =>
      x > 200 && x < 312 && y > 150 ? [40, 44, 60] : [8, 152, 49],
    );
    const full = borderKeyShare(big, key, chromaKey, { maxSamples: 1_000_000 });
    const sampled = borderKeyShare(big, key, chromaKey, { maxSamples: 500 });
    expect(Math.abs(full.keyed - sampled.keyed)).toBeLessThan(0.05);
  });
});

describe('judgeKeyPresence', () => {
  it('calls screen frames keyed', () => {
    const share = borderKeyShare(presenterOn([8, 152, 49]), key, chromaKey);
    expect(judgeKeyPresence([share, share, share]).kind).toBe('keyed');
  });

  it('calls black-composited frames missing, on black', () => {
    const share = borderKeyShare(presenterOn([0, 0, 0]), key, chromaKey);
    expect(judgeKeyPresence([share, share])).toEqual({
      kind: 'missing',
      keyedShare: 0,
      background: 'black',
    });
  });

  it('calls picture-composited frames missing, on an image', () => {
    const share = borderKeyShare(frame(128, 128, picture), key, chromaKey);
    const verdict = judgeKeyPresence([share]);
    expect(verdict.kind).toBe('missing');
    expect(verdict.kind === 'missing' && verdict.background).toBe('image');
  });

  it('is not swayed by one odd frame among keyed ones (the median decides)', () => {
    const keyed = borderKeyShare(presenterOn([8, 152, 49]), key, chromaKey);
    const dark = { keyed: 0, black: 1 };
    expect(judgeKeyPresence([keyed, dark, keyed, keyed, dark]).kind).toBe('keyed');
    expect(judgeKeyPresence([dark, keyed, dark]).kind).toBe('missing');
  });
});
