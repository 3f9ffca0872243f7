import { rm } from 'node:fs/promises';
import { createMemoryLogger } from '../src/main/services/logging/logger.ts';
import * as reference from '../testing/synctalk-reference/reference-server.ts';
import type { FaultSettings } from '../testing/synctalk-reference/server-state.ts';
import { createSyncTalkSession } from '../src/main/services/avatar/synctalk-client/synctalk-session.ts';
import { requireRendererBuild, sampleLessonAt } from '../testing/support/app-host.ts';
import {
  audioStartSec,
  avatarMarkerRect,
  markerOffset,
  regionLuma,
  videoFrameTimesSec,
} from '../testing/support/av-sync.ts';
import { decodeAudioMono16k } from '../testing/support/media-probe.ts';
import { tempDir } from '../testing/support/render-cli.ts';
import { figure, figureOf, ratioFigure, type Figure, type Skipped } from './figures.ts';
import { createScratch } from './lessons.ts';
import {
  failureReason,
  firstEvent,
  lastEvent,
  numberField,
  renderOnce,
  type RenderMode,
} from './render.ts';

/**
 * SyncTalk in real renders (headless host, Chromium) against the reference server with a
 * realistic 0.6 s first-frame delay. Each run: a live recording with nothing cached (Play to the
 * first avatar frame, the audio stall at slide changes, held frames, the audio-to-mouth offset in
 * the file; Play pressed as soon as the lesson is open), the same again with the first slide
 * pre-rolled before Play (nothing cached either), the frame-stepped export of
 * the same lesson (its audio-to-mouth offset, measured from the file), and the predecessor's
 * start (audio pushed unpaced, then a 3 s / 75-frame pre-buffer) against the same server, so its
 * ratio compares like with like. The offset is read from the file: the reference avatar paints a
 * marker square white exactly while its 40 ms of audio is loud, and the file's audio is compared.
 * These runs meet the reference server with the real server's quirks off (`idealServer`), so the
 * figures compare with earlier ones. One more live run per round turns the real server's marker
 * fault on (`markerCrash`: a start/end marker during its latency test stops generation, issue
 * 15) and reports the seconds each utterance lost: held or stand-in avatar frames and late
 * slide starts.
 */
const output = { width: 640, height: 360 };
const avatarSize = { width: 512, height: 512 };
const placement = { x: 0.55, y: 0.05, width: 0.45, height: 0.9 };
const firstFrameDelayMs = 600;

interface FileSync {
  offsetMs: number;
  agreement: number;
  /** Frames whose marker is clearly black or white / all frames: low = the avatar was not on air. */
  markerFrameFraction: number;
}

interface RenderRun {
  /** Utterances played (slides with speech; the bench lesson has speech on every slide). */
  utterances: number;
  /** Program frames per second (held and stand-in frames are counted per program frame). */
  fps: number;
  playToFirstFrameMs: number | null;
  requestToFirstFrameMs: number | null;
  slideStallMs: number;
  heldAvatarFrames: number | null;
  fallbackFrames: number | null;
  sync: FileSync;
}

export interface AvSyncFigures {
  /** Video marker minus audio: positive = the mouth is late. */
  readonly offsetMs: Figure;
  /** |offset|: what a viewer would notice, either way. */
  readonly absoluteOffsetMs: Figure;
  /** Fraction of marker frames that agree with the audio at that offset. */
  readonly markerAgreement: Figure;
  readonly markerFrameFraction: Figure;
}

export interface MarkerFaultFigures {
  readonly secondsLostPerUtterance: Figure | null;
  readonly heldAvatarFrames: Figure | null;
  readonly fallbackFrames: Figure | null;
  readonly slideChangeStall: Figure;
  /** Streams the fault killed per run (the reference server's TypeError lines): the cause. */
  readonly streamsKilled: Figure;
  readonly failedRuns: readonly string[];
}

export type SyncTalkBenchResult =
  | Skipped
  | {
      readonly firstFrameDelayMs: number;
      readonly avatarSize: string;
      readonly output: string;
      readonly lesson: string;
      readonly runs: number;
      readonly live: {
        readonly playToFirstAvatarFrameCold: Figure | null;
        readonly playToFirstAvatarFramePreRolled: Figure | null;
        readonly requestToFirstFrameCold: Figure | null;
        /** Sum of slide_stall lines in the cold run: how late slides started, in total. */
        readonly slideChangeStall: Figure;
        readonly heldAvatarFrames: Figure | null;
        readonly fallbackFrames: Figure | null;
        readonly avOffsetInFile: AvSyncFigures;
      };
      /**
       * The real server's marker fault on: per utterance, the seconds the audience saw no live
       * SyncTalk image (held frames, the local avatar standing in) plus the slides' late starts.
       */
      readonly markerFault: MarkerFaultFigures | Skipped;
      readonly export:
        | {
            readonly avOffsetInFile: AvSyncFigures;
            /** Why a run measured nothing (the figures are over the others). */
            readonly failedRuns: readonly string[];
          }
        | Skipped;
      readonly predecessor: {
        readonly playToFirstAvatarFrame: Figure;
        /** predecessor / cold live, per run. */
        readonly toColdRatio: Figure | null;
        readonly toPreRolledRatio: Figure | null;
      };
    };

async function fileSync(file: string): Promise<FileSync> {
  const [times, luma, audio, audioStart] = await Promise.all([
    videoFrameTimesSec(file),
    regionLuma(file, avatarMarkerRect(output, placement, avatarSize)),
    decodeAudioMono16k(file),
    audioStartSec(file),
  ]);
  const sync = markerOffset(times, luma, audio, audioStart);
  return {
    offsetMs: sync.offsetMs,
    agreement: sync.agreement,
    markerFrameFraction: sync.markerFrames / Math.max(1, times.length),
  };
}

/**
 * `atOnce`: Play as soon as the lesson is open (`--no-pre-roll`), as a presenter pressing Play
 * at once would; otherwise the render pre-rolls the first slide and arms the recorder first, as
 * the app does for the selected slide while the presenter looks at it.
 */
async function render(
  mode: RenderMode,
  lessonDir: string,
  dataDir: string,
  lesson: { slides: readonly unknown[]; output: { fps: number } },
  start: 'atOnce' | 'preRolled' = 'atOnce',
): Promise<RenderRun> {
  const outDir = await tempDir('bench-synctalk-out');
  try {
    const outcome = await renderOnce({
      mode,
      lessonDir,
      outDir,
      outName: 'synctalk.mp4',
      dataDir,
      ...(mode === 'realtime' && start === 'atOnce' ? { extraArgs: ['--no-pre-roll'] } : {}),
    });
    if ('unavailable' in outcome) throw new Error(outcome.unavailable);
    if (outcome.code !== 0) throw new Error(failureReason(outcome));
    const first = firstEvent(outcome.lines, 'avatar_first_frame');
    const stats = lastEvent(outcome.lines, 'avatar_run_stats');
    const slideStallMs = outcome.lines
      .filter((line) => line.event_type === 'slide_stall')
      .reduce((sum, line) => sum + (numberField(line, 'stallMs') ?? 0), 0);
    return {
      utterances: lesson.slides.length,
      fps: lesson.output.fps,
      playToFirstFrameMs: numberField(first, 'playToFirstFrameMs'),
      requestToFirstFrameMs: numberField(first, 'requestToFirstFrameMs'),
      slideStallMs,
      heldAvatarFrames: numberField(stats, 'underrunFrames'),
      fallbackFrames: numberField(stats, 'fallbackFrames'),
      sync: await fileSync(outcome.outPath),
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

function avSyncFigures(syncs: readonly FileSync[]): AvSyncFigures {
  return {
    offsetMs: figure(
      'ms',
      syncs.map((sync) => sync.offsetMs),
    ),
    absoluteOffsetMs: figure(
      'ms',
      syncs.map((sync) => Math.abs(sync.offsetMs)),
    ),
    markerAgreement: figure(
      'fraction',
      syncs.map((sync) => sync.agreement),
    ),
    markerFrameFraction: figure(
      'fraction',
      syncs.map((sync) => sync.markerFrameFraction),
    ),
  };
}

/** Seconds per utterance without a live SyncTalk image, or null when the run logged no stats. */
function secondsLost(run: RenderRun): number | null {
  if (run.heldAvatarFrames === null || run.fallbackFrames === null) return null;
  const framesLost = run.heldAvatarFrames + run.fallbackFrames;
  return (framesLost / run.fps + run.slideStallMs / 1000) / Math.max(1, run.utterances);
}

/**
 * The bench's runs use the reference server without the real server's quirks (`idealServer`), so
 * its figures stay comparable across versions; the marker-fault run turns on just that quirk.
 */
const quirkSwitches = {
  ideal: reference.idealServer,
  markerFault: { ...reference.idealServer, markerCrash: true },
};

/** The reference server logs each stream its marker fault kills (a TypeError, as the real one). */
const streamKills = { count: 0 };
function countStreamKills(line: string): void {
  if (line.includes('TypeError')) streamKills.count += 1;
}

async function markerFaultRuns(
  server: reference.ReferenceServer,
  markerFault: Partial<FaultSettings>,
  runs: number,
  lessonDir: string,
  lesson: { slides: readonly unknown[]; output: { fps: number } },
  scratch: ReturnType<typeof createScratch>,
): Promise<MarkerFaultFigures | Skipped> {
  server.setFaults({ ...markerFault, firstFrameDelayMs });
  const done: RenderRun[] = [];
  const failed: string[] = [];
  const killed: number[] = [];
  for (let runIndex = 0; runIndex < runs; runIndex += 1) {
    const killsBefore = streamKills.count;
    // Nothing cached: every utterance meets the server (and its fault). Played as a presenter
    // would: the first slide pre-rolled while the lesson is open, later slides made while the one
    // before plays.
    const data = scratch.track(await tempDir('bench-synctalk-marker'));
    await render('realtime', lessonDir, data, lesson, 'preRolled').then(
      (run) => done.push(run),
      (error: unknown) => failed.push(error instanceof Error ? error.message : String(error)),
    );
    killed.push(streamKills.count - killsBefore);
  }
  if (done.length === 0) return { skipped: failed[0] ?? 'no run' };
  return {
    secondsLostPerUtterance: figureOf('s', done.map(secondsLost)),
    heldAvatarFrames: figureOf(
      'frames',
      done.map((run) => run.heldAvatarFrames),
    ),
    fallbackFrames: figureOf(
      'frames',
      done.map((run) => run.fallbackFrames),
    ),
    slideChangeStall: figure(
      'ms',
      done.map((run) => run.slideStallMs),
    ),
    streamsKilled: figure('streams', killed),
    failedRuns: failed,
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

export async function runSyncTalkBench(options: { runs: number }): Promise<SyncTalkBenchResult> {
  requireRendererBuild();
  const server = await reference.startReferenceServer({
    port: 0,
    avatars: [{ name: 'enrique_torres', ...avatarSize, keyColor: '#089831' }],
    preloaded: ['enrique_torres'],
    preloadDelayMs: 0,
    faults: { ...quirkSwitches.ideal, firstFrameDelayMs },
    log: countStreamKills,
  });
  const scratch = createScratch();
  try {
    const { dir, lesson } = await sampleLessonAt(output.width, output.height, (original) => ({
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
    scratch.track(dir);
    const cold: RenderRun[] = [];
    const preRolled: RenderRun[] = [];
    const exported: (RenderRun | { failed: string })[] = [];
    const predecessor: number[] = [];
    for (let runIndex = 0; runIndex < options.runs; runIndex += 1) {
      // Cold: nothing cached, Play at once. Pre-rolled: a fresh data folder too (nothing cached:
      // the pre-roll asks the server, as it would for a lesson just opened), Play once the first
      // slide's frames are in hand.
      const liveData = scratch.track(await tempDir('bench-synctalk-live'));
      cold.push(await render('realtime', dir, liveData, lesson, 'atOnce'));
      const preRollData = scratch.track(await tempDir('bench-synctalk-preroll'));
      preRolled.push(await render('realtime', dir, preRollData, lesson, 'preRolled'));
      // The export gets its own data folder: nothing cached, as a first export would meet it.
      const exportData = scratch.track(await tempDir('bench-synctalk-export'));
      exported.push(
        await render('export', dir, exportData, lesson).catch((error: unknown) => ({
          failed: error instanceof Error ? error.message : String(error),
        })),
      );
      predecessor.push(await predecessorFirstFrameMs(server.url));
    }
    // Last: the fault stays on for the rest of this server's life.
    const markerFault = await markerFaultRuns(
      server,
      quirkSwitches.markerFault,
      options.runs,
      dir,
      lesson,
      scratch,
    );
    const exportRuns = exported.filter((run): run is RenderRun => !('failed' in run));
    const exportFailures = exported.flatMap((run) => ('failed' in run ? [run.failed] : []));
    const coldFirst = cold.map((run) => run.playToFirstFrameMs);
    const preRolledFirst = preRolled.map((run) => run.playToFirstFrameMs);
    return {
      firstFrameDelayMs,
      avatarSize: `${avatarSize.width}x${avatarSize.height}`,
      output: `${output.width}x${output.height}`,
      lesson: `the sample lesson's first ${lesson.slides.length} slides, offline voice, SyncTalk reference server`,
      runs: options.runs,
      live: {
        playToFirstAvatarFrameCold: figureOf('ms', coldFirst),
        playToFirstAvatarFramePreRolled: figureOf('ms', preRolledFirst),
        requestToFirstFrameCold: figureOf(
          'ms',
          cold.map((run) => run.requestToFirstFrameMs),
        ),
        slideChangeStall: figure(
          'ms',
          cold.map((run) => run.slideStallMs),
        ),
        heldAvatarFrames: figureOf(
          'frames',
          cold.map((run) => run.heldAvatarFrames),
        ),
        fallbackFrames: figureOf(
          'frames',
          cold.map((run) => run.fallbackFrames),
        ),
        avOffsetInFile: avSyncFigures(cold.map((run) => run.sync)),
      },
      markerFault,
      export:
        exportRuns.length === 0
          ? { skipped: exportFailures[0] ?? 'no run' }
          : {
              avOffsetInFile: avSyncFigures(exportRuns.map((run) => run.sync)),
              failedRuns: exportFailures,
            },
      predecessor: {
        playToFirstAvatarFrame: figure('ms', predecessor),
        toColdRatio: ratioFigure(predecessor, coldFirst, 'x'),
        toPreRolledRatio: ratioFigure(predecessor, preRolledFirst, 'x'),
      },
    };
  } finally {
    await server.close();
    await scratch.cleanup();
  }
}
