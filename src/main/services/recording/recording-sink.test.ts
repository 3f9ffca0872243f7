import { mkdtemp, open, readFile, readdir, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { createMemoryLogger } from '../logging/logger.ts';
import { createRecordingSink, recordingFileName } from './recording-sink.ts';

describe('recording sink', () => {
  it('appends chunks in arrival order even when writes overlap', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rapido-rec-'));
    const sink = createRecordingSink(createMemoryLogger(), () => new Date('2026-01-02T03:04:05Z'));
    const started = await sink.start({
      lessonId: 'lesson 1',
      directory: dir,
      mimeType: 'video/mp4;codecs=avc1.42E01F,opus',
    });
    if (!started.ok) throw new Error(started.error.message);
    expect(started.value.path).toBe(join(dir, 'lesson_1_2026-01-02_03-04-05.mp4'));
    const chunks = Array.from({ length: 20 }, (_, i) => new Uint8Array(1000 + i).fill(i));
    await Promise.all(chunks.map((c) => sink.append(started.value.recordingId, c)));
    // Data is on disk before finish: a crash now would keep it.
    const before = await readFile(started.value.path);
    expect(before.byteLength).toBe(chunks.reduce((s, c) => s + c.byteLength, 0));
    const finished = await sink.finish(started.value.recordingId);
    expect(finished.ok).toBe(true);
    const bytes = await readFile(started.value.path);
    let offset = 0;
    chunks.forEach((c, i) => {
      expect(bytes[offset]).toBe(i);
      expect(bytes[offset + c.byteLength - 1]).toBe(i);
      offset += c.byteLength;
    });
  });

  it('never overwrites an earlier recording with a generated name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rapido-rec-'));
    const sink = createRecordingSink(createMemoryLogger(), () => new Date('2026-01-02T03:04:05Z'));
    for (let i = 0; i < 2; i += 1) {
      const r = await sink.start({ lessonId: 'l', directory: dir, mimeType: 'video/mp4' });
      if (!r.ok) throw new Error(r.error.message);
      await sink.finish(r.value.recordingId);
    }
    expect((await readdir(dir)).sort()).toEqual([
      'l_2026-01-02_03-04-05.mp4',
      'l_2026-01-02_03-04-05_2.mp4',
    ]);
  });

  it('puts each chunk on disk (fdatasync) before its append answers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rapido-rec-'));
    const sink = createRecordingSink(createMemoryLogger());
    const started = await sink.start({ lessonId: 'l', directory: dir, mimeType: 'video/mp4' });
    if (!started.ok) throw new Error(started.error.message);
    // Every FileHandle shares one prototype: watch its syncs for the length of this test.
    const probe = await open(join(dir, 'probe'), 'w');
    const synced: number[] = [];
    const prototype = Object.getPrototypeOf(probe) as FileHandle;
    const realSync: (this: FileHandle) => Promise<void> = Reflect.get(prototype, 'datasync');
    const datasync = vi.spyOn(prototype, 'datasync').mockImplementation(async function (
      this: FileHandle,
    ) {
      synced.push((await this.stat()).size);
      await realSync.call(this);
    });
    onTestFinished(() => datasync.mockRestore());
    await probe.close();
    for (let i = 1; i <= 3; i += 1) {
      await sink.append(started.value.recordingId, new Uint8Array(100));
      // Synced once per chunk, with that chunk already in the file.
      expect(synced).toHaveLength(i);
      expect(synced.at(-1)).toBe(100 * i);
    }
    await sink.finish(started.value.recordingId);
  });

  it('gives actionable errors for bad folders and unknown recordings', async () => {
    const sink = createRecordingSink(createMemoryLogger());
    const relative = await sink.start({
      lessonId: 'l',
      directory: 'videos',
      mimeType: 'video/mp4',
    });
    expect(relative.ok).toBe(false);
    // A regular file where a folder should be: mkdir fails with ENOTDIR.
    const dir = await mkdtemp(join(tmpdir(), 'rapido-rec-'));
    await writeFile(join(dir, 'file'), 'x');
    const target = join(dir, 'file', 'x.mp4');
    const unwritable = await sink.start({ lessonId: 'l', outPath: target, mimeType: 'video/mp4' });
    expect(unwritable).toMatchObject({ ok: false, error: { code: 'recording-failed' } });
    if (!unwritable.ok) expect(unwritable.error.message).toContain(target);
    expect((await sink.append('nope', new Uint8Array(1))).ok).toBe(false);
  });

  it('names files safely', () => {
    expect(recordingFileName('a/b:c', new Date('2026-11-24T10:00:00Z'), 'mp4')).toBe(
      'a_b_c_2026-11-24_10-00-00.mp4',
    );
  });
});
