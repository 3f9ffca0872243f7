import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMp4Chapters,
  chaptersWebVtt,
  chplBox,
  readBoxHeader,
  utf8Truncated,
  withChapters,
} from './mp4-chapters.ts';
import type { Mp4Chapter } from './mp4-chapters.ts';

const run = promisify(execFile);
const utf8 = new TextEncoder();
const text = new TextDecoder();
/** Throws on bytes that are not UTF-8, e.g. a code point cut in half. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

function ascii(type: string): number[] {
  return [...utf8.encode(type)];
}

/** A box built by hand, independent of the code under test. */
function testBox(type: string, ...payload: (Uint8Array | number[])[]): Uint8Array {
  const body = payload.flatMap((part) => [...part]);
  return new Uint8Array([...u32(8 + body.length), ...ascii(type), ...body]);
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Types and sizes of the boxes in `bytes[start, end)`, one level deep. */
function listBoxes(bytes: Uint8Array, start = 0, end = bytes.length): [string, number, number][] {
  const out: [string, number, number][] = [];
  let offset = start;
  while (offset < end) {
    const size = view(bytes).getUint32(offset);
    out.push([text.decode(bytes.subarray(offset + 4, offset + 8)), offset, size]);
    if (size < 8) throw new Error(`bad size ${size} at ${offset}`);
    offset += size;
  }
  return out;
}

/** Chapters read back from a chpl box by an independent decoder. */
function decodeChpl(chpl: Uint8Array): { startUnits: bigint; title: string }[] {
  expect([...chpl.subarray(4, 8)]).toEqual(ascii('chpl'));
  expect([...chpl.subarray(8, 16)]).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
  const count = chpl[16] ?? -1;
  const chapters: { startUnits: bigint; title: string }[] = [];
  let offset = 17;
  for (let i = 0; i < count; i += 1) {
    const startUnits = view(chpl).getBigUint64(offset);
    const length = chpl[offset + 8] ?? 0;
    chapters.push({
      startUnits,
      title: strictUtf8.decode(chpl.subarray(offset + 9, offset + 9 + length)),
    });
    offset += 9 + length;
  }
  expect(offset).toBe(chpl.length);
  expect(view(chpl).getUint32(0)).toBe(chpl.length);
  return chapters;
}

describe('chplBox', () => {
  it('writes the FFmpeg layout byte for byte', () => {
    const box = unwrap(
      chplBox([
        { startMs: 0, title: 'A' },
        { startMs: 1500, title: 'Bc' },
      ]),
    );
    expect([...box.bytes]).toEqual([
      ...u32(8 + 9 + 10 + 11),
      ...ascii('chpl'),
      1, 0, 0, 0, // version 1, flags 0
      0, 0, 0, 0, // reserved
      2,
      0, 0, 0, 0, 0, 0, 0, 0, 1, ...ascii('A'),
      // 1500 ms = 15,000,000 units of 100 ns = 0xE4E1C0
      0, 0, 0, 0, 0, 0xe4, 0xe1, 0xc0, 2, ...ascii('Bc'),
    ]); // prettier-ignore
    expect(box.chapterCount).toBe(2);
    expect(box.truncated).toBe(false);
  });

  it('writes times past 32 bits of 100 ns units and multi-byte titles', () => {
    const twoHoursMs = 2 * 3600 * 1000 + 0.5;
    const box = unwrap(chplBox([{ startMs: twoHoursMs, title: 'Café – 1' }]));
    expect(decodeChpl(box.bytes)).toEqual([{ startUnits: 72_000_005_000n, title: 'Café – 1' }]);
  });

  it('keeps the first 255 chapters and says it dropped the rest', () => {
    const chapters = Array.from({ length: 300 }, (_, i) => ({ startMs: i * 1000, title: `c${i}` }));
    const box = unwrap(chplBox(chapters));
    expect(box.chapterCount).toBe(255);
    expect(box.truncated).toBe(true);
    const decoded = decodeChpl(box.bytes);
    expect(decoded).toHaveLength(255);
    expect(decoded.at(-1)).toEqual({ startUnits: 254n * 10_000_000n, title: 'c254' });
    expect(unwrap(chplBox(chapters.slice(0, 255))).truncated).toBe(false);
  });

  it('cuts long titles to 255 bytes at a code point boundary', () => {
    // 254 ASCII bytes then a 2-byte "é": 256 bytes, so the "é" must go whole.
    const title = `${'x'.repeat(254)}é`;
    const [decoded] = decodeChpl(unwrap(chplBox([{ startMs: 0, title }])).bytes);
    expect(decoded?.title).toBe('x'.repeat(254));
    // A 4-byte emoji straddling byte 255.
    const emoji = `${'y'.repeat(253)}😀z`;
    expect(utf8Truncated(emoji, 255)).toEqual(utf8.encode('y'.repeat(253)));
    // Exactly 255 bytes stays whole.
    const exact = `${'z'.repeat(251)}😀`;
    expect(utf8Truncated(exact, 255)).toEqual(utf8.encode(exact));
  });

  it('puts a multi-line title on one line', () => {
    const [decoded] = decodeChpl(
      unwrap(chplBox([{ startMs: 0, title: 'One\r\n  two\nthree' }])).bytes,
    );
    expect(decoded?.title).toBe('One two three');
  });

  it('rejects NaN, negative, infinite and unsorted starts', () => {
    for (const bad of [
      [{ startMs: Number.NaN, title: 'a' }],
      [{ startMs: -1, title: 'a' }],
      [{ startMs: Number.POSITIVE_INFINITY, title: 'a' }],
      [
        { startMs: 2000, title: 'a' },
        { startMs: 1000, title: 'b' },
      ],
    ]) {
      const result = chplBox(bad);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('export-failed');
        expect(result.error.details).toHaveLength(1);
      }
    }
    // Equal starts are sorted, so allowed.
    expect(
      chplBox([
        { startMs: 0, title: 'a' },
        { startMs: 0, title: 'b' },
      ]).ok,
    ).toBe(true);
  });
});

describe('withChapters', () => {
  const mvhd = testBox('mvhd', new Uint8Array(100).fill(7));
  const trak = testBox('trak', testBox('tkhd', new Uint8Array(84).fill(3)));
  const chpl = unwrap(chplBox([{ startMs: 1000, title: 'One' }])).bytes;

  it('appends a udta holding chpl when moov has none', () => {
    const moov = testBox('moov', mvhd, trak);
    const out = unwrap(withChapters(moov, chpl));
    expect(out.length).toBe(moov.length + 8 + chpl.length);
    expect(listBoxes(out)).toEqual([['moov', 0, out.length]]);
    const children = listBoxes(out, 8);
    expect(children.map(([type, , size]) => [type, size])).toEqual([
      ['mvhd', mvhd.length],
      ['trak', trak.length],
      ['udta', 8 + chpl.length],
    ]);
    // Everything before the new udta is byte for byte the old moov body.
    expect(out.subarray(8, moov.length)).toEqual(moov.subarray(8));
    expect(out.subarray(moov.length + 8)).toEqual(chpl);
  });

  it('adds chpl inside an existing udta after its meta, growing udta and moov', () => {
    const meta = testBox('meta', [0, 0, 0, 0], testBox('hdlr', new Uint8Array(25)));
    const udta = testBox('udta', meta);
    const moov = testBox('moov', mvhd, udta, trak);
    const out = unwrap(withChapters(moov, chpl));
    expect(view(out).getUint32(0)).toBe(moov.length + chpl.length);
    const children = listBoxes(out, 8);
    expect(children.map(([type]) => type)).toEqual(['mvhd', 'udta', 'trak']);
    const [, udtaOffset, udtaSize] = children[1] ?? ['', 0, 0];
    expect(udtaSize).toBe(udta.length + chpl.length);
    const inside = listBoxes(out, udtaOffset + 8, udtaOffset + udtaSize);
    expect(inside.map(([type, , size]) => [type, size])).toEqual([
      ['meta', meta.length],
      ['chpl', chpl.length],
    ]);
    expect(out.subarray(udtaOffset + 8, udtaOffset + 8 + meta.length)).toEqual(meta);
    expect(out.subarray(out.length - trak.length)).toEqual(trak);
  });

  it('replaces an existing chpl in its place and leaves one chpl', () => {
    const before = testBox('cprt', [1, 2, 3]);
    const after = testBox('meta', [0, 0, 0, 0]);
    const oldChpl = unwrap(
      chplBox(Array.from({ length: 5 }, (_, i) => ({ startMs: i, title: 'old title' }))),
    ).bytes;
    const moov = testBox('moov', mvhd, testBox('udta', before, oldChpl, after, oldChpl));
    const out = unwrap(withChapters(moov, chpl));
    const [udtaEntry] = listBoxes(out, 8).filter(([type]) => type === 'udta');
    const [, udtaOffset, udtaSize] = udtaEntry ?? ['', 0, 0];
    const inside = listBoxes(out, udtaOffset + 8, udtaOffset + udtaSize);
    expect(inside.map(([type]) => type)).toEqual(['cprt', 'chpl', 'meta']);
    const [, chplOffset, chplSize] = inside[1] ?? ['', 0, 0];
    expect(decodeChpl(out.subarray(chplOffset, chplOffset + chplSize))).toEqual([
      { startUnits: 10_000_000n, title: 'One' },
    ]);
    expect(view(out).getUint32(0)).toBe(out.length);
    expect(out.length).toBe(moov.length - 2 * oldChpl.length + chpl.length);
  });

  it('removes chpl when given null, and copies a moov without udta unchanged', () => {
    const moov = testBox('moov', mvhd, testBox('udta', chpl));
    const out = unwrap(withChapters(moov, null));
    expect(listBoxes(out, 8).map(([type, , size]) => [type, size])).toEqual([
      ['mvhd', mvhd.length],
      ['udta', 8],
    ]);
    const bare = testBox('moov', mvhd);
    expect(unwrap(withChapters(bare, null))).toEqual(bare);
  });

  it('reads a 64-bit moov header and writes a 32-bit one', () => {
    const body = [...mvhd];
    const large = new Uint8Array([
      ...u32(1),
      ...ascii('moov'),
      ...u32(0),
      ...u32(16 + body.length),
      ...body,
    ]);
    const out = unwrap(withChapters(large, chpl));
    expect(listBoxes(out)).toEqual([['moov', 0, 8 + body.length + 8 + chpl.length]]);
    expect(out.subarray(8, 8 + body.length)).toEqual(mvhd);
  });

  it('refuses bytes that are not one whole moov, or whose children overrun it', () => {
    expect(withChapters(testBox('free', mvhd), chpl).ok).toBe(false);
    const moov = testBox('moov', mvhd);
    expect(withChapters(moov.subarray(0, moov.length - 1), chpl).ok).toBe(false);
    const broken = moov.slice();
    view(broken).setUint32(8, mvhd.length + 1);
    expect(withChapters(broken, chpl).ok).toBe(false);
  });
});

describe('readBoxHeader', () => {
  it('handles 32-bit, 64-bit and to-the-end sizes', () => {
    const bytes = new Uint8Array(64);
    bytes.set([...u32(24), ...ascii('free')], 0);
    expect(unwrap(readBoxHeader(bytes, 0, 64))).toEqual({
      type: 'free',
      offset: 0,
      headerSize: 8,
      size: 24,
    });
    bytes.set([...u32(1), ...ascii('mdat'), ...u32(0), ...u32(40)], 0);
    expect(unwrap(readBoxHeader(bytes, 0, 64))).toMatchObject({ headerSize: 16, size: 40 });
    bytes.set([...u32(0), ...ascii('moov')], 8);
    expect(unwrap(readBoxHeader(bytes, 8, 64))).toMatchObject({ headerSize: 8, size: 56 });
    expect(readBoxHeader(bytes, 0, 30).ok).toBe(false);
    expect(readBoxHeader(bytes, 60, 64).ok).toBe(false);
  });
});

describe('chaptersWebVtt', () => {
  it('writes one cue per chapter ending at the next start or the total', () => {
    const vtt = chaptersWebVtt(
      [
        { startMs: 0, title: 'Intro' },
        { startMs: 61_500.4, title: 'Part --> two\nsecond line' },
        { startMs: 3_725_042, title: 'Café – 1' },
      ],
      3_800_000,
    );
    expect(vtt).toBe(
      [
        'WEBVTT',
        '',
        '1',
        '00:00:00.000 --> 00:01:01.500',
        'Intro',
        '',
        '2',
        '00:01:01.500 --> 01:02:05.042',
        'Part \u2192 two second line',
        '',
        '3',
        '01:02:05.042 --> 01:03:20.000',
        'Café – 1',
        '',
      ].join('\n'),
    );
  });

  it('never ends a cue before it starts and rejects bad lists', () => {
    expect(chaptersWebVtt([{ startMs: 5000, title: 'a' }], 1000)).toContain(
      '00:00:05.000 --> 00:00:05.000',
    );
    expect(chaptersWebVtt([], 1000)).toBe('WEBVTT\n');
    expect(() => chaptersWebVtt([{ startMs: Number.NaN, title: 'a' }], 1000)).toThrow(RangeError);
  });
});

function hasTool(name: string): boolean {
  return spawnSync(name, ['-version'], { stdio: 'ignore' }).status === 0;
}

const ffmpegMissing = !hasTool('ffmpeg') || !hasTool('ffprobe');
if (ffmpegMissing)
  console.warn('mp4-chapters: ffmpeg/ffprobe not on PATH, skipping the MP4 file tests');

interface ProbeChapter {
  start_time: string;
  end_time: string;
  tags?: { title?: string };
}

async function probeJson(path: string, args: string[]): Promise<unknown> {
  const { stdout } = await run('ffprobe', ['-v', 'error', ...args, '-of', 'json', path]);
  return JSON.parse(stdout);
}

async function probeChapters(path: string): Promise<{ chapters: ProbeChapter[]; title?: string }> {
  const probed = (await probeJson(path, ['-show_chapters', '-show_format'])) as {
    chapters: ProbeChapter[];
    format: { tags?: { title?: string } };
  };
  return { chapters: probed.chapters, title: probed.format.tags?.title };
}

async function framesRead(path: string): Promise<string[]> {
  const probed = (await probeJson(path, ['-count_frames', '-show_streams'])) as {
    streams: { codec_type: string; nb_read_frames: string }[];
  };
  return probed.streams.map((s) => `${s.codec_type}:${s.nb_read_frames}`);
}

/** The top-level boxes of a file: our own walk is under test, so this one is separate. */
function topLevel(bytes: Uint8Array): [string, number, number][] {
  const out: [string, number, number][] = [];
  let offset = 0;
  while (offset < bytes.length) {
    let size = view(bytes).getUint32(offset);
    if (size === 1) size = Number(view(bytes).getBigUint64(offset + 8));
    if (size === 0) size = bytes.length - offset;
    out.push([text.decode(bytes.subarray(offset + 4, offset + 8)), offset, size]);
    offset += size;
  }
  return out;
}

describe.skipIf(ffmpegMissing)('addMp4Chapters on files written by ffmpeg', () => {
  let dir = '';
  let source = '';
  let sourceFrames: string[] = [];
  const chapters: Mp4Chapter[] = [
    { startMs: 0, title: 'Intro' },
    { startMs: 1000, title: 'Café – 1' },
    { startMs: 2250, title: 'Last' },
  ];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rapido-chapters-'));
    source = join(dir, 'source.mp4');
    // mpeg4 and aac are FFmpeg's own encoders, present in every build; moov goes last by default.
    await run('ffmpeg', [
      '-v', 'error',
      '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', '3', '-c:v', 'mpeg4', '-c:a', 'aac', '-metadata', 'title=T', source,
    ]); // prettier-ignore
    sourceFrames = await framesRead(source);
  });

  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  async function copyOf(name: string, edit?: (bytes: Uint8Array) => Uint8Array): Promise<string> {
    const path = join(dir, name);
    const bytes = new Uint8Array(await readFile(source));
    await writeFile(path, edit ? edit(bytes) : bytes);
    return path;
  }

  async function expectChapters(path: string, expectedTitle: string | undefined): Promise<void> {
    const probed = await probeChapters(path);
    expect(probed.chapters.map((c) => [Number(c.start_time), c.tags?.title])).toEqual([
      [0, 'Intro'],
      [1, 'Café – 1'],
      [2.25, 'Last'],
    ]);
    expect(Number(probed.chapters[0]?.end_time)).toBe(1);
    expect(probed.title).toBe(expectedTitle);
    expect(await framesRead(path)).toEqual(sourceFrames);
  }

  it('adds chapters inside the udta ffmpeg wrote, keeping the title and every frame', async () => {
    // 3 s at 25 fps; the AAC frame count depends on the encoder's priming, so only its presence.
    expect(sourceFrames[0]).toBe('video:75');
    expect(sourceFrames[1]).toMatch(/^audio:[1-9]\d*$/);
    expect((await probeChapters(source)).chapters).toEqual([]);
    const path = await copyOf('with-udta.mp4');
    const before = new Uint8Array(await readFile(path));
    const boxesBefore = topLevel(before);
    expect(boxesBefore.map(([type]) => type)).toEqual(['ftyp', 'free', 'mdat', 'moov']);

    const result = await addMp4Chapters(path, chapters);
    expect(result).toEqual({ ok: true, value: { chapterCount: 3, truncated: false } });
    const after = new Uint8Array(await readFile(path));
    const [, moovOffset] = boxesBefore[3] ?? ['', 0, 0];
    // Nothing before moov moved or changed.
    expect(after.subarray(0, moovOffset)).toEqual(before.subarray(0, moovOffset));
    expect(topLevel(after).at(-1)).toEqual(['moov', moovOffset, after.length - moovOffset]);
    await expectChapters(path, 'T');

    // Running again replaces the chapters instead of adding a second chpl.
    const sizeOnce = (await stat(path)).size;
    const again = await addMp4Chapters(path, chapters.slice(0, 2));
    expect(again.ok).toBe(true);
    expect((await stat(path)).size).toBe(sizeOnce - (8 + 1 + 'Last'.length));
    const probed = await probeChapters(path);
    expect(probed.chapters.map((c) => c.tags?.title)).toEqual(['Intro', 'Café – 1']);
    expect(await framesRead(path)).toEqual(sourceFrames);
  });

  it('appends a udta to a moov that has none', async () => {
    const path = await copyOf('no-udta.mp4', (bytes) => {
      const moov = topLevel(bytes).find(([type]) => type === 'moov');
      if (!moov) throw new Error('no moov');
      const [, moovOffset, moovSize] = moov;
      const children = listBoxes(bytes, moovOffset + 8, moovOffset + moovSize);
      const kept = children.filter(([type]) => type !== 'udta');
      expect(kept).toHaveLength(children.length - 1);
      const body = kept.flatMap(([, offset, size]) => [...bytes.subarray(offset, offset + size)]);
      return new Uint8Array([...bytes.subarray(0, moovOffset), ...testBox('moov', body)]);
    });
    expect((await probeChapters(path)).title).toBeUndefined();
    expect(unwrap(await addMp4Chapters(path, chapters)).chapterCount).toBe(3);
    await expectChapters(path, undefined);
  });

  it('walks a 64-bit mdat header and a moov sized "to the end"', async () => {
    // ffmpeg leaves an 8-byte free box before mdat for exactly this: free + mdat become one
    // mdat with a 16-byte header, and no sample moves.
    const path = await copyOf('largesize.mp4', (bytes) => {
      const [ftyp, free, mdat, moov] = topLevel(bytes);
      if (!ftyp || !free || !mdat || !moov) throw new Error('unexpected layout');
      expect(free[2]).toBe(8);
      const out = bytes.slice();
      view(out).setUint32(free[1], 1);
      out.set(ascii('mdat'), free[1] + 4);
      view(out).setBigUint64(free[1] + 8, BigInt(mdat[2] + 8));
      view(out).setUint32(moov[1], 0);
      return out;
    });
    expect(topLevel(new Uint8Array(await readFile(path))).map(([type]) => type)).toEqual([
      'ftyp',
      'mdat',
      'moov',
    ]);
    expect(await framesRead(path)).toEqual(sourceFrames);
    expect(unwrap(await addMp4Chapters(path, chapters)).chapterCount).toBe(3);
    await expectChapters(path, 'T');
  });

  it('refuses a fast-start file, a file with no moov and a missing file, naming the file', async () => {
    const faststart = join(dir, 'faststart.mp4');
    await run('ffmpeg', [
      '-v',
      'error',
      '-i',
      source,
      '-c',
      'copy',
      '-movflags',
      '+faststart',
      faststart,
    ]);
    const before = await readFile(faststart);
    const refused = await addMp4Chapters(faststart, chapters);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('export-failed');
      expect(refused.error.message).toContain(faststart);
      expect(refused.error.message).toContain('not the last box (followed by free, mdat)');
    }
    expect(await readFile(faststart)).toEqual(before);

    const noMoov = await copyOf('no-moov.mp4', (bytes) => {
      const moov = topLevel(bytes).at(-1);
      return bytes.subarray(0, moov?.[1] ?? 0);
    });
    const missingMoov = await addMp4Chapters(noMoov, chapters);
    expect(missingMoov.ok).toBe(false);
    if (!missingMoov.ok)
      expect(missingMoov.error.message).toContain(`${noMoov}: it has no moov box`);

    const truncatedFile = await copyOf('cut.mp4', (bytes) => bytes.subarray(0, bytes.length - 10));
    const cut = await addMp4Chapters(truncatedFile, chapters);
    expect(cut.ok).toBe(false);
    if (!cut.ok) expect(cut.error.message).toMatch(/claims \d+ bytes, but only \d+ are left/);

    const absent = await addMp4Chapters(join(dir, 'absent.mp4'), chapters);
    expect(absent.ok).toBe(false);
    if (!absent.ok) expect(absent.error.message).toContain('absent.mp4');
  });

  it('rejects an invalid chapter list without touching the file', async () => {
    const path = await copyOf('invalid.mp4');
    const before = await readFile(path);
    const result = await addMp4Chapters(path, [{ startMs: -5, title: 'x' }]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.details?.[0]).toContain('-5 ms');
    expect(await readFile(path)).toEqual(before);
  });

  it('writes 255 of 300 chapters and ffprobe reads them all', async () => {
    const path = await copyOf('many.mp4');
    const many = Array.from({ length: 300 }, (_, i) => ({ startMs: i * 10, title: `${i}` }));
    expect(unwrap(await addMp4Chapters(path, many))).toEqual({
      chapterCount: 255,
      truncated: true,
    });
    const probed = await probeChapters(path);
    expect(probed.chapters).toHaveLength(255);
    expect(Number(probed.chapters.at(-1)?.start_time)).toBeCloseTo(2.54, 6);
    expect(probed.chapters.at(-1)?.tags?.title).toBe('254');
  });
});
