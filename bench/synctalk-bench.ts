import { join } from 'node:path';
import { createMemoryLogger } from '../src/main/services/logging/logger.ts';
import { startReferenceServer } from '../src/main/services/avatar/synctalk-reference/reference-server.ts';
import { createSyncTalkSession } from '../src/main/services/avatar/synctalk-client/synctalk-session.ts';
import { requireRendererBuild, sampleLessonAt } from '../e2e/support/app-host.ts';
import {
  audioStartSec,
  avatarMarkerRect,
  markerOffset,
  regionLuma,
  videoFrameTimesSec,
} from '../e2e/support/av-sync.ts';
import { decodeAudioMono16k } from '../e2e/support/media-probe.ts';
import { readMainLog, runCli, tempDir, type LogLine } from '../e2e/support/render-cli.ts';

/**
 * SyncTalk in a real render (headless host, Chromium) against the reference server with a
 * realistic 0.6 s first-frame delay: Play to the first avatar frame on air, cold (nothing cached)
 * and pre-rolled (segments cached from the cold run), the audio stall at slide changes, held
 * avatar images, and the audio-to-mouth offset measured in the file. The predecessor's design
 * (audio pushed unpaced, then a 3 s / 75-frame pre-buffer) is measured against the same server in
 * the same run, so the comparison is a ratio of like with like.
 */
const output = { width: 640, height: 360 };
const avatarSize = { width: 512, height: 512 };
const placement = { x: 0.55, y: 0.05, width: 0.45, height: 0.9 };
const firstFrameDelayMs = 600;

export interface SyncTalkRunResult {
  playToFirstFrameMs: number | null;
  requestToFirstFrameMs: number | null;
  audioSlideChangeStallMs: number;
  heldAvatarFrames: number;
  fallbackFrames: number;
  avOffsetMs: number;
  markerAgreement: number;
  renderWallMs: number;
}

export interface SyncTalkBenchResult {
  firstFrameDelayMs: number;
  avatarSize: string;
  cold: SyncTalkRunResult;
  preRolled: SyncTalkRunResult;
  predecessorPlayToFirstFrameMs: number;
  predecessorToColdRatio: number;
  predecessorToPreRolledRatio: number;
}

function numberField(line: LogLine | undefined, field: string): number | null {
  const value = line?.performance_data?.[field];
  return typeof value === 'number' ? value : null;
}

async function render(lessonDir: string, dataDir: string): Promise<SyncTalkRunResult> {
  const outPath = join(await tempDir('bench-out'), 'synctalk.mp4');
  const run = await runCli(['render', lessonDir, '--out', outPath], {}, { dataDir });
  if (run.code !== 0) throw new Error(`render failed (exit ${String(run.code)}): ${run.stderr}`);
  const logDir = join(dataDir, 'logs');
  const lines = await readMainLog(logDir);
  // The latest run's lines: a data folder shared by two runs holds both.
  const runStart = lines.findLastIndex((line) => line.event_type === 'playback_preparing');
  const latest = lines.slice(Math.max(0, runStart));
  const first = latest.find((line) => line.event_type === 'avatar_first_frame');
  const stats = latest.findLast((line) => line.event_type === 'avatar_run_stats');
  const stallMs = latest
    .filter((line) => line.event_type === 'slide_stall')
    .reduce((sum, line) => sum + (numberField(line, 'stallMs') ?? 0), 0);
  const [times, luma, audio, audioStart] = await Promise.all([
    videoFrameTimesSec(outPath),
    regionLuma(outPath, avatarMarkerRect(output, placement, avatarSize)),
    decodeAudioMono16k(outPath),
    audioStartSec(outPath),
  ]);
  const sync = markerOffset(times, luma, audio, audioStart);
  return {
    playToFirstFrameMs: numberField(first, 'playToFirstFrameMs'),
    requestToFirstFrameMs: numberField(first, 'requestToFirstFrameMs'),
    audioSlideChangeStallMs: Math.round(stallMs),
    heldAvatarFrames: numberField(stats, 'underrunFrames') ?? -1,
    fallbackFrames: numberField(stats, 'fallbackFrames') ?? -1,
    avOffsetMs: sync.offsetMs,
    markerAgreement: Math.round(sync.agreement * 1000) / 1000,
    renderWallMs: run.wallMs,
  };
}

/** The predecessor's start: all audio at once, nothing on air until 75 frames are buffered. */
async function predecessorFirstFrameMs(serverUrl: string): Promise<number> {
  const session = createSyncTalkSession({
    serverUrl,
    avatarName: 'enrique_torres',
    frameSize: avatarSize,
    logger: createMemoryLogger('warn'),
    // Unpaced, as the predecessor sent it.
    pacing: { chunkMs: 160, lookAheadMs: 600_000 },
  });
  const seconds = 6;
  // 6 s of a loud tone stands in for speech: the server's pace does not depend on the content.
  const pcm = new Int16Array(16_000 * seconds).map((_v, i) =>
    Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / 16_000)),
  );
  const startedMs = performance.now();
  let onAirMs = Number.NaN;
  const spoken = await session.speak(
    { id: 'predecessor', pcm },
    {
      onFrame(frame) {
        if (frame.index === 74) onAirMs = performance.now() - startedMs;
      },
    },
  );
  await session.close();
  if (!spoken.ok || Number.isNaN(onAirMs)) throw new Error('the predecessor run got no 75 frames');
  return onAirMs;
}

export async function runSyncTalkBench(): Promise<SyncTalkBenchResult> {
  requireRendererBuild();
  const server = await startReferenceServer({
    port: 0,
    avatars: [{ name: 'enrique_torres', ...avatarSize, keyColor: '#089831' }],
    preloaded: ['enrique_torres'],
    preloadDelayMs: 0,
    faults: { firstFrameDelayMs },
  });
  try {
    const { dir } = await sampleLessonAt(output.width, output.height, (original) => ({
      ...original,
      slides: original.slides.slice(0, 2),
      avatar: {
        provider: 'synctalk',
        serverUrl: server.url,
        avatarName: 'enrique_torres',
        frameSize: avatarSize,
        keyColor: '#089831',
        chromaKey: { similarity: 0.4, smoothness: 0.08, spill: 0.1 },
        placement,
      },
    }));
    const dataDir = await tempDir('bench-synctalk');
    const cold = await render(dir, dataDir);
    const preRolled = await render(dir, dataDir);
    const predecessor = await predecessorFirstFrameMs(server.url);
    const ratio = (a: number, b: number | null) =>
      b === null || b <= 0 ? null : Math.round((a / b) * 100) / 100;
    return {
      firstFrameDelayMs,
      avatarSize: `${avatarSize.width}x${avatarSize.height}`,
      cold,
      preRolled,
      predecessorPlayToFirstFrameMs: Math.round(predecessor),
      predecessorToColdRatio: ratio(predecessor, cold.playToFirstFrameMs) ?? -1,
      predecessorToPreRolledRatio: ratio(predecessor, preRolled.playToFirstFrameMs) ?? -1,
    };
  } finally {
    await server.close();
  }
}
