import { z } from 'zod';

/**
 * The headless host's WebSocket framing. Every message is one binary frame:
 *   u32 LE header length | header JSON (UTF-8) | binary attachments back to back
 * Uint8Array values anywhere in the message are lifted out of the JSON into attachments and put
 * back on decode, so PCM, images and recorded chunks never travel as JSON or base64.
 */
export const wireMessageSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('invoke'),
    id: z.number().int(),
    channel: z.string(),
    payload: z.unknown(),
  }),
  z.object({ kind: z.literal('send'), channel: z.string(), payload: z.unknown() }),
  z.object({ kind: z.literal('result'), id: z.number().int(), value: z.unknown() }),
  z.object({ kind: z.literal('event'), channel: z.string(), payload: z.unknown() }),
]);
export type WireMessage = z.infer<typeof wireMessageSchema>;

const attachmentMarker = '$rapidoBinary';
const maxDepth = 32;

function lift(value: unknown, attachments: Uint8Array[], depth: number): unknown {
  if (depth > maxDepth) throw new Error('message nests too deeply');
  if (value instanceof Uint8Array) {
    attachments.push(value);
    return { [attachmentMarker]: attachments.length - 1 };
  }
  if (Array.isArray(value)) return value.map((item: unknown) => lift(item, attachments, depth + 1));
  if (value !== null && typeof value === 'object') {
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      throw new Error('only Uint8Array binaries can cross the wire');
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = lift(item, attachments, depth + 1);
    }
    return out;
  }
  return value;
}

function restore(value: unknown, attachments: Uint8Array[], depth: number): unknown {
  if (depth > maxDepth) throw new WireDecodeError('message nests too deeply');
  if (Array.isArray(value))
    return value.map((item: unknown) => restore(item, attachments, depth + 1));
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const index = record[attachmentMarker];
    if (typeof index === 'number' && Object.keys(record).length === 1) {
      const attachment = attachments[index];
      if (attachment === undefined) {
        throw new WireDecodeError(`missing binary attachment ${index}`);
      }
      return attachment;
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) {
      // JSON.parse makes "__proto__" an own key, but assigning it here would set `out`'s
      // prototype, and a schema would then accept fields the sender only made inherited. No
      // message Rapido sends has such a key: refuse it. ("constructor" and "prototype" are plain
      // own data under assignment and stay so.)
      if (key === '__proto__')
        throw new WireDecodeError('refused key "__proto__" in a wire message');
      out[key] = restore(item, attachments, depth + 1);
    }
    return out;
  }
  return value;
}

export function encodeWireMessage(message: WireMessage): Uint8Array {
  const attachments: Uint8Array[] = [];
  const lifted = lift(message, attachments, 0);
  const header = new TextEncoder().encode(
    JSON.stringify({ message: lifted, sizes: attachments.map((a) => a.byteLength) }),
  );
  const total = 4 + header.byteLength + attachments.reduce((sum, a) => sum + a.byteLength, 0);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, header.byteLength, true);
  out.set(header, 4);
  let offset = 4 + header.byteLength;
  for (const attachment of attachments) {
    out.set(attachment, offset);
    offset += attachment.byteLength;
  }
  return out;
}

const headerSchema = z.object({
  message: z.unknown(),
  sizes: z.array(z.number().int().nonnegative()),
});

/** Every refusal of `decodeWireMessage`: a frame from the socket is outside input. */
export class WireDecodeError extends Error {
  override name = 'WireDecodeError';
}

function zodProblems(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'message'}: ${issue.message}`)
    .join('; ');
}

/**
 * Decodes one frame or throws a WireDecodeError naming what is wrong (the field for a schema
 * problem). Nothing else escapes: JSON, schema and nesting failures are all translated.
 */
export function decodeWireMessage(frame: Uint8Array): WireMessage {
  try {
    return decodeFrame(frame);
  } catch (error) {
    if (error instanceof WireDecodeError) throw error;
    const detail =
      error instanceof z.ZodError
        ? zodProblems(error)
        : error instanceof Error
          ? error.message
          : String(error);
    throw new WireDecodeError(`invalid wire message: ${detail}`, { cause: error });
  }
}

function decodeFrame(frame: Uint8Array): WireMessage {
  if (frame.byteLength < 4) throw new WireDecodeError('frame shorter than its length prefix');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const headerLength = view.getUint32(0, true);
  if (4 + headerLength > frame.byteLength) throw new WireDecodeError('header length exceeds frame');
  const headerText = new TextDecoder().decode(frame.subarray(4, 4 + headerLength));
  const header = headerSchema.parse(JSON.parse(headerText));
  const attachments: Uint8Array[] = [];
  let offset = 4 + headerLength;
  for (const size of header.sizes) {
    if (offset + size > frame.byteLength) throw new WireDecodeError('attachment exceeds frame');
    // A copy gives each attachment its own aligned buffer (Int16Array views need 2-byte alignment).
    attachments.push(frame.slice(offset, offset + size));
    offset += size;
  }
  if (offset !== frame.byteLength) throw new WireDecodeError('trailing bytes after attachments');
  return wireMessageSchema.parse(restore(header.message, attachments, 0));
}
