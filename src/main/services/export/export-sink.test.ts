import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { createMemoryLogger } from '../logging/logger.ts';
import { createExportSink, partPathFor, processAlive } from './export-sink.ts';

const run = promisify(execFile);
const ffmpegMissing = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status !== 0;
if (ffmpegMissing) console.warn('export-sink: ffmpeg not on PATH, skipping the MP4 file tests');

describe.skipIf(ffmpegMissing)('export sink', () => {
  let dir = '';
  let mp4 = new Uint8Array();

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rapido-export-sink-'));
    const source = join(dir, 'source.mp4');
    // An MP4 with its index (moov) last, as the exporter's muxer writes it.
    await run('ffmpeg', [
      '-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25', '-t', '2',
      '-c:v', 'mpeg4', source,
    ]); // prettier-ignore
    mp4 = new Uint8Array(await readFile(source));
    await rm(source);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes into a hidden part file, then adds chapters, moves it into place and writes captions', async () => {
    const sink = createExportSink(createMemoryLogger());
    const started = await sink.start({ lessonId: 'l1', outPath: join(dir, 'talk.mp4') });
    if (!started.ok) throw new Error(started.error.message);
    const { exportId, path } = started.value;
    // Positioned writes, out of order, as a muxer patches its header at the end.
    const half = Math.floor(mp4.length / 2);
    expect((await sink.write(exportId, half, mp4.subarray(half))).ok).toBe(true);
    expect((await sink.write(exportId, 0, mp4.subarray(0, half))).ok).toBe(true);
    expect(await readdir(dir)).toEqual([`.talk.mp4.${process.pid}.part`]);

    const finished = await sink.finish(exportId, {
      chapters: [
        { startMs: 0, title: 'One' },
        { startMs: 1000, title: 'Two' },
      ],
      durationMs: 2000,
      captionsVtt: 'WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello\n',
    });
    if (!finished.ok) throw new Error(finished.error.message);
    expect(finished.value).toMatchObject({
      path,
      captionsPath: join(dir, 'talk.vtt'),
      chaptersPath: join(dir, 'talk.chapters.vtt'),
    });
    expect((await readdir(dir)).sort()).toEqual(['talk.chapters.vtt', 'talk.mp4', 'talk.vtt']);
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_chapters', '-of', 'csv', path]);
    expect(stdout).toContain('One');
    expect(stdout).toContain('Two');
    expect(await readFile(join(dir, 'talk.chapters.vtt'), 'utf8')).toContain(
      '00:00:01.000 --> 00:00:02.000\nTwo',
    );
  });

  it('cancel deletes the part file, and later writes are refused', async () => {
    const sink = createExportSink(createMemoryLogger());
    const started = await sink.start({ lessonId: 'l1', directory: dir });
    if (!started.ok) throw new Error(started.error.message);
    await sink.write(started.value.exportId, 0, mp4.subarray(0, 100));
    expect(await readdir(dir)).toEqual([partPathFor(started.value.path).slice(dir.length + 1)]);
    await sink.cancel(started.value.exportId);
    expect(await readdir(dir)).toEqual([]);
    const late = await sink.write(started.value.exportId, 100, mp4.subarray(100, 200));
    expect(late).toMatchObject({ ok: false, error: { code: 'export-failed' } });
  });

  it('a file the chapters cannot go into is discarded with the reason, never half kept', async () => {
    const sink = createExportSink(createMemoryLogger());
    const started = await sink.start({ lessonId: 'l1', outPath: join(dir, 'talk.mp4') });
    if (!started.ok) throw new Error(started.error.message);
    // Cut short: the index (moov) never arrived.
    await sink.write(started.value.exportId, 0, mp4.subarray(0, 64));
    const finished = await sink.finish(started.value.exportId, {
      chapters: [{ startMs: 0, title: 'One' }],
      durationMs: 2000,
      captionsVtt: 'WEBVTT\n',
    });
    expect(finished).toMatchObject({ ok: false, error: { code: 'export-failed' } });
    expect(await readdir(dir)).toEqual([]);
  });

  it('part files of killed exports are removed at start; a running export’s part file stays', async () => {
    // Another process exports into the folder, as `rapido render` would: it starts, writes,
    // says so, and waits (running) until it is SIGKILLed (no cleanup runs).
    const sinkModule = resolve(import.meta.dirname, 'export-sink.ts');
    const loggerModule = resolve(import.meta.dirname, '../logging/logger.ts');
    const script = `
      const { createExportSink } = await import(${JSON.stringify(sinkModule)});
      const { createMemoryLogger } = await import(${JSON.stringify(loggerModule)});
      const sink = createExportSink(createMemoryLogger());
      const started = await sink.start({ lessonId: 'other', directory: ${JSON.stringify(dir)} });
      await sink.write(started.value.exportId, 0, new Uint8Array(1000));
      process.stdout.write(String(process.pid));
      setInterval(() => undefined, 1000);
    `;
    const tsx = resolve(import.meta.dirname, '../../../../node_modules/.bin/tsx');
    const other = spawn(tsx, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((done) => other.on('close', () => done()));
    let writerPid = 0;
    onTestFinished(() => {
      // A failed assertion must not leave the writer running.
      if (writerPid > 0 && processAlive(writerPid)) process.kill(writerPid, 'SIGKILL');
      other.kill('SIGKILL');
    });
    // tsx runs the script in a child of its own: the writer's id is the one it prints.
    writerPid = await new Promise<number>((done) =>
      other.stdout.once('data', (text: Buffer) => done(Number(text.toString()))),
    );
    const sink = createExportSink(createMemoryLogger());
    const foreignPart = `.${(await readdir(dir))[0]?.slice(1)}`;
    expect(foreignPart).toMatch(new RegExp(`\\.${writerPid}\\.part$`));

    // While that export runs, neither a start nor an export into the folder touches its file.
    const mine = await sink.start({ lessonId: 'mine', directory: dir });
    if (!mine.ok) throw new Error(mine.error.message);
    expect(await sink.cleanStaleParts(dir)).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(
      [foreignPart, partPathFor(mine.value.path).slice(dir.length + 1)].sort(),
    );

    process.kill(writerPid, 'SIGKILL');
    await exited;
    // Its part file outlived it; the next start removes it, and only it (mine is running).
    expect(await readdir(dir)).toContain(foreignPart);
    expect(await sink.cleanStaleParts(dir)).toEqual([join(dir, foreignPart)]);
    expect(await readdir(dir)).toEqual([partPathFor(mine.value.path).slice(dir.length + 1)]);
    await sink.cancel(mine.value.exportId);
  });

  it('refuses a relative folder and an unwritable place, naming it', async () => {
    const sink = createExportSink(createMemoryLogger());
    expect(await sink.start({ lessonId: 'l1', directory: 'videos' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    const blocked = join(dir, 'file');
    await run('touch', [blocked]);
    const refused = await sink.start({ lessonId: 'l1', outPath: join(blocked, 'talk.mp4') });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toContain(join(blocked, 'talk.mp4'));
  });
});
