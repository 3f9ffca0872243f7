import { open, mkdir, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { err, ok, type Result } from '../../../shared/result.ts';
import type { Logger } from '../logging/logger.ts';

/**
 * Receives a live recording's chunks and appends them to the file as they arrive, so a crash
 * mid-recording leaves everything up to the last chunk on disk (Chromium writes fragmented MP4,
 * which stays playable up to its last complete fragment).
 */
export interface RecordingInfo {
  recordingId: string;
  path: string;
  bytesWritten: number;
}

interface ActiveRecording {
  info: RecordingInfo;
  lessonId: string;
  file: FileHandle;
  /** Appends run strictly in arrival order. */
  queue: Promise<unknown>;
  failed: string | null;
  startedAt: number;
}

/** `talk.webm` → `talk.vtt`, beside it, as players look for it. */
export function captionsPathFor(recordingPath: string): string {
  const extension = extname(recordingPath);
  return `${extension ? recordingPath.slice(0, -extension.length) : recordingPath}.vtt`;
}

export interface RecordingSink {
  /**
   * `outPath` and `directory` come from main only (a registered destination, the recordings
   * folder); the page's request never carries a path (see output-handlers.ts).
   */
  start(request: {
    lessonId: string;
    lessonTitle?: string | undefined;
    directory?: string | undefined;
    outPath?: string | undefined;
    mimeType: string;
  }): Promise<Result<RecordingInfo>>;
  append(recordingId: string, chunk: Uint8Array): Promise<Result<RecordingInfo>>;
  /** Closes the file; `captionsVtt` is written beside it as `<name>.vtt`. */
  finish(recordingId: string, captionsVtt?: string): Promise<Result<RecordingInfo>>;
  /** Closes every open file (app quit): what was written stays. */
  closeAll(): Promise<void>;
}

export function extensionForMimeType(mimeType: string): string {
  const base = mimeType.split(';')[0]?.trim().toLowerCase();
  if (base === 'video/mp4') return 'mp4';
  if (base === 'video/webm') return 'webm';
  if (base === 'video/x-matroska') return 'mkv';
  return 'bin';
}

/**
 * `Plants_and_light_2026-11-24_14-03-05.mp4` from the lesson's title (or id) and the time:
 * sortable, safe on every filesystem, and never a path (no separator or dot survives).
 */
export function recordingFileName(name: string, date: Date, extension: string): string {
  const stamp = date.toISOString().slice(0, 19).replace('T', '_').replaceAll(':', '-');
  const safeName = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);
  return `${safeName}_${stamp}.${extension}`;
}

/**
 * Creates a new file in `directory` named for the lesson and the time, never one that exists:
 * 'wx' makes the existence check and the creation one step, so two starts in the same second
 * (or a file appearing meanwhile) cannot overwrite each other.
 */
export async function createUniqueFile(
  directory: string,
  name: string,
  extension: string,
  date: Date,
): Promise<{ path: string; file: FileHandle }> {
  await mkdir(directory, { recursive: true });
  const base = recordingFileName(name, date, extension);
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const fileName =
      attempt === 0 ? base : base.replace(`.${extension}`, `_${attempt + 1}.${extension}`);
    const path = join(directory, fileName);
    try {
      return { path, file: await open(path, 'wx') };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const path = join(directory, `${randomUUID()}.${extension}`);
  return { path, file: await open(path, 'wx') };
}

export function createRecordingSink(
  logger: Logger,
  now: () => Date = () => new Date(),
): RecordingSink {
  const active = new Map<string, ActiveRecording>();

  async function openTarget(
    request: Parameters<RecordingSink['start']>[0],
    extension: string,
  ): Promise<Result<{ path: string; file: FileHandle }>> {
    const target = request.outPath ?? request.directory ?? '';
    try {
      if (request.outPath !== undefined) {
        // A registered path (the CLI's --out) is replaced, as the user asked on the command line.
        const path = resolve(request.outPath);
        await mkdir(dirname(path), { recursive: true });
        return ok({ path, file: await open(path, 'w') });
      }
      if (request.directory === undefined || !isAbsolute(request.directory)) {
        return err('invalid-request', 'Choose a recording folder (an absolute path) first.');
      }
      const name = request.lessonTitle ?? request.lessonId;
      return ok(await createUniqueFile(request.directory, name, extension, now()));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return err('recording-failed', `Cannot write the recording to ${target}`, {
        hint: `Check that the folder exists and is writable (${reason}).`,
      });
    }
  }

  return {
    async start(request) {
      const opened = await openTarget(request, extensionForMimeType(request.mimeType));
      if (!opened.ok) return opened;
      const { path } = opened.value;
      const recordingId = randomUUID();
      const info = { recordingId, path, bytesWritten: 0 };
      active.set(recordingId, {
        info,
        lessonId: request.lessonId,
        file: opened.value.file,
        queue: Promise.resolve(),
        failed: null,
        startedAt: Date.now(),
      });
      logger.info(`recording started: ${path}`, {
        lesson_id: request.lessonId,
        event_type: 'recording_start',
        mimeType: request.mimeType,
      });
      return ok({ ...info });
    },

    async append(recordingId, chunk) {
      const recording = active.get(recordingId);
      if (!recording)
        return err('recording-failed', 'That recording is not open (already finished?)');
      const write = recording.queue.then(async () => {
        if (recording.failed !== null) return;
        try {
          await recording.file.write(chunk, 0, chunk.byteLength, recording.info.bytesWritten);
          // On disk, not only in the page cache: a power cut or kernel crash keeps it too.
          await recording.file.datasync();
          recording.info.bytesWritten += chunk.byteLength;
        } catch (error) {
          recording.failed = error instanceof Error ? error.message : String(error);
          logger.error('recording write failed', {
            lesson_id: recording.lessonId,
            event_type: 'recording_write_failed',
            error,
          });
        }
      });
      recording.queue = write;
      await write;
      if (recording.failed !== null) {
        return err(
          'recording-failed',
          `Writing ${recording.info.path} failed: ${recording.failed}`,
          {
            hint: 'Free some disk space or choose another folder; what was recorded so far is kept.',
          },
        );
      }
      return ok({ ...recording.info });
    },

    async finish(recordingId, captionsVtt) {
      const recording = active.get(recordingId);
      if (!recording)
        return err('recording-failed', 'That recording is not open (already finished?)');
      active.delete(recordingId);
      await recording.queue;
      try {
        await recording.file.sync();
        await recording.file.close();
      } catch (error) {
        logger.error('closing recording failed', {
          lesson_id: recording.lessonId,
          event_type: 'recording_close_failed',
          error,
        });
      }
      logger.info(`recording finished: ${recording.info.path}`, {
        lesson_id: recording.lessonId,
        event_type: 'recording_end',
        performance_data: {
          bytes: recording.info.bytesWritten,
          wallMs: Date.now() - recording.startedAt,
        },
      });
      let captionsPath: string | null = null;
      if (captionsVtt !== undefined) {
        const path = captionsPathFor(recording.info.path);
        try {
          await writeFile(path, captionsVtt, 'utf8');
          captionsPath = path;
        } catch (error) {
          // The video matters more than its captions: report, keep the recording.
          logger.warn(`captions could not be written beside the recording: ${path}`, {
            lesson_id: recording.lessonId,
            event_type: 'captions_write_failed',
            error,
          });
        }
      }
      if (recording.failed !== null) {
        return err(
          'recording-failed',
          `The recording ${recording.info.path} is incomplete: ${recording.failed}`,
        );
      }
      return ok({ ...recording.info, captionsPath });
    },

    async closeAll() {
      for (const id of [...active.keys()]) await this.finish(id);
    },
  };
}
