import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  sampleLessonDir,
  startApiTestServer,
  type ApiTestServer,
} from '../../../../testing/farm/api-test-server.ts';
import { zipOf, type ZipInput } from '../../../../testing/support/pptx-test-deck.ts';
import { farmPaths } from '../jobs/render-queue.ts';
import { entrySegments } from './archive-unpack.ts';

/**
 * Lesson archives uploaded to `POST /v1/jobs` (Content-Type: application/zip): unpacked into
 * RAPIDO_DATA_DIR/farm/lessons and queued when safe and valid; refused with a 400 naming the
 * rule otherwise, with nothing queued and nothing left on disk.
 */
let api: ApiTestServer;
let token: string;
let sampleEntries: ZipInput[];

async function filesUnder(dir: string, prefix = ''): Promise<ZipInput[]> {
  const out: ZipInput[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path, `${prefix}${entry.name}/`)));
    else out.push({ name: `${prefix}${entry.name}`, content: await readFile(path) });
  }
  return out;
}

beforeAll(async () => {
  api = await startApiTestServer({ limits: { archiveBodyBytes: 256 * 1024, maxEntries: 50 } });
  token = await api.token();
  sampleEntries = await filesUnder(sampleLessonDir);
});
afterAll(async () => {
  await api.close();
});

function upload(bytes: Uint8Array, query = '', headers: Record<string, string> = {}) {
  return fetch(`${api.server.url}/v1/jobs${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/zip', ...headers },
    body: bytes,
  });
}

async function lessonsOnDisk(): Promise<string[]> {
  return (await readdir(farmPaths(api.dataDir).lessonsDir).catch(() => [])).sort();
}

describe('lesson archives', () => {
  it('unpacks a zipped lesson (at the top, or in one folder) and queues it', async () => {
    const atTop = await upload(zipOf(sampleEntries), '?mode=export&parallel=2&lessonId=plants');
    expect(atTop.status).toBe(201);
    const first = (await atTop.json()) as {
      job: { lessonId: string; source: string; options: object };
    };
    expect(first.job).toMatchObject({
      lessonId: 'plants',
      source: 'archive',
      options: { parallel: 2 },
    });
    const data = api.queue.submitted.at(-1);
    const lessonsDir = farmPaths(api.dataDir).lessonsDir;
    expect(relative(lessonsDir, data?.lessonDir ?? '')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await readFile(join(data?.lessonDir ?? '', 'lesson.json'), 'utf8')).toBe(
      await readFile(join(sampleLessonDir, 'lesson.json'), 'utf8'),
    );

    const inFolder = zipOf([
      { name: 'my-lesson/', content: '' },
      ...sampleEntries.map((e) => ({ ...e, name: `my-lesson/${e.name}` })),
    ]);
    const nested = await upload(inFolder, '', { 'idempotency-key': 'archive-1' });
    expect(nested.status).toBe(201);
    expect(((await nested.json()) as { job: { lessonId: string } }).job.lessonId).toBe('my-lesson');
    expect(api.queue.submitted.at(-1)?.lessonDir).toMatch(/[0-9a-f-]{36}\/my-lesson$/);
    const lessons = await lessonsOnDisk();
    expect((await upload(inFolder, '', { 'idempotency-key': 'archive-1' })).status).toBe(200);
    // The second copy queued nothing and is not kept; no staging folder is left either.
    expect(await lessonsOnDisk()).toEqual(lessons);
    expect(lessons.filter((name) => name.startsWith('.'))).toEqual([]);
  });

  const refusals: [string, () => Uint8Array, RegExp][] = [
    [
      'a ".." entry',
      () => zipOf([...sampleEntries, { name: '../evil.txt', content: 'x' }]),
      /"\.\."/,
    ],
    [
      'an absolute entry',
      () => zipOf([...sampleEntries, { name: '/tmp/evil', content: 'x' }]),
      /absolute/,
    ],
    [
      'a drive letter',
      () => zipOf([...sampleEntries, { name: 'C:/evil', content: 'x' }]),
      /absolute/,
    ],
    [
      'a backslash',
      () => zipOf([...sampleEntries, { name: 'a\\..\\..\\evil', content: 'x' }]),
      /or "\\"/,
    ],
    [
      'a symlink',
      () =>
        zipOf([
          ...sampleEntries,
          { name: 'slides/link.svg', content: '/etc/passwd', unixMode: 0o120777 },
        ]),
      /symlink/,
    ],
    [
      'too many entries',
      () => zipOf(Array.from({ length: 60 }, (_, i) => ({ name: `f${i}.txt`, content: 'x' }))),
      /60 entries, more than 50/,
    ],
    [
      'not a zip at all',
      () => new TextEncoder().encode('hello, this is not a zip archive'),
      /not a ZIP/,
    ],
    ['no lesson.json', () => zipOf([{ name: 'notes.txt', content: 'x' }]), /lesson\.json/],
    [
      'two entries on one path',
      () => zipOf([...sampleEntries, { name: 'lesson.json/x', content: 'x' }]),
      /same path/,
    ],
  ];
  for (const [what, bytes, reason] of refusals) {
    it(`refuses ${what}: 400, nothing queued, nothing left`, async () => {
      const before = api.queue.submitted.length;
      const lessons = await lessonsOnDisk();
      const response = await upload(bytes());
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(response.status).toBe(400);
      expect(['archive-refused', 'lesson-not-found']).toContain(body.error.code);
      expect(body.error.message).toMatch(reason);
      expect(api.queue.submitted.length).toBe(before);
      expect(await lessonsOnDisk()).toEqual(lessons);
    });
  }

  it('refuses an archive over the cap (413) and an invalid lesson in one (400)', async () => {
    const before = api.queue.submitted.length;
    const big = zipOf([{ name: 'big.bin', content: randomBytes(300 * 1024), method: 0 }]);
    const tooBig = await upload(big);
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { error: { code: string } }).error.code).toBe(
      'body-too-large',
    );
    const invalid = await upload(zipOf([{ name: 'lesson.json', content: '{"schemaVersion": 1}' }]));
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe(
      'lesson-invalid',
    );
    expect(api.queue.submitted.length).toBe(before);
  });
});

describe('entry names', () => {
  it('keeps plain relative names and refuses every escape', () => {
    expect(entrySegments('slides/a.svg')).toEqual(['slides', 'a.svg']);
    expect(entrySegments('slides/')).toEqual(['slides']);
    for (const name of ['', '/a', 'a/../../b', './a', 'a//b', 'C:a', 'a\\b', 'a\u0000b', '..']) {
      expect(typeof entrySegments(name), name).toBe('string');
    }
  });
});
