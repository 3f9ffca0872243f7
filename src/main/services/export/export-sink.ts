import {
  link,
  mkdir,
  open,
  readdir,
  rename,
  rm,
  stat,
  writeFile,
  type FileHandle,
} from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ExportInfo } from '../../../shared/ipc/contract.ts';
import { err, errorMessage, ok, type Result } from '../../../shared/result.ts';
import type { Logger } from '../logging/logger.ts';
import { captionsPathFor, recordingFileName } from '../recording/recording-sink.ts';
import { addMp4Chapters, chaptersWebVtt, type Mp4Chapter } from './mp4-chapters.ts';

/**
 * Receives an export's MP4 as the muxer writes it (positioned writes: the mdat size is patched at
 * the end) into a hidden part file beside the target, and only on success adds the chapters,
 * renames it into place and writes the captions. A cancelled or failed export leaves nothing
 * behind: a half-written export is not a file anyone wants (unlike a live recording, whose every
 * second is unrepeatable, an export can simply be run again, from cache).
 */
export interface ExportSink {
  /** `outPath` and `directory` come from main only, never from the page (output-handlers.ts). */
  start(request: {
    lessonId: string;
    lessonTitle?: string | undefined;
    directory?: string | undefined;
    outPath?: string | undefined;
  }): Promise<Result<ExportInfo>>;
  write(exportId: string, position: number, chunk: Uint8Array): Promise<Result<number>>;
  finish(
    exportId: string,
    request: { chapters: readonly Mp4Chapter[]; durationMs: number; captionsVtt: string },
  ): Promise<Result<ExportInfo>>;
  cancel(exportId: string): Promise<void>;
  /** App quit: every unfinished export is cancelled (its part file deleted). */
  cancelAll(): Promise<void>;
  /**
   * Deletes the part files in `directory` left by exports whose process died (a SIGKILL or power
   * cut skips the cleanup); those of a running export, in this process or another, stay.
   */
  cleanStaleParts(directory: string): Promise<string[]>;
}

interface ActiveExport {
  info: ExportInfo;
  lessonId: string;
  partPath: string;
  /** Whether the finished file may replace one already there (only a registered path). */
  replace: boolean;
  file: FileHandle;
  /** Writes run strictly in arrival order. */
  queue: Promise<unknown>;
  failed: string | null;
  startedAtMs: number;
}

/**
 * `talk.mp4` → `.talk.mp4.<pid>.part`, beside it: same filesystem, so the final rename is atomic,
 * and the writer's process id tells a stale part file (its process is gone) from a running one.
 */
export function partPathFor(path: string, pid: number = process.pid): string {
  return join(dirname(path), `.${basename(path)}.${pid}.part`);
}

const partFilePattern = /^\..+\.(\d+)\.part$/;

/** Whether a process with this id runs (one of another user's counts: EPERM). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A name in `directory` for the lesson and the time that is not taken (nor its part file). */
async function unusedExportPath(directory: string, name: string, date: Date): Promise<string> {
  const base = recordingFileName(name, date, 'mp4');
  for (let attempt = 0; ; attempt += 1) {
    const candidate = join(
      directory,
      attempt === 0 ? base : base.replace('.mp4', `_${attempt + 1}.mp4`),
    );
    if ((await stat(candidate).catch(() => null)) === null) return candidate;
  }
}

/** `talk.mp4` → `talk.chapters.vtt` (WebVTT chapters, for a web player's chapter menu). */
export function chaptersPathFor(path: string): string {
  const extension = extname(path);
  return `${extension ? path.slice(0, -extension.length) : path}.chapters.vtt`;
}

export function createExportSink(logger: Logger, now: () => Date = () => new Date()): ExportSink {
  const active = new Map<string, ActiveExport>();

  async function discard(job: ActiveExport): Promise<void> {
    active.delete(job.info.exportId);
    await job.queue;
    await job.file.close().catch(() => undefined);
    await rm(job.partPath, { force: true });
  }

  return {
    async start(request) {
      let path: string;
      // A registered path (the CLI's --out) is replaced on success; a generated name never is.
      const replace = request.outPath !== undefined;
      if (request.outPath !== undefined) {
        path = resolve(request.outPath);
      } else if (request.directory !== undefined && isAbsolute(request.directory)) {
        await mkdir(request.directory, { recursive: true }).catch(() => undefined);
        const name = request.lessonTitle ?? request.lessonId;
        path = await unusedExportPath(request.directory, name, now());
      } else {
        return err('invalid-request', 'Choose an export folder (an absolute path) first.');
      }
      await this.cleanStaleParts(dirname(path));
      const partPath = partPathFor(path);
      let file: FileHandle;
      try {
        await mkdir(dirname(path), { recursive: true });
        file = await open(partPath, 'wx');
      } catch (error) {
        const reason = errorMessage(error);
        return err('export-failed', `Cannot write the export to ${path}`, {
          hint: `Check that the folder exists and is writable (${reason}).`,
        });
      }
      const exportId = randomUUID();
      const info: ExportInfo = {
        exportId,
        path,
        bytesWritten: 0,
        captionsPath: null,
        chaptersPath: null,
      };
      active.set(exportId, {
        info,
        lessonId: request.lessonId,
        partPath,
        replace,
        file,
        queue: Promise.resolve(),
        failed: null,
        startedAtMs: Date.now(),
      });
      logger.info(`export started: ${path}`, {
        lesson_id: request.lessonId,
        event_type: 'export_file_open',
      });
      return ok({ ...info });
    },

    async write(exportId, position, chunk) {
      const job = active.get(exportId);
      if (!job) return err('export-failed', 'That export is not open (finished or cancelled?)');
      const write = job.queue.then(async () => {
        if (job.failed !== null) return;
        try {
          await job.file.write(chunk, 0, chunk.byteLength, position);
          job.info.bytesWritten = Math.max(job.info.bytesWritten, position + chunk.byteLength);
        } catch (error) {
          job.failed = errorMessage(error);
          logger.error('export write failed', {
            lesson_id: job.lessonId,
            event_type: 'export_write_failed',
            error,
          });
        }
      });
      job.queue = write;
      await write;
      if (job.failed !== null) {
        return err('export-failed', `Writing ${job.info.path} failed: ${job.failed}`, {
          hint: 'Free some disk space or choose another folder, then export again.',
        });
      }
      return ok(job.info.bytesWritten);
    },

    async finish(exportId, request) {
      const job = active.get(exportId);
      if (!job) return err('export-failed', 'That export is not open (finished or cancelled?)');
      await job.queue;
      if (job.failed !== null) {
        const reason = job.failed;
        await discard(job);
        return err('export-failed', `Writing ${job.info.path} failed: ${reason}`, {
          hint: 'Free some disk space or choose another folder, then export again.',
        });
      }
      try {
        await job.file.sync();
        await job.file.close();
      } catch (error) {
        await discard(job);
        return err('export-failed', `Closing ${job.info.path} failed`, {
          hint: errorMessage(error),
        });
      }
      const chaptered = await addMp4Chapters(job.partPath, request.chapters);
      if (!chaptered.ok) {
        await discard(job);
        return chaptered;
      }
      try {
        if (job.replace) await rename(job.partPath, job.info.path);
        else {
          // link fails where a file appeared meanwhile: a generated name never overwrites.
          await link(job.partPath, job.info.path);
          await rm(job.partPath, { force: true });
        }
      } catch (error) {
        await discard(job);
        return err('export-failed', `Cannot move the export into place at ${job.info.path}`, {
          hint: errorMessage(error),
        });
      }
      active.delete(exportId);
      const info: ExportInfo = { ...job.info };
      // The video matters more than its side files: a failed side file is reported, not fatal.
      const sideFiles: [string, string, 'captionsPath' | 'chaptersPath'][] = [
        [captionsPathFor(job.info.path), request.captionsVtt, 'captionsPath'],
        [
          chaptersPathFor(job.info.path),
          chaptersWebVtt(request.chapters, request.durationMs),
          'chaptersPath',
        ],
      ];
      for (const [path, text, key] of sideFiles) {
        try {
          await writeFile(path, text, 'utf8');
          info[key] = path;
        } catch (error) {
          logger.warn(`could not write ${path} beside the export`, {
            lesson_id: job.lessonId,
            event_type: 'export_side_file_failed',
            error,
          });
        }
      }
      logger.info(`export finished: ${job.info.path}`, {
        lesson_id: job.lessonId,
        event_type: 'export_file_closed',
        performance_data: {
          bytes: info.bytesWritten,
          chapters: chaptered.value.chapterCount,
          chaptersTruncated: chaptered.value.truncated,
          wallMs: Date.now() - job.startedAtMs,
        },
      });
      return ok(info);
    },

    async cancel(exportId) {
      const job = active.get(exportId);
      if (!job) return;
      await discard(job);
      logger.info(`export cancelled: ${job.info.path} (nothing kept)`, {
        lesson_id: job.lessonId,
        event_type: 'export_file_discarded',
      });
    },

    async cancelAll() {
      for (const id of [...active.keys()]) await this.cancel(id);
    },

    async cleanStaleParts(directory) {
      const names = await readdir(directory).catch(() => [] as string[]);
      const running = new Set([...active.values()].map((job) => basename(job.partPath)));
      const removed: string[] = [];
      for (const name of names) {
        const pid = Number(partFilePattern.exec(name)?.[1] ?? Number.NaN);
        if (!Number.isInteger(pid) || running.has(name)) continue;
        // This process's own id on a file it is not writing: left by an earlier process.
        if (pid !== process.pid && processAlive(pid)) continue;
        const path = join(directory, name);
        await rm(path, { force: true });
        removed.push(path);
      }
      if (removed.length > 0) {
        logger.info(`removed ${removed.length} part file(s) of exports that died`, {
          event_type: 'export_stale_parts_removed',
          paths: removed,
        });
      }
      return removed;
    },
  };
}
