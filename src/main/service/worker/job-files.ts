import { hostname } from 'node:os';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseWebVtt } from '../../../shared/captions/caption-cues.ts';
import { processAlive } from '../../services/export/export-sink.ts';
import { farmPaths } from '../jobs/render-queue.ts';

/**
 * A job's files while a worker renders it and once it is done. The render writes into a work
 * folder inside the job's folder, named like the export's part files (`.<name>.<pid>.part`, the
 * writer's process id last), so the same rule tells a dead writer's leftovers from a live one's;
 * the finished files are renamed into the job's folder only when the render exited cleanly, the
 * video last: a client that sees `lesson.mp4` sees a whole file, its captions and chapters beside
 * it. Same folder, same filesystem: each rename is atomic.
 */

/** This machine in a work folder's name: a process id says nothing about another host. */
export function hostLabel(name: string = hostname()): string {
  return name.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 60) || 'host';
}

export function workDirName(pid: number = process.pid, host: string = hostLabel()): string {
  return `.work-${host}.${pid}.part`;
}

const workDirPattern = /^\.work-([A-Za-z0-9-]+)\.(\d+)\.part$/;

/** What `rapido render --out <work>/lesson.mp4` writes beside the video (export-sink.ts). */
export function renderOutputs(workDir: string) {
  return {
    video: join(workDir, 'lesson.mp4'),
    captions: join(workDir, 'lesson.vtt'),
    chaptersVtt: join(workDir, 'lesson.chapters.vtt'),
  };
}

/**
 * Removes the work folders of earlier attempts at this job: those of a dead process on this
 * machine, and those of any other machine (this worker holds the job's lock now, so their writer
 * lost it). A live process on this machine keeps its folder: it may still be stopping.
 */
export async function removeStaleWork(
  jobDir: string,
  host: string = hostLabel(),
  alive: (pid: number) => boolean = processAlive,
): Promise<string[]> {
  const names = await readdir(jobDir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const match = workDirPattern.exec(name);
    if (!match) continue;
    const pid = Number(match[2]);
    const ours = match[1] === host;
    if (ours && (pid === process.pid || alive(pid))) continue;
    await rm(join(jobDir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** A fresh, empty work folder for this process in the job's folder. */
export async function createWorkDir(jobDir: string): Promise<string> {
  const workDir = join(jobDir, workDirName());
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  return workDir;
}

export interface ChaptersFile {
  chapters: { startMs: number; endMs: number; title: string }[];
}

/** The render's WebVTT chapters as the farm's chapters.json. */
export function chaptersJson(vtt: string): ChaptersFile {
  return {
    chapters: parseWebVtt(vtt).map((cue) => ({
      startMs: cue.startMs,
      endMs: cue.endMs,
      title: cue.text,
    })),
  };
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}

/**
 * Moves a finished render into the job's folder (captions and chapters first, the video last) and
 * removes the work folder. A real-time recording has no chapters: none is published.
 */
export async function publishRender(
  dataDir: string,
  jobId: string,
  workDir: string,
): Promise<string[]> {
  const paths = farmPaths(dataDir);
  const jobDir = paths.jobDir(jobId);
  const outputs = renderOutputs(workDir);
  if (!(await isFile(outputs.video))) throw new Error('the render wrote no video');
  const published: string[] = [];
  if (await isFile(outputs.captions)) {
    await rename(outputs.captions, join(jobDir, paths.fileName.captions));
    published.push('captions');
  }
  if (await isFile(outputs.chaptersVtt)) {
    const json = chaptersJson(await readFile(outputs.chaptersVtt, 'utf8'));
    const staged = join(workDir, paths.fileName.chapters);
    await writeFile(staged, `${JSON.stringify(json, null, 2)}\n`, 'utf8');
    await rename(staged, join(jobDir, paths.fileName.chapters));
    published.push('chapters');
  }
  await rename(outputs.video, join(jobDir, paths.fileName.video));
  published.push('video');
  await rm(workDir, { recursive: true, force: true });
  return published;
}
