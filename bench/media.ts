import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ffprobe, streamDurationSec } from '../testing/support/media-probe.ts';

const run = promisify(execFile);

/** What the bench reads from a rendered file: its length and how many frames it really holds. */
export interface FileTiming {
  /** The container's duration (what a player shows), else the video packets' span. */
  readonly durationSec: number;
  readonly videoFrames: number;
  /** Video frames / the video stream's span: below the lesson's fps, frames were dropped. */
  readonly deliveredFps: number;
}

/** Video packets counted without decoding: one packet per frame in these files. */
export async function videoPacketCount(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-count_packets',
    '-show_entries',
    'stream=nb_read_packets',
    '-of',
    'csv=p=0',
    file,
  ]);
  const count = Number(stdout.trim());
  if (!Number.isInteger(count)) throw new Error(`ffprobe counted no video packets in ${file}`);
  return count;
}

export async function fileTiming(file: string): Promise<FileTiming> {
  const [probe, videoSpanSec, videoFrames] = await Promise.all([
    ffprobe(file),
    streamDurationSec(file, 'v:0'),
    videoPacketCount(file),
  ]);
  const containerSec = Number(probe.format.duration);
  const durationSec =
    Number.isFinite(containerSec) && containerSec > 0 ? containerSec : videoSpanSec;
  return {
    durationSec,
    videoFrames,
    deliveredFps: videoSpanSec > 0 ? videoFrames / videoSpanSec : 0,
  };
}
