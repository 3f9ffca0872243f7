import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partFolderFor, removeStalePartFolders } from './render-parallel.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rapido-parts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('split render part folders', () => {
  it('are hidden beside the target, named by the process that writes them', () => {
    expect(partFolderFor('/videos/talk.mp4', 4242)).toBe('/videos/.talk.mp4.4242.parts');
  });

  it('are removed once their process is gone, never while it runs', async () => {
    // A process that has exited: its id names nobody now.
    const exited = spawnSync(process.execPath, ['-e', '0']).pid;
    const dead = partFolderFor(join(dir, 'a.mp4'), exited);
    const mine = partFolderFor(join(dir, 'b.mp4'));
    const parent = partFolderFor(join(dir, 'c.mp4'), process.ppid);
    for (const folder of [dead, mine, parent, join(dir, 'not-a-part-folder')]) {
      await mkdir(join(folder, 'part-1'), { recursive: true });
    }
    expect(await removeStalePartFolders(dir)).toEqual([`.a.mp4.${exited}.parts`]);
    expect((await readdir(dir)).sort()).toEqual(
      [`.b.mp4.${process.pid}.parts`, `.c.mp4.${process.ppid}.parts`, 'not-a-part-folder'].sort(),
    );
  });
});
