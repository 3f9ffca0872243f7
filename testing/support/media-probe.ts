import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { z } from 'zod';

/** ffprobe/ffmpeg helpers: the tests judge real files the way a player would read them. */
const run = promisify(execFile);

const probeSchema = z.object({
  streams: z.array(
    z.object({
      codec_type: z.string(),
      codec_name: z.string(),
      width: z.number().optional(),
      height: z.number().optional(),
      duration: z.string().optional(),
      r_frame_rate: z.string().optional(),
    }),
  ),
  format: z.object({ duration: z.string().optional(), format_name: z.string() }),
});
export type Probe = z.infer<typeof probeSchema>;

export async function ffprobe(file: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_streams',
    '-show_format',
    file,
  ]);
  return probeSchema.parse(JSON.parse(stdout));
}

const countedSchema = z.object({
  streams: z.array(
    z.object({
      nb_read_frames: z.coerce.number(),
      duration: z.coerce.number(),
      start_time: z.coerce.number(),
      profile: z.string().optional(),
      sample_rate: z.coerce.number().optional(),
    }),
  ),
  chapters: z.array(
    z.object({
      start_time: z.coerce.number(),
      end_time: z.coerce.number(),
      tags: z.object({ title: z.string() }).partial().optional(),
    }),
  ),
});

/** Frames decoded (not the header's count), header duration and start of one stream, and the chapters. */
export async function countedStream(
  file: string,
  stream: 'v:0' | 'a:0',
): Promise<{
  frames: number;
  durationSec: number;
  startSec: number;
  profile: string | null;
  sampleRateHz: number | null;
  chapters: { startSec: number; endSec: number; title: string }[];
}> {
  const { stdout } = await run(
    'ffprobe',
    [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      stream,
      '-show_entries',
      'stream=nb_read_frames,duration,start_time,profile,sample_rate',
      '-show_chapters',
      '-of',
      'json',
      file,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const parsed = countedSchema.parse(JSON.parse(stdout));
  const found = parsed.streams[0];
  if (!found) throw new Error(`${file} has no ${stream} stream`);
  return {
    frames: found.nb_read_frames,
    durationSec: found.duration,
    startSec: found.start_time,
    profile: found.profile ?? null,
    sampleRateHz: found.sample_rate ?? null,
    chapters: parsed.chapters.map((chapter) => ({
      startSec: chapter.start_time,
      endSec: chapter.end_time,
      title: chapter.tags?.title ?? '',
    })),
  };
}

/**
 * A stream's duration measured from its packets (last pts + its duration - first pts), which
 * works for fragmented MP4 where header durations can be missing.
 */
export async function streamDurationSec(file: string, stream: 'v:0' | 'a:0'): Promise<number> {
  const { stdout } = await run(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      stream,
      '-show_entries',
      'packet=pts_time,duration_time',
      '-of',
      'csv=p=0',
      file,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const line of stdout.trim().split('\n')) {
    const [pts, duration] = line.split(',').map(Number);
    if (pts === undefined || !Number.isFinite(pts)) continue;
    first = Math.min(first, pts);
    last = Math.max(
      last,
      pts + (duration !== undefined && Number.isFinite(duration) ? duration : 0),
    );
  }
  return last - first;
}

/** Decodes the frame shown at `timeSec` as packed RGB24. */
export async function frameAt(
  file: string,
  timeSec: number,
  width: number,
  height: number,
): Promise<Uint8Array> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-ss',
      timeSec.toFixed(3),
      '-i',
      file,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  if (stdout.byteLength !== width * height * 3) {
    throw new Error(
      `expected a ${width}x${height} frame at ${timeSec}s, got ${stdout.byteLength} bytes`,
    );
  }
  return new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.byteLength);
}

/** All frames in [fromSec, fromSec + durationSec) as RGB24, decoded in one pass. */
export async function framesBetween(
  file: string,
  fromSec: number,
  durationSec: number,
  width: number,
  height: number,
): Promise<Uint8Array[]> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-ss',
      fromSec.toFixed(3),
      '-t',
      durationSec.toFixed(3),
      '-i',
      file,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
  );
  const size = width * height * 3;
  const frames: Uint8Array[] = [];
  for (let offset = 0; offset + size <= stdout.byteLength; offset += size) {
    frames.push(new Uint8Array(stdout.buffer, stdout.byteOffset + offset, size));
  }
  return frames;
}

/**
 * The audio track as stored: every packet's bytes hashed in order, and the samples it decodes to
 * at its own rate (ffmpeg's decoder, Opus pre-skip applied as players do). Two files with the same
 * digest carry the very same encoded audio.
 */
export async function audioTrackFingerprint(
  file: string,
): Promise<{ packetsSha256: string; decodedSamples: number }> {
  const packets = await run(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-map', '0:a:0', '-c', 'copy', '-f', 'data', '-'],
    { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
  );
  const decoded = await run(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-map', '0:a:0', '-ac', '1', '-f', 's16le', '-'],
    { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
  );
  return {
    packetsSha256: createHash('sha256').update(packets.stdout).digest('hex'),
    decodedSamples: decoded.stdout.byteLength / 2,
  };
}

/** The audio track decoded to mono 16 kHz float samples. */
export async function decodeAudioMono16k(file: string): Promise<Float32Array> {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-vn', '-ac', '1', '-ar', '16000', '-f', 'f32le', '-'],
    { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
  );
  return new Float32Array(
    stdout.buffer.slice(stdout.byteOffset, stdout.byteOffset + stdout.byteLength),
  );
}

export function rmsDb(
  samples: Float32Array,
  fromSec: number,
  toSec: number,
  rateHz = 16_000,
): number {
  const from = Math.max(0, Math.floor(fromSec * rateHz));
  const to = Math.min(samples.length, Math.floor(toSec * rateHz));
  let sum = 0;
  for (let i = from; i < to; i += 1) sum += (samples[i] ?? 0) ** 2;
  const rms = Math.sqrt(sum / Math.max(1, to - from));
  return 20 * Math.log10(Math.max(rms, 1e-9));
}

export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function countPixels(
  rgb: Uint8Array,
  imageWidth: number,
  rect: PixelRect,
  predicate: (r: number, g: number, b: number) => boolean,
): number {
  let count = 0;
  for (let y = rect.y; y < rect.y + rect.height; y += 1) {
    for (let x = rect.x; x < rect.x + rect.width; x += 1) {
      const i = (y * imageWidth + x) * 3;
      if (predicate(rgb[i] ?? 0, rgb[i + 1] ?? 0, rgb[i + 2] ?? 0)) count += 1;
    }
  }
  return count;
}

/** Mean absolute difference per channel (0..255) between two RGB24 images, inside or outside a rect. */
export function meanAbsDiff(
  a: Uint8Array,
  b: Uint8Array,
  imageWidth: number,
  rect: PixelRect,
  inside: boolean,
): number {
  let sum = 0;
  let n = 0;
  const height = a.length / 3 / imageWidth;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < imageWidth; x += 1) {
      const within =
        x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height;
      if (within !== inside) continue;
      const i = (y * imageWidth + x) * 3;
      sum +=
        Math.abs((a[i] ?? 0) - (b[i] ?? 0)) +
        Math.abs((a[i + 1] ?? 0) - (b[i + 1] ?? 0)) +
        Math.abs((a[i + 2] ?? 0) - (b[i + 2] ?? 0));
      n += 3;
    }
  }
  return sum / Math.max(1, n);
}
