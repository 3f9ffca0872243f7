import protobuf from 'protobufjs';

/**
 * SyncTalk_2D's server-to-client message, decoded with protobufjs from the server's own .proto
 * (kept verbatim below) rather than hand-rolled varint code.
 */
export const frameMessageProto = `syntax = "proto3";
package streaming;
message FrameMessage {
  optional bytes video_bytes = 1;
  optional bytes audio_bytes = 2;
  optional bool start_speech = 3;
  optional bool end_speech = 4;
}
`;

const frameMessageType = protobuf
  .parse(frameMessageProto, { keepCase: true })
  .root.lookupType('streaming.FrameMessage');

export interface FrameMessage {
  video_bytes?: Uint8Array;
  audio_bytes?: Uint8Array;
  start_speech?: boolean;
  end_speech?: boolean;
}

export function encodeFrameMessage(message: FrameMessage): Uint8Array {
  const problem = frameMessageType.verify(message);
  if (problem !== null) throw new Error(`invalid FrameMessage: ${problem}`);
  return frameMessageType.encode(frameMessageType.create(message)).finish();
}

export type DecodeResult = { ok: true; message: FrameMessage } | { ok: false; reason: string };

/** Decodes one WebSocket message; malformed bytes are a value, never a throw. */
export function decodeFrameMessage(bytes: Uint8Array): DecodeResult {
  try {
    // Only fields present on the wire are own properties; defaults live on the prototype.
    const decoded = frameMessageType.decode(bytes) as unknown as Record<string, unknown>;
    const field = (name: string): unknown =>
      Object.hasOwn(decoded, name) ? decoded[name] : undefined;
    const message: FrameMessage = {};
    const video = field('video_bytes');
    const audio = field('audio_bytes');
    const start = field('start_speech');
    const end = field('end_speech');
    if (video instanceof Uint8Array) message.video_bytes = video;
    if (audio instanceof Uint8Array) message.audio_bytes = audio;
    if (typeof start === 'boolean') message.start_speech = start;
    if (typeof end === 'boolean') message.end_speech = end;
    return { ok: true, message };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
