import { crc32, inflateRawSync } from 'node:zlib';

/**
 * A small, bounded reader of ZIP archives (PKWARE APPNOTE.TXT 6.3.x), enough for the parts of an
 * Office Open XML package (ECMA-376 Part 2: a package is a ZIP archive). The project has no ZIP
 * dependency, and node:zlib inflates; this file only walks the directory. It reads the central
 * directory (the authority on what the archive holds, APPNOTE 4.3.12), never the local headers'
 * sizes, and inflates only the entries asked for, each with an output limit, so a zip bomb stops
 * at the limit instead of filling memory.
 */

export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

export interface ZipLimits {
  /** Entries in the central directory: a deck has a few hundred. */
  maxEntries: number;
  /** Uncompressed bytes of one entry read (XML parts are kilobytes; media are never read). */
  maxEntryBytes: number;
  /** Uncompressed bytes of all entries read from one archive. */
  maxTotalBytes: number;
}

export const defaultZipLimits: ZipLimits = {
  maxEntries: 20_000,
  maxEntryBytes: 32 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
};

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  /** "Version made by" (APPNOTE 4.4.2): its high byte is the host system, 3 for Unix. */
  madeBy: number;
  /** External file attributes (APPNOTE 4.4.15): on Unix, the mode in the high 16 bits. */
  externalAttributes: number;
}

const endOfCentralDirectory = 0x06054b50; // APPNOTE 4.3.16
const zip64EndLocator = 0x07064b50; // APPNOTE 4.3.15
const centralHeader = 0x02014b50; // APPNOTE 4.3.12
const localHeader = 0x04034b50; // APPNOTE 4.3.7
const zip64ExtraId = 0x0001; // APPNOTE 4.5.3
const maxU32 = 0xffffffff;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The end-of-central-directory record: searched backwards over its 22 bytes + comment. */
function findEnd(data: DataView): number {
  const earliest = Math.max(0, data.byteLength - 22 - 0xffff);
  for (let at = data.byteLength - 22; at >= earliest; at -= 1) {
    if (data.getUint32(at, true) === endOfCentralDirectory) return at;
  }
  throw new ZipFormatError('it is not a ZIP archive (no end of central directory record)');
}

/** Sizes and offset held in the ZIP64 extra field when the 32-bit fields are 0xFFFFFFFF. */
function zip64Values(
  extra: DataView,
  wanted: { size: boolean; compressedSize: boolean; offset: boolean },
): { size?: number; compressedSize?: number; offset?: number } {
  let at = 0;
  while (at + 4 <= extra.byteLength) {
    const id = extra.getUint16(at, true);
    const length = extra.getUint16(at + 2, true);
    if (id === zip64ExtraId) {
      let field = at + 4;
      const end = field + length;
      const next = (): number => {
        if (field + 8 > end || field + 8 > extra.byteLength) {
          throw new ZipFormatError('a ZIP64 extra field is shorter than its entry needs');
        }
        const value = extra.getBigUint64(field, true);
        field += 8;
        if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
          throw new ZipFormatError('a ZIP64 size is too large');
        }
        return Number(value);
      };
      // The fields appear in this order, each only when its 32-bit field is saturated.
      return {
        ...(wanted.size ? { size: next() } : {}),
        ...(wanted.compressedSize ? { compressedSize: next() } : {}),
        ...(wanted.offset ? { offset: next() } : {}),
      };
    }
    at += 4 + length;
  }
  throw new ZipFormatError('an entry says it has ZIP64 sizes but has no ZIP64 extra field');
}

export class ZipArchive {
  private readonly byName = new Map<string, ZipEntry>();
  private inflatedBytes = 0;

  private constructor(
    private readonly bytes: Uint8Array,
    readonly entries: readonly ZipEntry[],
    private readonly limits: ZipLimits,
  ) {
    for (const entry of entries) {
      // OPC part names compare case-insensitively (ECMA-376 Part 2, part name equivalence).
      const key = entry.name.toLowerCase();
      if (this.byName.has(key)) {
        throw new ZipFormatError(`the archive holds ${entry.name} twice`);
      }
      this.byName.set(key, entry);
    }
  }

  static open(bytes: Uint8Array, limits: ZipLimits = defaultZipLimits): ZipArchive {
    if (bytes.byteLength < 22) throw new ZipFormatError('it is too short to be a ZIP archive');
    const data = view(bytes);
    const end = findEnd(data);
    if (end >= 20 && data.getUint32(end - 20, true) === zip64EndLocator) {
      throw new ZipFormatError('ZIP64 archives (over 65,535 entries or 4 GB) are not supported');
    }
    const count = data.getUint16(end + 10, true);
    const directorySize = data.getUint32(end + 12, true);
    const directoryOffset = data.getUint32(end + 16, true);
    if (count > limits.maxEntries) {
      throw new ZipFormatError(`it has ${count} entries, more than ${limits.maxEntries}`);
    }
    if (directoryOffset + directorySize > end) {
      throw new ZipFormatError('its central directory lies outside the file (truncated?)');
    }
    const entries: ZipEntry[] = [];
    let at = directoryOffset;
    for (let index = 0; index < count; index += 1) {
      if (at + 46 > end || data.getUint32(at, true) !== centralHeader) {
        throw new ZipFormatError(`central directory entry ${index + 1} is damaged`);
      }
      const madeBy = data.getUint16(at + 4, true);
      const flags = data.getUint16(at + 8, true);
      const method = data.getUint16(at + 10, true);
      const crc = data.getUint32(at + 16, true);
      let compressedSize = data.getUint32(at + 20, true);
      let size = data.getUint32(at + 24, true);
      const nameLength = data.getUint16(at + 28, true);
      const extraLength = data.getUint16(at + 30, true);
      const commentLength = data.getUint16(at + 32, true);
      const externalAttributes = data.getUint32(at + 38, true);
      let localHeaderOffset = data.getUint32(at + 42, true);
      const nameStart = at + 46;
      const extraStart = nameStart + nameLength;
      const next = extraStart + extraLength + commentLength;
      if (next > end) throw new ZipFormatError(`central directory entry ${index + 1} is damaged`);
      const nameBytes = bytes.subarray(nameStart, extraStart);
      // APPNOTE 4.4.4 bit 11: the name is UTF-8; otherwise CP437, whose ASCII part is the same.
      const name = new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(nameBytes);
      if (size === maxU32 || compressedSize === maxU32 || localHeaderOffset === maxU32) {
        const wide = zip64Values(view(bytes.subarray(extraStart, extraStart + extraLength)), {
          size: size === maxU32,
          compressedSize: compressedSize === maxU32,
          offset: localHeaderOffset === maxU32,
        });
        size = wide.size ?? size;
        compressedSize = wide.compressedSize ?? compressedSize;
        localHeaderOffset = wide.offset ?? localHeaderOffset;
      }
      entries.push({
        name,
        method,
        flags,
        crc32: crc,
        compressedSize,
        size,
        localHeaderOffset,
        madeBy,
        externalAttributes,
      });
      at = next;
    }
    return new ZipArchive(bytes, entries, limits);
  }

  entry(name: string): ZipEntry | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** The entry's bytes, inflated, checked against its size and CRC-32. */
  read(name: string): Uint8Array {
    const entry = this.entry(name);
    if (entry === undefined) throw new ZipFormatError(`${name} is missing from the archive`);
    // APPNOTE 4.4.4 bit 0: encrypted. (Password-protected Office files are not ZIPs at all.)
    if (entry.flags & 0x1) throw new ZipFormatError(`${entry.name} is encrypted`);
    if (entry.size > this.limits.maxEntryBytes) {
      throw new ZipFormatError(
        `${entry.name} is ${entry.size} bytes uncompressed, more than ${this.limits.maxEntryBytes}`,
      );
    }
    if (this.inflatedBytes + entry.size > this.limits.maxTotalBytes) {
      throw new ZipFormatError(
        `reading ${entry.name} would inflate more than ${this.limits.maxTotalBytes} bytes in all`,
      );
    }
    const data = view(this.bytes);
    const at = entry.localHeaderOffset;
    if (at + 30 > this.bytes.byteLength || data.getUint32(at, true) !== localHeader) {
      throw new ZipFormatError(`${entry.name}: its local header is damaged`);
    }
    const start = at + 30 + data.getUint16(at + 26, true) + data.getUint16(at + 28, true);
    const stop = start + entry.compressedSize;
    if (stop > this.bytes.byteLength) {
      throw new ZipFormatError(`${entry.name}: its data runs past the end of the file`);
    }
    const raw = this.bytes.subarray(start, stop);
    let content: Uint8Array;
    if (entry.method === 0) content = raw.slice();
    else if (entry.method === 8) {
      try {
        // One byte over the declared size: an entry that lies about its size is caught below
        // without inflating the rest of a bomb.
        const inflated = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size + 1) });
        content = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new ZipFormatError(`${entry.name} could not be inflated (${message})`);
      }
    } else {
      throw new ZipFormatError(`${entry.name} uses compression method ${entry.method}`);
    }
    if (content.byteLength !== entry.size) {
      throw new ZipFormatError(
        `${entry.name} holds ${content.byteLength} bytes, but the directory says ${entry.size}`,
      );
    }
    if (crc32(content) !== entry.crc32) {
      throw new ZipFormatError(`${entry.name} is damaged (its CRC-32 does not match)`);
    }
    this.inflatedBytes += content.byteLength;
    return content;
  }
}
