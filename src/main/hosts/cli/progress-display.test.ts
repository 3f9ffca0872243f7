import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { barLine, createProgressDisplay, stateForBar } from './progress-display.ts';

describe('the terminal progress bar line', () => {
  it('fills the bar in proportion, with percent, time left and what is happening', () => {
    expect(barLine({ fraction: 0.5, label: 'page 6 of 11', etaMs: 12_000 }, 10)).toBe(
      '[█████░░░░░]  50% · 00:12 left · page 6 of 11',
    );
    // At 100 % only the finishing step is left: no time-left estimate, whatever was known.
    expect(barLine({ fraction: 1, label: 'saving the lesson', etaMs: null }, 4)).toBe(
      '[████] 100% · saving the lesson',
    );
  });

  it('says it is estimating until a time left is known, and clamps what is out of range', () => {
    expect(barLine({ fraction: -1, label: 'opening', etaMs: null }, 4)).toBe(
      '[░░░░]   0% · estimating time left · opening',
    );
    expect(barLine({ fraction: Number.NaN, label: 'x', etaMs: Number.POSITIVE_INFINITY }, 2)).toBe(
      '[░░]   0% · estimating time left · x',
    );
    expect(barLine({ fraction: 7, label: 'x', etaMs: -5 }, 2)).toBe('[██] 100% · x');
    expect(barLine({ fraction: 0.5, label: 'x', etaMs: -5 }, 2)).toBe('[█░]  50% · 00:00 left · x');
  });

  it("uses the verb's own estimate, else the library's (seconds), else none", () => {
    expect(stateForBar({ progress: 0.2, eta: 30 }, { label: 'a', etaMs: 5000 })).toEqual({
      fraction: 0.2,
      label: 'a',
      etaMs: 5000,
    });
    expect(stateForBar({ progress: 0.2, eta: 30 }, { label: 'a', etaMs: null })).toEqual({
      fraction: 0.2,
      label: 'a',
      etaMs: 30_000,
    });
    expect(stateForBar({ progress: 0, eta: Number.NaN }, undefined)).toEqual({
      fraction: 0,
      label: '',
      etaMs: null,
    });
  });
});

describe('the display off a terminal', () => {
  it('prints the given lines and messages, nothing for a bar-only update', () => {
    const out = new PassThrough();
    let text = '';
    out.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    const display = createProgressDisplay(out as unknown as NodeJS.WriteStream, false);
    display.update({ fraction: 0.1, label: 'page 1', etaMs: null }, '[ 10%] page 1');
    display.update({ fraction: 0.15, label: 'page 1', etaMs: null }, null);
    display.message('Wrote it');
    display.stop();
    expect(text).toBe('[ 10%] page 1\nWrote it\n');
    expect(text).not.toContain('\r');
  });
});

describe('the display on a terminal', () => {
  it('draws the bar with the latest state, messages above it, and no plain lines', async () => {
    const stream = new PassThrough();
    const out = Object.assign(stream, {
      isTTY: true,
      columns: 120,
    }) as unknown as NodeJS.WriteStream;
    let text = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    const display = createProgressDisplay(out, true);
    display.update({ fraction: 0.25, label: 'page 3 of 12', etaMs: 9000 }, '[ 25%] page 3 of 12');
    display.message('Converted with LibreOffice');
    display.update({ fraction: 0.5, label: 'page 6 of 12', etaMs: null }, '[ 50%] page 6 of 12');
    display.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(text).toContain('Converted with LibreOffice\n');
    expect(text).toContain('[███████████████░░░░░░░░░░░░░░░]  50% · ');
    expect(text).toContain('page 6 of 12');
    expect(text, 'the plain lines are for pipes only').not.toContain('[ 50%]');
  });
});
