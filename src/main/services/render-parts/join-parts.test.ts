import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ALL_FORMATS,
  EncodedAudioPacketSource,
  EncodedPacket,
  EncodedPacketSink,
  EncodedVideoPacketSource,
  FilePathSource,
  FilePathTarget,
  Input,
  Mp4OutputFormat,
  Output,
} from 'mediabunny';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { joinParts } from './join-parts.ts';
import { assembleSplitRender } from './split-render-output.ts';
import { addMp4Chapters } from '../export/mp4-chapters.ts';

/**
 * The join on files mediabunny writes the way the exporter's parts are written (no encoder in
 * Node: the packets are made-up bytes, which a join must copy without looking inside).
 */
const fps = 25;
/**
 * The avcC Chromium's encoder wrote for a 1280x720 export (High profile, one SPS, one PPS);
 * `pps` changes the last byte of the PPS (another encoder setup).
 */
function avcC(pps: number): Uint8Array {
  const hex = `01640c1fffe1001367640c1fac191a805005ba6e021a020f08846a01000468ce3c${pps.toString(16).padStart(2, '0')}fdf8f800`;
  return Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16));
}
const videoConfig = (pps = 0x80): VideoDecoderConfig => ({
  codec: 'avc1.640c1f',
  codedWidth: 1280,
  codedHeight: 720,
  description: avcC(pps),
});
const audioConfig: AudioDecoderConfig = { codec: 'opus', sampleRate: 48_000, numberOfChannels: 1 };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rapido-join-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function usAt(frame: number): number {
  return Math.round((frame * 1_000_000) / fps) / 1_000_000;
}

/** A video-only part of `frames` frames (key frames where `key` says), tagged by `tag`. */
async function videoPart(
  name: string,
  frames: number,
  tag: number,
  options: { key?: (index: number) => boolean; pps?: number } = {},
): Promise<string> {
  const path = join(dir, name);
  const output = new Output({
    format: new Mp4OutputFormat({ fastStart: false }),
    target: new FilePathTarget(path),
  });
  const source = new EncodedVideoPacketSource('avc');
  output.addVideoTrack(source, { frameRate: fps });
  await output.start();
  const key = options.key ?? ((index: number) => index % 50 === 0);
  for (let index = 0; index < frames; index += 1) {
    const data = new Uint8Array([0, 0, 0, 3, tag, index & 0xff, index >> 8]);
    const packet = new EncodedPacket(
      data,
      key(index) ? 'key' : 'delta',
      usAt(index),
      usAt(index + 1) - usAt(index),
    );
    await source.add(packet, index === 0 ? { decoderConfig: videoConfig(options.pps) } : undefined);
  }
  await output.finalize();
  return path;
}

/** An audio-only part: `packets` Opus packets of 20 ms. */
async function audioPart(packets: number): Promise<string> {
  const path = join(dir, 'audio.mp4');
  const output = new Output({
    format: new Mp4OutputFormat({ fastStart: false }),
    target: new FilePathTarget(path),
  });
  const source = new EncodedAudioPacketSource('opus');
  output.addAudioTrack(source);
  await output.start();
  for (let index = 0; index < packets; index += 1) {
    const packet = new EncodedPacket(
      new Uint8Array([0xfc, index & 0xff]),
      'key',
      index * 0.02,
      0.02,
    );
    await source.add(packet, index === 0 ? { decoderConfig: audioConfig } : undefined);
  }
  await output.finalize();
  return path;
}

async function packetsOf(path: string, kind: 'video' | 'audio'): Promise<EncodedPacket[]> {
  const input = new Input({ source: new FilePathSource(path), formats: ALL_FORMATS });
  try {
    const track =
      kind === 'video' ? await input.getPrimaryVideoTrack() : await input.getPrimaryAudioTrack();
    if (!track) return [];
    const packets: EncodedPacket[] = [];
    for await (const packet of new EncodedPacketSink(track).packets()) packets.push(packet);
    return packets;
  } finally {
    input.dispose();
  }
}

describe('joinParts', () => {
  it('keeps every packet, in order, with continuous timestamps and the audio untouched', async () => {
    const parts = [
      await videoPart('v1.mp4', 60, 1),
      await videoPart('v2.mp4', 37, 2),
      await videoPart('v3.mp4', 51, 3),
    ];
    const audio = await audioPart(300);
    const outPath = join(dir, 'joined.mp4');
    const joined = await joinParts({
      videoParts: parts,
      audioPart: audio,
      outPath,
      fps,
      title: 'T',
    });
    expect(joined.ok, joined.ok ? '' : joined.error.message).toBe(true);
    if (!joined.ok) return;
    expect(joined.value).toEqual({
      videoPackets: 148,
      audioPackets: 300,
      partFirstFrames: [0, 60, 97],
    });

    const video = await packetsOf(outPath, 'video');
    expect(video).toHaveLength(148);
    video.forEach((packet, index) => {
      expect(packet.timestamp).toBeCloseTo(usAt(index), 6);
      expect(packet.duration).toBeCloseTo(usAt(index + 1) - usAt(index), 6);
    });
    // The bytes of each part, in part order, each part starting on a key frame.
    expect(video.map((packet) => packet.data[4])).toEqual([
      ...Array<number>(60).fill(1),
      ...Array<number>(37).fill(2),
      ...Array<number>(51).fill(3),
    ]);
    expect([0, 60, 97].map((index) => video[index]?.type)).toEqual(['key', 'key', 'key']);
    const sound = await packetsOf(outPath, 'audio');
    const original = await packetsOf(audio, 'audio');
    expect(sound.map((p) => [p.timestamp, p.duration, [...p.data]])).toEqual(
      original.map((p) => [p.timestamp, p.duration, [...p.data]]),
    );
  });

  it('refuses parts encoded differently (one sample description cannot hold both)', async () => {
    // (A part that starts on a delta frame cannot even be written: mediabunny refuses it.)
    const audio = await audioPart(10);
    const first = await videoPart('v1.mp4', 10, 1);
    const other = await videoPart('v3.mp4', 10, 3, { pps: 0x81 });
    const mismatched = await joinParts({
      videoParts: [first, other],
      audioPart: audio,
      outPath: join(dir, 'b.mp4'),
      fps,
      title: 'T',
    });
    expect(mismatched.ok ? '' : mismatched.error.message).toMatch(
      /part 2 was encoded differently .* without re-encoding/,
    );
  });
});

describe('assembleSplitRender', () => {
  it('moves the joined file into place with the audio part chapters and side files', async () => {
    const audio = await audioPart(100);
    const chapters = [
      { startMs: 0, title: 'One' },
      { startMs: 1_040, title: 'Two' },
    ];
    expect((await addMp4Chapters(audio, chapters)).ok).toBe(true);
    await writeFile(join(dir, 'audio.vtt'), 'WEBVTT\n\ncaptions\n');
    await writeFile(join(dir, 'audio.chapters.vtt'), 'WEBVTT\n\nchapters\n');
    const outPath = join(dir, 'talk.mp4');
    const done = await assembleSplitRender({
      videoParts: [await videoPart('v1.mp4', 26, 1), await videoPart('v2.mp4', 24, 2)],
      audioPart: audio,
      outPath,
      fps,
      title: 'Talk',
    });
    expect(done.ok, done.ok ? '' : done.error.message).toBe(true);
    expect(await readFile(join(dir, 'talk.vtt'), 'utf8')).toBe('WEBVTT\n\ncaptions\n');
    expect(await readFile(join(dir, 'talk.chapters.vtt'), 'utf8')).toBe('WEBVTT\n\nchapters\n');
    expect(await packetsOf(outPath, 'video')).toHaveLength(50);
    // The chpl box came across byte for byte.
    const bytes = await readFile(outPath);
    const at = bytes.indexOf('chpl');
    expect(at).toBeGreaterThan(0);
    expect(bytes.subarray(at, at + 40).includes(Buffer.from('Two'))).toBe(true);
  });
});
