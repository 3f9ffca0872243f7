import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zipOf } from '../../../../../testing/support/pptx-test-deck.ts';
import { ZipArchive, ZipFormatError } from './zip-reader.ts';

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function refusal(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof ZipFormatError) return error.message;
    throw error;
  }
  throw new Error('expected a ZipFormatError');
}

describe('ZipArchive', () => {
  it('reads stored and deflated entries, by name without regard to case', () => {
    const zip = ZipArchive.open(
      zipOf([
        { name: 'a.txt', content: 'stored', method: 0 },
        { name: 'ppt/Slides/slide1.xml', content: 'deflated '.repeat(100) },
      ]),
    );
    expect(zip.entries.map((e) => e.name)).toEqual(['a.txt', 'ppt/Slides/slide1.xml']);
    expect(decode(zip.read('A.TXT'))).toBe('stored');
    expect(decode(zip.read('ppt/slides/slide1.xml'))).toBe('deflated '.repeat(100));
  });

  it('any entries written come back byte for byte (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            name: fc.stringMatching(/^[a-z0-9_/]{1,20}\.xml$/u),
            content: fc.uint8Array({ maxLength: 2000 }),
            method: fc.constantFrom<0 | 8>(0, 8),
          }),
          { selector: (entry) => entry.name.toLowerCase(), maxLength: 8 },
        ),
        (entries) => {
          const zip = ZipArchive.open(zipOf(entries));
          for (const entry of entries) expect(zip.read(entry.name)).toEqual(entry.content);
        },
      ),
    );
  });

  it('damaged archives fail with a ZipFormatError or read back the same bytes (property)', () => {
    const content = new TextEncoder().encode('<p:sld>notes</p:sld>'.repeat(20));
    const good = zipOf([{ name: 'ppt/slides/slide1.xml', content }]);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            at: fc.nat({ max: good.byteLength - 1 }),
            value: fc.integer({ min: 0, max: 255 }),
          }),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.nat({ max: good.byteLength }),
        (changes, keep) => {
          const bytes = good.slice(0, Math.max(keep, good.byteLength - 30));
          for (const change of changes)
            if (change.at < bytes.byteLength) bytes[change.at] = change.value;
          try {
            const zip = ZipArchive.open(bytes);
            const read = zip.read('ppt/slides/slide1.xml');
            expect(read).toEqual(content);
          } catch (error) {
            expect(error).toBeInstanceOf(ZipFormatError);
          }
        },
      ),
    );
  });

  it('refuses what is not a ZIP, a truncated one, and a missing entry by name', () => {
    expect(refusal(() => ZipArchive.open(new TextEncoder().encode('<html>'.repeat(10))))).toContain(
      'not a ZIP archive',
    );
    const bytes = zipOf([{ name: 'x.xml', content: 'hello'.repeat(50) }]);
    expect(refusal(() => ZipArchive.open(bytes.subarray(0, bytes.byteLength - 30)))).toContain(
      'not a ZIP archive',
    );
    expect(refusal(() => ZipArchive.open(bytes).read('y.xml'))).toBe(
      'y.xml is missing from the archive',
    );
  });

  it('stops a bomb at the declared size instead of inflating it', () => {
    // 64 MB of zeros deflate to about 64 kB; the directory claims 100 bytes.
    const bomb = zipOf([
      {
        name: 'ppt/slides/slide1.xml',
        content: new Uint8Array(64 * 1024 * 1024),
        declaredSize: 100,
      },
    ]);
    expect(refusal(() => ZipArchive.open(bomb).read('ppt/slides/slide1.xml'))).toContain(
      'ppt/slides/slide1.xml',
    );
  });

  it('refuses an entry over the per-entry limit and reads over the total limit', () => {
    const bytes = zipOf([
      { name: 'a.xml', content: 'a'.repeat(600) },
      { name: 'b.xml', content: 'b'.repeat(600) },
    ]);
    const small = { maxEntries: 10, maxEntryBytes: 500, maxTotalBytes: 1000 };
    expect(refusal(() => ZipArchive.open(bytes, small).read('a.xml'))).toBe(
      'a.xml is 600 bytes uncompressed, more than 500',
    );
    const total = { maxEntries: 10, maxEntryBytes: 1000, maxTotalBytes: 1000 };
    const zip = ZipArchive.open(bytes, total);
    zip.read('a.xml');
    expect(refusal(() => zip.read('b.xml'))).toContain('more than 1000 bytes in all');
    expect(refusal(() => ZipArchive.open(bytes, { ...total, maxEntries: 1 }))).toContain(
      'it has 2 entries, more than 1',
    );
  });

  it('refuses a duplicate part name and a damaged CRC', () => {
    expect(
      refusal(() =>
        ZipArchive.open(
          zipOf([
            { name: 'ppt/a.xml', content: '1' },
            { name: 'PPT/A.xml', content: '2' },
          ]),
        ),
      ),
    ).toBe('the archive holds PPT/A.xml twice');
    const bytes = zipOf([{ name: 'a.xml', content: 'abcdef', method: 0 }]);
    bytes[30 + 'a.xml'.length] = 'z'.charCodeAt(0);
    expect(refusal(() => ZipArchive.open(bytes).read('a.xml'))).toBe(
      'a.xml is damaged (its CRC-32 does not match)',
    );
  });
});
