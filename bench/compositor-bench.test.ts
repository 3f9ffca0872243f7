import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { summarise } from './compositor-bench.ts';
import { extractLargestPdfJpeg } from './slide-image.ts';

describe('summarise', () => {
  it('takes the nearest-rank median and p95 of frame times', () => {
    const frameMs = Array.from({ length: 100 }, (_, index) => 100 - index); // 1..100, shuffled order
    expect(summarise(frameMs)).toEqual({ medianMs: 50, p95Ms: 95, meanMs: 50.5, medianFps: 20 });
  });
});

describe('extractLargestPdfJpeg', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('copies the largest DCTDecode image stream byte for byte', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rapido-slide-image-'));
    const small = Buffer.from([0xff, 0xd8, 1, 2, 0xff, 0xd9]);
    const large = Buffer.from([0xff, 0xd8, 9, 8, 7, 6, 5, 0xff, 0xd9]);
    const pdf = Buffer.concat([
      Buffer.from(
        '%PDF-1.4\n1 0 obj\n<</Type/XObject/Subtype/Image/Filter/DCTDecode/Length 6>>stream\n',
      ),
      small,
      Buffer.from(
        '\nendstream\nendobj\n2 0 obj\n<</Subtype/Image/Width 9/Filter/DCTDecode>>\nstream\r\n',
      ),
      large,
      Buffer.from(
        '\r\nendstream\nendobj\n3 0 obj\n<</Subtype/Image/Filter/FlateDecode>>stream\nxx\nendstream\n',
      ),
    ]);
    await writeFile(join(dir, 'deck.pdf'), pdf);
    expect(await extractLargestPdfJpeg(join(dir, 'deck.pdf'), join(dir, 'slide.jpg'))).toBe(true);
    const jpeg = await readFile(join(dir, 'slide.jpg'));
    expect(jpeg).toEqual(large);
  });

  it('says so when the PDF has no JPEG', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rapido-slide-image-'));
    await writeFile(
      join(dir, 'deck.pdf'),
      '%PDF-1.4\n<</Subtype/Image/Filter/FlateDecode>>stream\nx\nendstream\n',
    );
    expect(await extractLargestPdfJpeg(join(dir, 'deck.pdf'), join(dir, 'slide.jpg'))).toBe(false);
  });
});
