import { describe, expect, it } from 'vitest';
import { PregenerateEta } from './prepare-eta.ts';

describe('PregenerateEta', () => {
  it('knows nothing before anything is measured', () => {
    expect(new PregenerateEta().etaMs(100)).toBeNull();
    expect(new PregenerateEta().etaMs(100, { characters: 0, wallMs: 50 })).toBeNull();
  });

  it('is zero when nothing is left', () => {
    expect(new PregenerateEta().etaMs(0)).toBe(0);
  });

  it('weighs the rest by characters at the pace so far', () => {
    const eta = new PregenerateEta();
    eta.record({ characters: 100, wallMs: 1000, fromCache: false });
    expect(eta.etaMs(300)).toBe(3000);
  });

  it('uses the slide under way before any slide has finished', () => {
    expect(new PregenerateEta().etaMs(90, { characters: 10, wallMs: 500 })).toBe(4500);
  });

  it('lets only made slides set the pace (cached ones take no time)', () => {
    const eta = new PregenerateEta();
    eta.record({ characters: 1000, wallMs: 10, fromCache: true });
    expect(eta.etaMs(100)).toBeNull();
    expect(eta.etaMs(100, { characters: 0, wallMs: 3000 })).toBeNull();
    expect(eta.etaMs(100, { characters: 10, wallMs: 1000 })).toBe(10_000);
    eta.record({ characters: 100, wallMs: 2000, fromCache: false });
    expect(eta.etaMs(100)).toBe(2000);
  });
});
