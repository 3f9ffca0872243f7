import { describe, expect, it } from 'vitest';
import type { KeyPresenceVerdict } from '../../../shared/keying/key-presence.ts';
import { KeyPresenceWatch, keyPresenceEvery, keyPresenceSamples } from './key-presence-watch.ts';

const chromaKey = { similarity: 0.4, smoothness: 0.08, spill: 0.1 };

function solid(r: number, g: number, b: number, size = 32) {
  const rgb = new Uint8Array(size * size * 3);
  for (let i = 0; i < rgb.length; i += 3) {
    rgb[i] = r;
    rgb[i + 1] = g;
    rgb[i + 2] = b;
  }
  return { rgb, width: size, height: size };
}

const screen = solid(8, 152, 49);
const black = solid(0, 0, 0);

function watch() {
  const verdicts: KeyPresenceVerdict[] = [];
  const watcher = new KeyPresenceWatch((verdict) => verdicts.push(verdict));
  watcher.setKey('#089831', chromaKey);
  return { watcher, verdicts };
}

describe('KeyPresenceWatch', () => {
  it('judges within the first second of frames (25 at 25 fps)', () => {
    const framesNeeded = (keyPresenceSamples - 1) * keyPresenceEvery + 1;
    expect(framesNeeded).toBeLessThanOrEqual(25);
    const { watcher, verdicts } = watch();
    for (let i = 0; i < framesNeeded - 1; i += 1) watcher.observe(black);
    expect(verdicts).toHaveLength(0);
    watcher.observe(black);
    expect(verdicts).toEqual([{ kind: 'missing', keyedShare: 0, background: 'black' }]);
  });

  it('judges once, not on every later frame', () => {
    const { watcher, verdicts } = watch();
    for (let i = 0; i < 200; i += 1) watcher.observe(black);
    expect(verdicts).toHaveLength(1);
  });

  it('finds screen frames keyed', () => {
    const { watcher, verdicts } = watch();
    for (let i = 0; i < 25; i += 1) watcher.observe(screen);
    expect(verdicts.map((verdict) => verdict.kind)).toEqual(['keyed']);
  });

  it('judges again after the key changes, and not when the same key is set again', () => {
    const { watcher, verdicts } = watch();
    for (let i = 0; i < 25; i += 1) watcher.observe(solid(20, 60, 200));
    expect(verdicts.map((verdict) => verdict.kind)).toEqual(['missing']);
    watcher.setKey('#089831', { ...chromaKey });
    for (let i = 0; i < 25; i += 1) watcher.observe(solid(20, 60, 200));
    expect(verdicts).toHaveLength(1);
    watcher.setKey('#143cc8', chromaKey);
    for (let i = 0; i < 25; i += 1) watcher.observe(solid(20, 60, 200));
    expect(verdicts.map((verdict) => verdict.kind)).toEqual(['missing', 'keyed']);
  });

  it('waits for a key before judging', () => {
    const verdicts: KeyPresenceVerdict[] = [];
    const watcher = new KeyPresenceWatch((verdict) => verdicts.push(verdict));
    for (let i = 0; i < 50; i += 1) watcher.observe(black);
    expect(verdicts).toHaveLength(0);
  });
});
