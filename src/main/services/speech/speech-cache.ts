import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { err, ok } from '../../../shared/result.ts';
import type { Result } from '../../../shared/result.ts';
import type { Logger } from '../logging/logger.ts';
import { contentKey, createContentCache, isContentKey } from '../platform/content-cache.ts';
import { speechSampleRateHz } from './speech-types.ts';
import type { SynthesizedSpeech } from './speech-types.ts';

/**
 * Synthesised speech on disk, addressed by a SHA-256 of everything that shapes it, so an
 * unchanged slide never needs the engine again and an edited one never gets stale audio.
 *
 * One file per entry, `<key>.speech`, in the platform's content-addressed cache (written to a
 * unique temporary name and renamed into place, so a crash leaves either the old entry, the new
 * one, or a stray `.tmp-*` file that is never read):
 *
 *   bytes 0..7    "RAPSPCH\n"                       magic
 *   bytes 8..11   format version, uint32 little-endian
 *   bytes 12..15  header length H, uint32 little-endian
 *   16..16+H      header, UTF-8 JSON: key, providerId, sampleRateHz, sampleCount, durationMs,
 *                 words, pcmSha256
 *   then          sampleCount x int16 little-endian (mono PCM)
 *
 * (`ffplay -f s16le -ar 16000 -skip_initial_bytes <16+H> file` plays one.) An entry whose magic,
 * version, header, length or PCM digest does not check out is a miss, logged as a warning, and
 * is replaced by the next write.
 */
export const speechCacheFormatVersion = 1;
const magic = Buffer.from('RAPSPCH\n', 'latin1');
const prefixBytes = 16;

export interface CacheKeyInput {
  /** Includes the engine version (SpeechProvider.id). */
  providerId: string;
  /** Every setting that shapes the audio (and nothing else, or edits would miss the cache). */
  voice: object;
  text: string;
  sampleRateHz: number;
}

/** Lower-case hex SHA-256 naming one cache entry. Pure: same inputs, same key. */
export function cacheKey(input: CacheKeyInput): string {
  return contentKey({
    cacheFormatVersion: speechCacheFormatVersion,
    providerId: input.providerId,
    voice: input.voice,
    text: input.text,
    sampleRateHz: input.sampleRateHz,
  });
}

const headerSchema = z
  .object({
    key: z.string(),
    providerId: z.string(),
    sampleRateHz: z.literal(speechSampleRateHz),
    sampleCount: z.number().int().nonnegative(),
    durationMs: z.number().nonnegative(),
    pcmSha256: z.string().regex(/^[0-9a-f]{64}$/),
    words: z.array(
      z
        .object({
          text: z.string(),
          startMs: z.number(),
          endMs: z.number(),
          charStart: z.number().int(),
          charEnd: z.number().int(),
        })
        .strict(),
    ),
  })
  .strict();

const isLittleEndian = endianness() === 'LE';

export interface SpeechCache {
  readonly directory: string;
  /** The entry, or undefined for a miss (absent, unreadable or damaged). Never throws. */
  get(key: string): Promise<SynthesizedSpeech | undefined>;
  /** Writes atomically; the cache directory is created on first use. Never throws. */
  put(key: string, speech: SynthesizedSpeech): Promise<Result<void>>;
  /** Whether an entry exists (not verified): enough for a cost estimate. */
  has(key: string): Promise<boolean>;
}

export function entryPath(directory: string, key: string): string {
  return join(directory, `${key}.speech`);
}

function pcmBytes(pcm: Int16Array): Buffer {
  const bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  // The format is little-endian; only a big-endian host needs a swapped copy.
  return isLittleEndian ? bytes : Buffer.from(bytes).swap16();
}

export function encodeEntry(key: string, speech: SynthesizedSpeech): Buffer {
  const payload = pcmBytes(speech.pcm);
  const header = Buffer.from(
    JSON.stringify({
      key,
      providerId: speech.providerId,
      sampleRateHz: speech.sampleRateHz,
      sampleCount: speech.pcm.length,
      durationMs: speech.durationMs,
      pcmSha256: createHash('sha256').update(payload).digest('hex'),
      words: speech.words.map(({ text, startMs, endMs, charStart, charEnd }) => ({
        text,
        startMs,
        endMs,
        charStart,
        charEnd,
      })),
    }),
    'utf8',
  );
  const prefix = Buffer.alloc(prefixBytes);
  magic.copy(prefix, 0);
  prefix.writeUInt32LE(speechCacheFormatVersion, 8);
  prefix.writeUInt32LE(header.length, 12);
  return Buffer.concat([prefix, header, payload]);
}

/** The entry in `bytes`, or a sentence saying what is wrong with it. */
export function decodeEntry(
  key: string,
  bytes: Buffer,
): { ok: true; speech: SynthesizedSpeech } | { ok: false; problem: string } {
  if (bytes.length < prefixBytes || !bytes.subarray(0, magic.length).equals(magic)) {
    return { ok: false, problem: 'not a speech cache file' };
  }
  const version = bytes.readUInt32LE(8);
  if (version !== speechCacheFormatVersion) {
    return {
      ok: false,
      problem: `format version ${version}, expected ${speechCacheFormatVersion}`,
    };
  }
  const headerEnd = prefixBytes + bytes.readUInt32LE(12);
  if (headerEnd > bytes.length) return { ok: false, problem: 'truncated header' };
  let parsedHeader: unknown;
  try {
    parsedHeader = JSON.parse(bytes.subarray(prefixBytes, headerEnd).toString('utf8'));
  } catch {
    return { ok: false, problem: 'header is not JSON' };
  }
  const header = headerSchema.safeParse(parsedHeader);
  if (!header.success) return { ok: false, problem: 'header does not match the format' };
  const { sampleCount, pcmSha256, words, durationMs, providerId } = header.data;
  if (header.data.key !== key) return { ok: false, problem: 'entry belongs to another key' };
  const payload = bytes.subarray(headerEnd);
  if (payload.length !== sampleCount * 2) {
    return { ok: false, problem: `PCM is ${payload.length} bytes, expected ${sampleCount * 2}` };
  }
  if (createHash('sha256').update(payload).digest('hex') !== pcmSha256) {
    return { ok: false, problem: 'PCM does not match its digest' };
  }
  // A copy: the header length is arbitrary, so the payload may sit at an odd offset.
  const pcm = new Int16Array(sampleCount);
  const pcmView = Buffer.from(pcm.buffer);
  payload.copy(pcmView);
  if (!isLittleEndian) pcmView.swap16();
  return {
    ok: true,
    speech: { pcm, sampleRateHz: speechSampleRateHz, durationMs, words, providerId },
  };
}

export function createSpeechCache(options: { directory: string; logger: Logger }): SpeechCache {
  const { directory } = options;
  const log = options.logger.child('speech-cache');
  const entries = createContentCache({ directory, extension: 'speech' });

  async function get(key: string): Promise<SynthesizedSpeech | undefined> {
    if (!isContentKey(key)) return undefined;
    const path = entryPath(directory, key);
    let bytes: Buffer | undefined;
    try {
      bytes = await entries.read(key);
    } catch (error) {
      log.warn('speech cache entry unreadable', { path, error });
      return undefined;
    }
    if (bytes === undefined) return undefined;
    const decoded = decodeEntry(key, bytes);
    if (!decoded.ok) {
      log.warn(`speech cache entry damaged (${decoded.problem}); it will be rewritten`, {
        event_type: 'speech_cache_damaged',
        path,
      });
      return undefined;
    }
    return decoded.speech;
  }

  async function put(key: string, speech: SynthesizedSpeech): Promise<Result<void>> {
    if (!isContentKey(key)) return err('invalid-request', 'Not a speech cache key.');
    try {
      await entries.write(key, encodeEntry(key, speech));
      return ok(undefined);
    } catch (error) {
      log.warn('speech cache write failed', { path: entryPath(directory, key), error });
      return err('io-failed', 'Could not save synthesised speech to the cache.', {
        hint: `Check that ${directory} is writable and the disk has space.`,
        details: [error instanceof Error ? error.message : String(error)],
      });
    }
  }

  async function has(key: string): Promise<boolean> {
    return isContentKey(key) && (await entries.has(key));
  }

  return { directory, get, put, has };
}
