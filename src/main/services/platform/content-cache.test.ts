import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  canonicalJson,
  contentKey,
  createContentCache,
  isContentKey,
  type ContentCache,
} from './content-cache.ts';

describe('content keys', () => {
  test('canonical JSON sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: [2, { d: 1, c: 'x' }], a: null, z: undefined })).toBe(
      '{"a":null,"b":[2,{"c":"x","d":1}]}',
    );
    expect(() => canonicalJson({ f: [() => 1] })).toThrow(TypeError);
  });

  test('a key is 64 hex digits, the same for the same material in any key order', () => {
    const key = contentKey({ text: 'Hi', voice: { rate: 1, name: 'a' } });
    expect(isContentKey(key)).toBe(true);
    expect(contentKey({ voice: { name: 'a', rate: 1 }, text: 'Hi' })).toBe(key);
    expect(contentKey({ text: 'Hi!', voice: { rate: 1, name: 'a' } })).not.toBe(key);
    expect(isContentKey('../etc/passwd')).toBe(false);
    expect(isContentKey(key.toUpperCase())).toBe(false);
  });
});

describe('content cache on disk', () => {
  let directory: string;
  let cache: ContentCache;
  const key = contentKey({ entry: 1 });

  beforeEach(async () => {
    directory = join(await mkdtemp(join(tmpdir(), 'rapido-content-cache-')), 'cache');
    cache = createContentCache({ directory, extension: 'bin' });
  });
  afterEach(async () => {
    await rm(join(directory, '..'), { recursive: true, force: true });
  });

  test('whole entries: a miss, then the folder is created and the entry read back', async () => {
    expect(await cache.read(key)).toBeUndefined();
    expect(await cache.open(key)).toBeUndefined();
    expect(await cache.has(key)).toBe(false);
    await cache.write(key, new Uint8Array([1, 2, 3]));
    expect([...((await cache.read(key)) ?? [])]).toEqual([1, 2, 3]);
    expect(await cache.has(key)).toBe(true);
    expect(cache.pathOf(key)).toBe(join(directory, `${key}.bin`));
    await cache.remove(key);
    expect(await cache.has(key)).toBe(false);
  });

  test('a key that is not 64 hex digits never reaches the file system', async () => {
    await expect(cache.read('../../outside')).rejects.toThrow(RangeError);
    await expect(cache.write('x', new Uint8Array(1))).rejects.toThrow(RangeError);
    await expect(readdir(directory)).rejects.toThrow();
  });

  test('a piecewise entry is invisible until commit, and abort leaves nothing', async () => {
    const writer = await cache.beginWrite(key);
    await writer.handle.write(Buffer.from('abc'), 0, 3, 0);
    expect(await cache.read(key)).toBeUndefined();
    await writer.commit();
    expect((await cache.read(key))?.toString()).toBe('abc');

    const dropped = await cache.beginWrite(contentKey({ entry: 2 }));
    await dropped.handle.write(Buffer.from('half'), 0, 4, 0);
    await dropped.abort();
    await dropped.abort();
    expect(await readdir(directory)).toEqual([`${key}.bin`]);
  });

  test('concurrent writers of one key: readers only ever see a whole entry', async () => {
    // Each writer fills 64 chunks of one byte value; a reader seeing a mix or a short file would
    // have seen a partial entry.
    const chunk = 64 * 1024;
    const writers = await Promise.all([1, 2, 3, 4].map(() => cache.beginWrite(key)));
    const seen: string[] = [];
    const written = new AbortController();
    const reader = (async () => {
      while (!written.signal.aborted) {
        const bytes = await cache.read(key);
        if (bytes === undefined) {
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        const whole = bytes.length === 64 * chunk && bytes.every((byte) => byte === bytes[0]);
        seen.push(whole ? 'whole' : `partial (${bytes.length} bytes)`);
      }
    })();
    await Promise.all(
      writers.map(async (writer, n) => {
        for (let part = 0; part < 64; part++) {
          await writer.handle.write(Buffer.alloc(chunk, n + 1), 0, chunk, part * chunk);
        }
        await writer.commit();
      }),
    );
    written.abort();
    await reader;
    expect(seen.filter((what) => what !== 'whole')).toEqual([]);
    const final = await readFile(cache.pathOf(key));
    expect(final.length).toBe(64 * chunk);
    expect([1, 2, 3, 4]).toContain(final[0]);
    expect(await readdir(directory)).toEqual([`${key}.bin`]);
  });

  test('a stray temporary file from a crashed writer is never read as the entry', async () => {
    await cache.write(key, new Uint8Array([9]));
    await writeFile(join(directory, `.${key}.bin.tmp-123-abcdef`), 'half');
    expect([...((await cache.read(key)) ?? [])]).toEqual([9]);
  });
});
