import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflate, inflate } from 'node:zlib';
import { z } from 'zod';
import { err, ok } from '../../../../shared/result.ts';
import type { Result } from '../../../../shared/result.ts';
import type { Logger } from '../../logging/logger.ts';
import {
  contentKey,
  createContentCache,
  isContentKey,
  type ContentCacheEntryWriter,
} from '../../platform/content-cache.ts';

/**
 * Generated avatar segments on disk: every frame of one utterance, addressed by a SHA-256 of
 * everything that shapes them (audio, avatar, frame size, server), so a slide already rendered
 * never needs the GPU server again.
 *
 * Raw RGB is 786 KB per 512x512 frame (about 20 MB/s at 25 fps), so each frame is stored as its
 * own zlib stream (deflate level 1: fast, and frames stay independently readable). The index and
 * header sit at the end, so frames can be written as they arrive and read back by index before
 * the rest of the file is touched:
 *
 *   bytes 0..7       "RAPAVSG\n"                          magic
 *   bytes 8..11      format version, uint32 LE
 *   12..             frame 0, frame 1, ... (zlib streams, back to back)
 *   index            frameCount x (uint32 LE compressed length, 32-byte SHA-256 of those bytes)
 *   header           UTF-8 JSON: key, frameCount, width, height, compression, avatarName, server
 *   last 48 bytes    uint64 LE index offset, uint32 LE header length,
 *                    SHA-256 of (index + header), "AVSG"
 *
 * Stored in the platform's content-addressed cache: written to a unique temporary name and
 * renamed into place, so concurrent writers (render workers sharing the folder) never expose a
 * partial entry. An entry whose structure, metadata digest
 * or frame digest does not check out is a miss (a warning) and is replaced by the next write.
 */
export const avatarSegmentFormatVersion = 1;
const magic = Buffer.from('RAPAVSG\n', 'latin1');
const trailerMagic = Buffer.from('AVSG', 'latin1');
const prefixBytes = 12;
const trailerBytes = 48;
const indexEntryBytes = 36;
const compressionLevel = 1;
const isLittleEndian = endianness() === 'LE';
const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);

export interface AvatarSegmentKeyInput {
  /** 16 kHz mono, as sent to the server. */
  pcm: Int16Array;
  avatarName: string;
  frameSize: { width: number; height: number };
  /** Normalised server URL (see `displayOrigin`). */
  serverOrigin: string;
  /** The server's `/models` list: a server with other avatars may render differently. */
  serverModels: readonly string[];
}

function pcmBytes(pcm: Int16Array): Buffer {
  const bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  return isLittleEndian ? bytes : Buffer.from(bytes).swap16();
}

/** Lower-case hex SHA-256 naming one segment. Pure: same inputs, same key. */
export function avatarSegmentKey(input: AvatarSegmentKeyInput): string {
  return contentKey({
    formatVersion: avatarSegmentFormatVersion,
    pcmSha256: createHash('sha256').update(pcmBytes(input.pcm)).digest('hex'),
    avatarName: input.avatarName,
    frameSize: { width: input.frameSize.width, height: input.frameSize.height },
    server: { origin: input.serverOrigin, models: [...input.serverModels].sort() },
  });
}

const headerSchema = z
  .object({
    key: z.string(),
    frameCount: z.number().int().nonnegative(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    compression: z.literal('zlib'),
    avatarName: z.string(),
    serverOrigin: z.string(),
  })
  .strict();
type SegmentHeader = z.infer<typeof headerSchema>;

export interface SegmentInfo {
  avatarName: string;
  serverOrigin: string;
  width: number;
  height: number;
}

export interface AvatarSegmentReader {
  readonly key: string;
  readonly frameCount: number;
  readonly width: number;
  readonly height: number;
  /** Bytes on disk. */
  readonly fileBytes: number;
  /** One frame's RGB24, or a sentence saying why it is damaged. Never throws. */
  readFrame(
    index: number,
  ): Promise<{ ok: true; rgb: Uint8Array<ArrayBuffer> } | { ok: false; problem: string }>;
  close(): Promise<void>;
}

export interface AvatarSegmentWriter {
  readonly key: string;
  /** Appends the next frame; the bytes are copied at once, so the caller may transfer `rgb`. */
  addFrame(rgb: Uint8Array): void;
  readonly framesAdded: number;
  /** Finishes the file and renames it into place. */
  commit(): Promise<Result<{ fileBytes: number }>>;
  /** Drops the partial file. Idempotent; a no-op after commit. */
  abort(): Promise<void>;
}

export interface AvatarSegmentCache {
  readonly directory: string;
  /** A reader, or undefined for a miss (absent or damaged, with a warning). Never throws. */
  open(key: string): Promise<AvatarSegmentReader | undefined>;
  /** Starts a new entry; nothing is visible under `key` until commit. */
  beginWrite(key: string, info: SegmentInfo): Promise<Result<AvatarSegmentWriter>>;
  /** Deletes an entry found damaged mid-read, so the next write replaces it. */
  discard(key: string, problem: string): Promise<void>;
}

export function segmentPath(directory: string, key: string): string {
  return join(directory, `${key}.avseg`);
}

function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

async function readExactly(
  handle: FileHandle,
  position: number,
  length: number,
): Promise<Buffer | null> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return bytesRead === length ? buffer : null;
}

interface IndexEntry {
  offset: number;
  length: number;
  digest: Buffer;
}

type OpenedSegment =
  { ok: true; header: SegmentHeader; index: IndexEntry[] } | { ok: false; problem: string };

/** Checks the structure and metadata digest; frames are checked as they are read. */
async function readStructure(
  handle: FileHandle,
  key: string,
  fileBytes: number,
): Promise<OpenedSegment> {
  if (fileBytes < prefixBytes + trailerBytes) return { ok: false, problem: 'file too short' };
  const prefix = await readExactly(handle, 0, prefixBytes);
  if (!prefix || !prefix.subarray(0, magic.length).equals(magic)) {
    return { ok: false, problem: 'not an avatar segment file' };
  }
  const version = prefix.readUInt32LE(8);
  if (version !== avatarSegmentFormatVersion) {
    return {
      ok: false,
      problem: `format version ${version}, expected ${avatarSegmentFormatVersion}`,
    };
  }
  const trailer = await readExactly(handle, fileBytes - trailerBytes, trailerBytes);
  if (!trailer?.subarray(44).equals(trailerMagic)) return { ok: false, problem: 'no trailer' };
  const indexOffset = Number(trailer.readBigUInt64LE(0));
  const headerLength = trailer.readUInt32LE(8);
  const metaLength = fileBytes - trailerBytes - indexOffset;
  if (indexOffset < prefixBytes || metaLength < headerLength) {
    return { ok: false, problem: 'trailer offsets out of range' };
  }
  const meta = await readExactly(handle, indexOffset, metaLength);
  if (!meta || !sha256(meta).equals(trailer.subarray(12, 44))) {
    return { ok: false, problem: 'index and header do not match their digest' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(meta.subarray(metaLength - headerLength).toString('utf8'));
  } catch {
    return { ok: false, problem: 'header is not JSON' };
  }
  const header = headerSchema.safeParse(parsed);
  if (!header.success) return { ok: false, problem: 'header does not match the format' };
  if (header.data.key !== key) return { ok: false, problem: 'entry belongs to another key' };
  const { frameCount } = header.data;
  if (metaLength - headerLength !== frameCount * indexEntryBytes) {
    return { ok: false, problem: 'index size does not match the frame count' };
  }
  const index: IndexEntry[] = [];
  let offset = prefixBytes;
  for (let frame = 0; frame < frameCount; frame++) {
    const at = frame * indexEntryBytes;
    const length = meta.readUInt32LE(at);
    index.push({ offset, length, digest: meta.subarray(at + 4, at + indexEntryBytes) });
    offset += length;
  }
  if (offset !== indexOffset) return { ok: false, problem: 'frames do not fill the data area' };
  return { ok: true, header: header.data, index };
}

export function createAvatarSegmentCache(options: {
  directory: string;
  logger: Logger;
}): AvatarSegmentCache {
  const { directory } = options;
  const log = options.logger.child('avatar-segment-cache');
  const files = createContentCache({ directory, extension: 'avseg' });

  function warnDamaged(path: string, problem: string) {
    log.warn(`avatar segment cache entry damaged (${problem}); it will be regenerated`, {
      event_type: 'avatar_segment_cache_damaged',
      path,
    });
  }

  async function openEntry(key: string): Promise<AvatarSegmentReader | undefined> {
    if (!isContentKey(key)) return undefined;
    const path = segmentPath(directory, key);
    let opened: FileHandle | undefined;
    try {
      opened = await files.open(key);
    } catch (error) {
      log.warn('avatar segment cache entry unreadable', { path, error });
      return undefined;
    }
    if (opened === undefined) return undefined;
    const handle = opened;
    try {
      const fileBytes = (await handle.stat()).size;
      const structure = await readStructure(handle, key, fileBytes);
      if (!structure.ok) {
        warnDamaged(path, structure.problem);
        await handle.close();
        return undefined;
      }
      const { header, index } = structure;
      const rawBytes = header.width * header.height * 3;
      return {
        key,
        frameCount: header.frameCount,
        width: header.width,
        height: header.height,
        fileBytes,
        async readFrame(frame) {
          const entry = index[frame];
          if (!entry) return { ok: false, problem: `no frame ${frame}` };
          try {
            const compressed = await readExactly(handle, entry.offset, entry.length);
            if (!compressed || !sha256(compressed).equals(entry.digest)) {
              return { ok: false, problem: `frame ${frame} does not match its digest` };
            }
            const rgb = await inflateAsync(compressed);
            if (rgb.length !== rawBytes) {
              return {
                ok: false,
                problem: `frame ${frame} is ${rgb.length} bytes, expected ${rawBytes}`,
              };
            }
            return { ok: true, rgb: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length) };
          } catch (error) {
            return {
              ok: false,
              problem: `frame ${frame} unreadable: ${error instanceof Error ? error.message : String(error)}`,
            };
          }
        },
        close: () => handle.close().catch(() => undefined),
      };
    } catch (error) {
      log.warn('avatar segment cache entry unreadable', { path, error });
      await handle.close().catch(() => undefined);
      return undefined;
    }
  }

  async function beginWrite(key: string, info: SegmentInfo): Promise<Result<AvatarSegmentWriter>> {
    if (!isContentKey(key)) return err('invalid-request', 'Not an avatar segment cache key.');
    const path = segmentPath(directory, key);
    let entry: ContentCacheEntryWriter;
    try {
      entry = await files.beginWrite(key);
    } catch (error) {
      return ioFailed(error);
    }
    const { handle } = entry;
    const rawBytes = info.width * info.height * 3;
    const entries: { length: number; digest: Buffer }[] = [];
    let position = prefixBytes;
    let framesAdded = 0;
    let failure: Error | null = null;
    let finished = false;
    const prefix = Buffer.alloc(prefixBytes);
    magic.copy(prefix, 0);
    prefix.writeUInt32LE(avatarSegmentFormatVersion, 8);
    // Frames compress in parallel on the thread pool; writes are chained so they land in order.
    let chain: Promise<void> = handle.write(prefix, 0, prefixBytes, 0).then(() => undefined);
    chain = chain.catch((error: unknown) => {
      failure ??= asError(error);
    });

    function ioFailed(error: unknown): Result<never> {
      log.warn('avatar segment cache write failed', { path, error });
      return err('io-failed', 'Could not save the avatar segment to the cache.', {
        hint: `Check that ${directory} is writable and the disk has space.`,
        details: [error instanceof Error ? error.message : String(error)],
      });
    }

    const writer: AvatarSegmentWriter = {
      key,
      get framesAdded() {
        return framesAdded;
      },
      addFrame(rgb) {
        if (finished) throw new Error('addFrame after commit or abort');
        if (rgb.length !== rawBytes) {
          failure ??= new RangeError(`frame is ${rgb.length} bytes, expected ${rawBytes}`);
          return;
        }
        framesAdded += 1;
        const compressed = deflateAsync(Buffer.from(rgb), { level: compressionLevel });
        chain = chain
          .then(async () => {
            if (failure !== null) return;
            const bytes = await compressed;
            entries.push({ length: bytes.length, digest: sha256(bytes) });
            await handle.write(bytes, 0, bytes.length, position);
            position += bytes.length;
          })
          .catch((error: unknown) => {
            failure ??= asError(error);
          });
      },
      async commit() {
        if (finished) return err('invalid-request', 'The avatar segment was already finished.');
        finished = true;
        await chain;
        try {
          if (failure !== null) throw failure;
          const index = Buffer.alloc(entries.length * indexEntryBytes);
          entries.forEach((entry, frame) => {
            index.writeUInt32LE(entry.length, frame * indexEntryBytes);
            entry.digest.copy(index, frame * indexEntryBytes + 4);
          });
          const header = Buffer.from(
            JSON.stringify({
              key,
              frameCount: entries.length,
              width: info.width,
              height: info.height,
              compression: 'zlib',
              avatarName: info.avatarName,
              serverOrigin: info.serverOrigin,
            } satisfies SegmentHeader),
            'utf8',
          );
          const trailer = Buffer.alloc(trailerBytes);
          trailer.writeBigUInt64LE(BigInt(position), 0);
          trailer.writeUInt32LE(header.length, 8);
          sha256(Buffer.concat([index, header])).copy(trailer, 12);
          trailerMagic.copy(trailer, 44);
          const tail = Buffer.concat([index, header, trailer]);
          await handle.write(tail, 0, tail.length, position);
          await entry.commit();
          return ok({ fileBytes: position + tail.length });
        } catch (error) {
          await entry.abort();
          return ioFailed(error);
        }
      },
      async abort() {
        if (finished) return;
        finished = true;
        await chain;
        await entry.abort();
      },
    };
    return ok(writer);
  }

  async function discard(key: string, problem: string): Promise<void> {
    if (!isContentKey(key)) return;
    warnDamaged(segmentPath(directory, key), problem);
    await files.remove(key);
  }

  return { directory, open: openEntry, beginWrite, discard };
}
