import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chaptersWebVtt } from '../../services/export/mp4-chapters.ts';
import { farmPaths } from '../jobs/render-queue.ts';
import {
  chaptersJson,
  createWorkDir,
  hostLabel,
  publishRender,
  removeStaleWork,
  renderOutputs,
  workDirName,
} from './job-files.ts';
import { progressPipeReader } from './progress-pipe.ts';
import { renderArguments } from './render-child.ts';
import { underRoots } from './render-worker.ts';

describe('job files', () => {
  it('names work folders like export part files, with the host', () => {
    expect(workDirName(42, 'farm-a')).toBe('.work-farm-a.42.part');
    expect(hostLabel('render.box_1')).toBe('render-box-1');
    // The export's stale-part pattern reads the writer's pid from it too.
    expect(/^\..+\.(\d+)\.part$/.exec(workDirName(42, 'farm-a'))?.[1]).toBe('42');
  });

  it("removes a dead writer's and another host's work, keeps a live one's", async () => {
    const jobDir = await mkdtemp(join(tmpdir(), 'rapido-job-'));
    for (const name of [
      workDirName(111, 'here'),
      workDirName(222, 'here'),
      workDirName(333, 'elsewhere'),
      'lesson.mp4',
    ]) {
      await mkdir(join(jobDir, name));
    }
    const removed = await removeStaleWork(jobDir, 'here', (pid) => pid === 222);
    expect(removed.sort()).toEqual([workDirName(333, 'elsewhere'), workDirName(111, 'here')]);
    expect((await readdir(jobDir)).sort()).toEqual([workDirName(222, 'here'), 'lesson.mp4'].sort());
  });

  it('turns the WebVTT chapters into chapters.json and publishes the video last', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rapido-data-'));
    const paths = farmPaths(dataDir);
    const jobDir = paths.jobDir('job-1');
    await mkdir(jobDir, { recursive: true });
    const workDir = await createWorkDir(jobDir);
    const outputs = renderOutputs(workDir);
    await writeFile(outputs.video, 'mp4 bytes');
    await writeFile(outputs.captions, 'WEBVTT\n');
    const chapters = [
      { startMs: 0, title: 'Intro & <welcome>' },
      { startMs: 4_500, title: 'Second' },
    ];
    await writeFile(outputs.chaptersVtt, chaptersWebVtt(chapters, 9_000));
    expect(await publishRender(dataDir, 'job-1', workDir)).toEqual([
      'captions',
      'chapters',
      'video',
    ]);
    expect((await readdir(jobDir)).sort()).toEqual(['chapters.json', 'lesson.mp4', 'lesson.vtt']);
    expect(JSON.parse(await readFile(join(jobDir, 'chapters.json'), 'utf8'))).toEqual({
      chapters: [
        { startMs: 0, endMs: 4_500, title: 'Intro & <welcome>' },
        { startMs: 4_500, endMs: 9_000, title: 'Second' },
      ],
    });
    expect(chaptersJson('WEBVTT\n')).toEqual({ chapters: [] });
  });

  it('refuses to publish a render that wrote no video', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rapido-data-'));
    const jobDir = farmPaths(dataDir).jobDir('job-2');
    await mkdir(jobDir, { recursive: true });
    const workDir = await createWorkDir(jobDir);
    await expect(publishRender(dataDir, 'job-2', workDir)).rejects.toThrow('no video');
    expect(await readdir(jobDir)).toEqual([workDirName()]);
  });
});

describe('render arguments and lesson roots', () => {
  it('passes the job options as the render command takes them', () => {
    const base = ['render', '/l', '--out', '/o.mp4'];
    expect(renderArguments('/l', '/o.mp4', { mode: 'export', parallel: 1 })).toEqual(base);
    expect(renderArguments('/l', '/o.mp4', { mode: 'realtime', parallel: 1 })).toEqual([
      ...base,
      '--realtime',
    ]);
    expect(renderArguments('/l', '/o.mp4', { mode: 'live', room: 'r1', parallel: 3 })).toEqual([
      ...base,
      '--live',
      '--room',
      'r1',
      '--parallel',
      '3',
    ]);
  });

  it('takes lessons only from under the given roots', () => {
    expect(underRoots('/srv/lessons/a', ['/srv/lessons'])).toBe(true);
    expect(underRoots('/srv/lessons', ['/srv/lessons'])).toBe(false);
    expect(underRoots('/srv/lessons/../etc', ['/srv/lessons'])).toBe(false);
    expect(underRoots('/srv/lessons-other/a', ['/srv/lessons'])).toBe(false);
    expect(underRoots('/anywhere', null)).toBe(true);
  });
});

describe('progress pipe', () => {
  it('reads whole lines across chunks and skips bad ones', () => {
    const seen: number[] = [];
    const reader = progressPipeReader((line) => seen.push(line.progress.fraction));
    const line = (fraction: number) =>
      `${JSON.stringify({
        progress: {
          phase: 'exporting',
          fraction,
          programMs: 0,
          totalMs: null,
          slideIndex: 0,
        },
        line: 'x',
      })}\n`;
    const text = `${line(0.25)}not json\n{"progress":1}\n${line(0.5)}`;
    reader.push(text.slice(0, 10));
    reader.push(text.slice(10, 70));
    reader.push(text.slice(70));
    expect(seen).toEqual([0.25, 0.5]);
    expect(reader.skipped).toBe(2);
  });
});
