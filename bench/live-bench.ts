import { descendantsOf, readProcessTable } from './proc-memory.ts';
import { chromium, type Browser, type Page } from 'playwright-core';
import { z } from 'zod';
import { sampleLessonAt, startTestHost } from '../testing/support/app-host.ts';
import { chromiumArgs, chromiumExecutablePath } from '../testing/support/harness-chromium.ts';
import { startHarnessServer } from '../testing/support/harness-server.ts';
import {
  liveKitServerBinary,
  startLiveKitServer,
  type LiveKitTestServer,
} from '../testing/support/livekit-server.ts';
import {
  callSubscriber,
  frameRateFps,
  glassToGlassLatenciesMs,
  openSubscriberPage,
  summariseLatencies,
  type LatencySummary,
} from '../testing/support/livekit-subscriber.ts';
import { figure, ratioFigure, type Figure, type Skipped } from './figures.ts';
import { createScratch, type Scratch } from './lessons.ts';

/**
 * Going live, measured on loopback with a real LiveKit server: glass-to-glass latency from the
 * program canvas to the viewer's displayed frame (a frame counter drawn into the program's
 * corner, read back at the viewer; both pages share this machine's clock), and the publisher's
 * CPU while playing the lesson with and without the stream, in the same run (CPU seconds of the
 * publishing browser's whole process tree, over the same wall-clock window).
 */
interface LiveRun {
  latency: LatencySummary;
  viewerFps: number;
  playing: number;
  playingAndLive: number;
}

export type LiveBenchResult =
  | Skipped
  | {
      output: string;
      runs: number;
      measureWindowS: number;
      /** Each run's median and p95 over the frames the viewer decoded. */
      glassToGlassMedian: Figure;
      glassToGlassP95: Figure;
      framesMeasured: Figure;
      viewerFps: Figure;
      /** CPU cores busy in the publishing browser (all its processes; 1 = one core). */
      publisherCpuPlaying: Figure;
      publisherCpuPlayingAndLive: Figure;
      /** playing+live / playing, per run. */
      liveCpuRatio: Figure;
    };

/** utime + stime of `rootPid` and all its descendants, in seconds. */
async function treeCpuSeconds(rootPid: number): Promise<number> {
  const table = await readProcessTable();
  return [rootPid, ...descendantsOf(table, rootPid)].reduce(
    (sum, pid) => sum + (table.get(pid)?.cpuSeconds ?? 0),
    0,
  );
}

async function cpuCoresOver(rootPid: number, windowMs: number): Promise<number> {
  const before = await treeCpuSeconds(rootPid);
  const startedMs = performance.now();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const after = await treeCpuSeconds(rootPid);
  return (after - before) / ((performance.now() - startedMs) / 1000);
}

const publishedSchema = z.array(z.object({ counter: z.number(), publishedAtMs: z.number() }));

async function publishedFrames(page: Page) {
  // A string: this file is typed for Node, the expression runs in the page.
  return publishedSchema.parse(
    await page.evaluate(
      'window.rapidoDiagnostics ? window.rapidoDiagnostics.publishedFrames() : []',
    ),
  );
}

export async function runLiveBench(options: {
  runs: number;
  quick: boolean;
}): Promise<LiveBenchResult> {
  const binary = liveKitServerBinary();
  if ('skipReason' in binary) return { skipped: binary.skipReason };
  const measureWindowMs = options.quick ? 4_000 : 8_000;
  const liveKit = await startLiveKitServer();
  const harness = await startHarnessServer();
  const scratch = createScratch();
  const { dir, lesson } = await sampleLessonAt(640, 360, (l) => ({
    ...l,
    slides: l.slides.slice(0, 2),
  }));
  scratch.track(dir);
  const viewerBrowser = await chromium.launch({
    executablePath: chromiumExecutablePath,
    args: [...chromiumArgs],
  });
  try {
    const runs: LiveRun[] = [];
    for (let runIndex = 0; runIndex < options.runs; runIndex += 1) {
      runs.push(
        await liveRun(
          liveKit,
          harness.url,
          viewerBrowser,
          dir,
          scratch,
          lesson.id,
          measureWindowMs,
        ),
      );
    }
    const ratio = ratioFigure(
      runs.map((run) => run.playingAndLive),
      runs.map((run) => Math.max(0.01, run.playing)),
      'x',
    );
    if (ratio === null) throw new Error('no CPU measured');
    return {
      output: `${lesson.output.width}x${lesson.output.height} @ ${lesson.output.fps} fps`,
      runs: options.runs,
      measureWindowS: measureWindowMs / 1000,
      glassToGlassMedian: figure(
        'ms',
        runs.map((run) => run.latency.medianMs),
      ),
      glassToGlassP95: figure(
        'ms',
        runs.map((run) => run.latency.p95Ms),
      ),
      framesMeasured: figure(
        'frames',
        runs.map((run) => run.latency.count),
      ),
      viewerFps: figure(
        'frames/s',
        runs.map((run) => run.viewerFps),
      ),
      publisherCpuPlaying: figure(
        'cores',
        runs.map((run) => run.playing),
      ),
      publisherCpuPlayingAndLive: figure(
        'cores',
        runs.map((run) => run.playingAndLive),
      ),
      liveCpuRatio: ratio,
    };
  } finally {
    await viewerBrowser.close();
    await harness.close();
    await liveKit.stop();
    await scratch.cleanup();
  }
}

/** One run: a fresh host and publishing browser, playing alone and then playing and live. */
async function liveRun(
  liveKit: LiveKitTestServer,
  harnessUrl: string,
  viewerBrowser: Browser,
  lessonDir: string,
  scratch: Scratch,
  room: string,
  measureWindowMs: number,
): Promise<LiveRun> {
  const { host, dataDir } = await startTestHost(lessonDir, {
    LIVEKIT_URL: liveKit.url,
    LIVEKIT_API_KEY: liveKit.apiKey,
    LIVEKIT_API_SECRET: liveKit.apiSecret,
  });
  // Removed at the section's end: the host's background work may still write its log.
  scratch.track(dataDir);
  const publisherServer = await chromium.launchServer({
    executablePath: chromiumExecutablePath,
    args: [...chromiumArgs],
  });
  const viewer = await viewerBrowser.newPage();
  try {
    const publisher = await chromium.connect(publisherServer.wsEndpoint());
    const page = await publisher.newPage();
    await page.goto(host.server.appUrl.replace('/#', '/?diagnostics=frame-counter#'));
    await openSubscriberPage(viewer, harnessUrl);
    await callSubscriber(
      viewer,
      'join',
      liveKit.url,
      await liveKit.token({ identity: 'viewer', room, canPublish: false }),
    );
    const pid = publisherServer.process().pid;
    if (pid === undefined) throw new Error('the publishing browser has no process id');

    await page.getByRole('button', { name: '▶ Play' }).click();
    await page.getByRole('button', { name: '❚❚ Pause' }).waitFor();
    const playing = await cpuCoresOver(pid, measureWindowMs);
    await page.getByRole('button', { name: '■ Stop' }).click();

    await page.getByRole('button', { name: '◉ Go Live' }).click();
    await page.getByTestId('live-status').getByText(`Live in room ${room}`).waitFor();
    await callSubscriber(viewer, 'clear');
    const playingAndLive = await cpuCoresOver(pid, measureWindowMs);
    const frames = (await callSubscriber(viewer, 'stats')).frames;
    const latencies = glassToGlassLatenciesMs(await publishedFrames(page), frames);
    if (latencies.length === 0) throw new Error('the viewer decoded no frame counter');
    await page.getByRole('button', { name: '■ Stop stream' }).click();
    return {
      latency: summariseLatencies(latencies),
      viewerFps: frameRateFps(frames),
      playing,
      playingAndLive,
    };
  } finally {
    await viewer.close();
    await publisherServer.close();
    await host.close();
  }
}
