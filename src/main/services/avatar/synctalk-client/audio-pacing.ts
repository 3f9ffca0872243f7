/**
 * How Rapido feeds audio to SyncTalk: 16 kHz mono s16le in fixed chunks, sent ahead of real time
 * but never more than a bounded look-ahead beyond the frames already received. The server batches
 * features once about 0.5 s and 4 chunks are pending, so a look-ahead of about 1 s gets frames
 * going fastest without piling a whole utterance into the server's memory.
 */
export const syncTalkSampleRateHz = 16_000;
/** One video frame at 25 fps stands for 40 ms of audio. */
export const frameDurationMs = 40;
export const samplesPerFrame = (syncTalkSampleRateHz * frameDurationMs) / 1000;
/** The audio carried by one frame: 640 samples of s16le. */
export const frameAudioBytes = samplesPerFrame * 2;

export interface PacingPolicy {
  /** Audio per WebSocket message. */
  chunkMs: number;
  /** The most audio that may be sent beyond the audio time of the frames received. */
  lookAheadMs: number;
}

export const defaultPacingPolicy: PacingPolicy = { chunkMs: 160, lookAheadMs: 1000 };

/** The server starts a batch with 4 chunks and 0.5 s pending: a smaller look-ahead could stall. */
export const serverBatchChunks = 4;
export const serverBatchMs = 500;

/** Null when the policy is usable; otherwise why not. */
export function pacingPolicyProblem(policy: PacingPolicy): string | null {
  if (!Number.isInteger(policy.chunkMs) || policy.chunkMs < 10 || policy.chunkMs > 1000) {
    return `chunkMs must be a whole number from 10 to 1000 (got ${policy.chunkMs})`;
  }
  const minimumMs = Math.max(serverBatchMs, serverBatchChunks * policy.chunkMs);
  if (policy.lookAheadMs < minimumMs) {
    return `lookAheadMs must be at least ${minimumMs} ms so the server can start a batch (got ${policy.lookAheadMs})`;
  }
  return null;
}

/** PCM padded with silence to a whole number of 40 ms frames, so frame count = samples / 640. */
export function padToWholeFrames(pcm: Int16Array): Int16Array {
  const remainder = pcm.length % samplesPerFrame;
  if (remainder === 0) return pcm;
  const padded = new Int16Array(pcm.length + samplesPerFrame - remainder);
  padded.set(pcm);
  return padded;
}

export function framesForSamples(sampleCount: number): number {
  return Math.ceil(sampleCount / samplesPerFrame);
}

const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The samples as s16le bytes: a view on little-endian hosts, a swapped copy otherwise. */
export function pcmBytesLittleEndian(samples: Int16Array): Uint8Array {
  if (hostIsLittleEndian) {
    return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  }
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  samples.forEach((sample, index) => {
    view.setInt16(index * 2, sample, true);
  });
  return bytes;
}

export interface AudioChunk {
  index: number;
  /** Audio time of the chunk's first sample, from the utterance start. */
  audioMs: number;
  /** Audio time just after its last sample. */
  endMs: number;
  /** s16le, an even number of bytes. */
  bytes: Uint8Array;
}

/** Splits PCM into chunks of `chunkMs` (the last may be shorter). */
export function chunkPcm(pcm: Int16Array, chunkMs: number): AudioChunk[] {
  const chunkSamples = (syncTalkSampleRateHz * chunkMs) / 1000;
  const chunks: AudioChunk[] = [];
  for (let start = 0; start < pcm.length; start += chunkSamples) {
    const end = Math.min(pcm.length, start + chunkSamples);
    chunks.push({
      index: chunks.length,
      audioMs: samplesToMs(start),
      endMs: samplesToMs(end),
      bytes: pcmBytesLittleEndian(pcm.subarray(start, end)),
    });
  }
  return chunks;
}

export function samplesToMs(sampleCount: number): number {
  return (sampleCount * 1000) / syncTalkSampleRateHz;
}

/**
 * The pacing rule, free of sockets and clocks: a chunk may go once the audio it would put on the
 * wire stays within `lookAheadMs` of the frames received so far (frame n stands for n x 40 ms).
 */
export interface AudioPacer {
  /** The chunks that may be sent now, given the utterance frames received; each is taken once. */
  take(framesReceived: number): AudioChunk[];
  /** True once every chunk has been taken. */
  readonly finished: boolean;
  /** Audio time of everything taken so far. */
  readonly sentMs: number;
  readonly chunkCount: number;
}

export function createAudioPacer(chunks: readonly AudioChunk[], lookAheadMs: number): AudioPacer {
  let next = 0;
  let sentMs = 0;
  return {
    take(framesReceived) {
      const receivedMs = framesReceived * frameDurationMs;
      const taken: AudioChunk[] = [];
      for (let chunk = chunks[next]; chunk !== undefined; chunk = chunks[next]) {
        if (chunk.endMs - receivedMs > lookAheadMs) break;
        taken.push(chunk);
        sentMs = chunk.endMs;
        next += 1;
      }
      return taken;
    },
    get finished() {
      return next >= chunks.length;
    },
    get sentMs() {
      return sentMs;
    },
    chunkCount: chunks.length,
  };
}

/** Silence after a short utterance's speech, so its last frames have audio context to be made. */
const shortTailMs = 240;

/**
 * Audio too short for the server's batching rule (8,000 samples and 4 chunks pending:
 * SyncTalk_2D inference_system/streaming/streaming_audio_dataset.py:174-180) waits in the
 * server until a pause flushes it, after both markers (issue 15, quirk 3). Padding it with
 * silence to at least 4 whole chunks (and `shortTailMs` beyond the speech) gets its frames made
 * at once; the padded frames carry silence and are dropped by the frame placement. Longer audio
 * is returned as is.
 */
export function padForBatching(pcm: Int16Array, chunkMs: number): Int16Array {
  const chunkSamples = (syncTalkSampleRateHz * chunkMs) / 1000;
  const minimum = Math.max(
    serverBatchChunks * chunkSamples,
    (serverBatchMs * syncTalkSampleRateHz) / 1000,
  );
  if (pcm.length >= minimum) return pcm;
  const wanted = Math.max(minimum, pcm.length + (shortTailMs * syncTalkSampleRateHz) / 1000);
  const padded = new Int16Array(Math.ceil(wanted / chunkSamples) * chunkSamples);
  padded.set(pcm);
  return padded;
}
