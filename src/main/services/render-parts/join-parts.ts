import {
  ALL_FORMATS,
  EncodedAudioPacketSource,
  EncodedPacketSink,
  EncodedVideoPacketSource,
  FilePathSource,
  FilePathTarget,
  Input,
  Mp4OutputFormat,
  Output,
  type EncodedPacket,
  type InputAudioTrack,
  type InputVideoTrack,
} from 'mediabunny';
import { err, errorMessage, ok, type Result } from '../../../shared/result.ts';

/**
 * Joins a split render's parts into one MP4 without decoding anything: the video parts'
 * packets one after another (each part starts on a key frame; its timestamps move by the frames
 * before it, so they run on without a gap or an overlap), and the audio part's packets (the whole
 * lesson's audio, encoded once, so no join can be heard) beside them. The file has its moov at
 * the end, as the exporter writes it, so chapters can be added the same way.
 */
export interface JoinRequest {
  /** The video parts in program order: each holds video only, its first frame at time 0. */
  videoParts: readonly string[];
  /** The whole lesson's audio (no video). */
  audioPart: string;
  outPath: string;
  fps: number;
  title: string;
}

export interface JoinResult {
  videoPackets: number;
  audioPackets: number;
  /** Video frames before each part: where each one starts in the joined file. */
  partFirstFrames: number[];
}

/** Microseconds, as WebCodecs and the exporter count them (frameTimestampUs). */
function frameTimeSec(index: number, fps: number): number {
  return Math.round((index * 1_000_000) / fps) / 1_000_000;
}

/** The bytes of a decoder config's description (the avcC), however they are held. */
function descriptionBytes(config: unknown): Uint8Array | null {
  const description: unknown =
    typeof config === 'object' && config !== null && 'description' in config
      ? config.description
      : undefined;
  if (ArrayBuffer.isView(description)) {
    return new Uint8Array(description.buffer, description.byteOffset, description.byteLength);
  }
  if (description instanceof ArrayBuffer) return new Uint8Array(description);
  return null;
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

interface OpenedPart<T> {
  input: Input;
  track: T;
}

async function openTrack<T extends InputVideoTrack | InputAudioTrack>(
  path: string,
  kind: 'video' | 'audio',
): Promise<OpenedPart<T>> {
  const input = new Input({ source: new FilePathSource(path), formats: ALL_FORMATS });
  const track =
    kind === 'video' ? await input.getPrimaryVideoTrack() : await input.getPrimaryAudioTrack();
  if (!track) {
    input.dispose();
    throw new Error(`${path} has no ${kind} track`);
  }
  return { input, track: track as T };
}

/** The video parts' packets in order, each part's timestamps moved to where it starts. */
async function* joinedVideo(
  parts: OpenedPart<InputVideoTrack>[],
  fps: number,
  firstFrames: number[],
): AsyncGenerator<EncodedPacket> {
  let framesBefore = 0;
  for (const [index, part] of parts.entries()) {
    firstFrames.push(framesBefore);
    const offsetSec = frameTimeSec(framesBefore, fps);
    let frames = 0;
    for await (const packet of new EncodedPacketSink(part.track).packets()) {
      if (frames === 0 && packet.type !== 'key') {
        throw new Error(`video part ${index + 1} does not start on a key frame`);
      }
      frames += 1;
      // Presentation times move as a block: decode order and any reordering stay as encoded.
      yield packet.clone({ timestamp: packet.timestamp + offsetSec });
    }
    framesBefore += frames;
  }
}

export async function joinParts(request: JoinRequest): Promise<Result<JoinResult>> {
  const opened: Input[] = [];
  let output: Output | null = null;
  try {
    const videoParts: OpenedPart<InputVideoTrack>[] = [];
    for (const path of request.videoParts) {
      const part = await openTrack<InputVideoTrack>(path, 'video');
      opened.push(part.input);
      videoParts.push(part);
    }
    const audio = await openTrack<InputAudioTrack>(request.audioPart, 'audio');
    opened.push(audio.input);
    const first = videoParts[0];
    if (!first) return err('export-failed', 'A split render needs at least one video part.');
    const videoConfig = await first.track.getDecoderConfig();
    const audioConfig = await audio.track.getDecoderConfig();
    const videoCodec = await first.track.getCodec();
    const audioCodec = await audio.track.getCodec();
    if (!videoConfig || !audioConfig || !videoCodec || !audioCodec) {
      return err('export-failed', 'A part of the split render names no codec it can be joined by.');
    }
    // One sample description for the whole track: every part must have the same encoder setup.
    const firstDescription = descriptionBytes(videoConfig);
    for (const [index, part] of videoParts.entries()) {
      const config = await part.track.getDecoderConfig();
      if (
        config?.codec !== videoConfig.codec ||
        !sameBytes(descriptionBytes(config), firstDescription)
      ) {
        return err(
          'export-failed',
          `Video part ${index + 1} was encoded differently from part 1 (${config?.codec ?? 'no codec'} vs ${videoConfig.codec}), so the parts cannot be joined without re-encoding.`,
        );
      }
    }
    output = new Output({
      format: new Mp4OutputFormat({ fastStart: false }),
      target: new FilePathTarget(request.outPath),
    });
    const videoSource = new EncodedVideoPacketSource(videoCodec);
    const audioSource = new EncodedAudioPacketSource(audioCodec);
    output.addVideoTrack(videoSource, { frameRate: request.fps });
    output.addAudioTrack(audioSource);
    output.setMetadataTags({ title: request.title });
    await output.start();

    const firstFrames: number[] = [];
    const video = joinedVideo(videoParts, request.fps, firstFrames);
    const sound = new EncodedPacketSink(audio.track).packets();
    let nextVideo = await video.next();
    let nextAudio = await sound.next();
    let videoPackets = 0;
    let audioPackets = 0;
    // Interleaved by time, as the muxer wants them: it holds nothing back for long.
    while (!nextVideo.done || !nextAudio.done) {
      const takeVideo =
        !nextVideo.done &&
        (nextAudio.done || nextVideo.value.timestamp <= nextAudio.value.timestamp);
      if (takeVideo && !nextVideo.done) {
        await videoSource.add(
          nextVideo.value,
          videoPackets === 0 ? { decoderConfig: videoConfig } : undefined,
        );
        videoPackets += 1;
        nextVideo = await video.next();
      } else if (!nextAudio.done) {
        await audioSource.add(
          nextAudio.value,
          audioPackets === 0 ? { decoderConfig: audioConfig } : undefined,
        );
        audioPackets += 1;
        nextAudio = await sound.next();
      }
    }
    await output.finalize();
    return ok({ videoPackets, audioPackets, partFirstFrames: firstFrames });
  } catch (error) {
    await output?.cancel().catch(() => undefined);
    return err('export-failed', `Joining the parts failed: ${errorMessage(error)}`);
  } finally {
    for (const input of opened) input.dispose();
  }
}
