import { readdir, readFile } from 'node:fs/promises';
import { chromium, type Page } from 'playwright-core';
import { z } from 'zod';
import { sampleLessonAt, startTestHost } from '../e2e/support/app-host.ts';
import { chromiumArgs, chromiumExecutablePath } from '../e2e/support/harness-chromium.ts';
import { startHarnessServer } from '../e2e/support/harness-server.ts';
import { liveKitServerBinary, startLiveKitServer } from '../e2e/support/livekit-server.ts';
import {
  callSubscriber,
  frameRateFps,
  glassToGlassLatenciesMs,
  openSubscriberPage,
  summariseLatencies,
  type LatencySummary,
} from '../e2e/support/livekit-subscriber.ts';

/**
 * Going live, measured on loopback with a real LiveKit server: glass-to-glass latency from the
 * program canvas to the viewer's displayed frame (a frame counter drawn into the program's
 * corner, read back at the viewer; both pages share this machine's clock), and the publisher's
 * CPU while playing the lesson with and without the stream, in the same run (CPU seconds of the
 * publishing browser's whole process tree, over the same wall-clock window).
 */
const measureWindowMs = 8_000;

export type LiveBenchResult =
  | { skipped: string }
  | {
      output: string;
      latency: LatencySummary;
      viewerFps: number;
      /** CPU cores busy in the publishing browser (all its processes). */
      publisherCpuCoresPlaying: number;
      publisherCpuCoresPlayingAndLive: number;
      /** playing+live / playing. */
      liveCpuRatio: number;
    };

/** utime + stime of `rootPid` and all its descendants, in seconds. */
async function treeCpuSeconds(rootPid: number): Promise<number> {
  const ticksPerSecond = 100;
  const stats = new Map<number, { parent: number; ticks: number }>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = await readFile(`/proc/${name}/stat`, 'utf8');
      // The command may contain spaces and parentheses: fields start after the last ")".
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(name), {
        parent: Number(fields[1]),
        ticks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // The process ended while we looked.
    }
  }
  const inTree = (pid: number): boolean => {
    for (let current = pid, depth = 0; current > 1 && depth < 32; depth += 1) {
      if (current === rootPid) return true;
      current = stats.get(current)?.parent ?? 0;
    }
    return false;
  };
  let ticks = 0;
  for (const [pid, stat] of stats) if (inTree(pid)) ticks += stat.ticks;
  return ticks / ticksPerSecond;
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

export async function runLiveBench(): Promise<LiveBenchResult> {
  const binary = liveKitServerBinary();
  if ('skipReason' in binary) return { skipped: binary.skipReason };
  const liveKit = await startLiveKitServer();
  const harness = await startHarnessServer();
  const { dir, lesson } = await sampleLessonAt(640, 360, (l) => ({
    ...l,
    slides: l.slides.slice(0, 2),
  }));
  const { host } = await startTestHost(dir, {
    LIVEKIT_URL: liveKit.url,
    LIVEKIT_API_KEY: liveKit.apiKey,
    LIVEKIT_API_SECRET: liveKit.apiSecret,
  });
  const publisherServer = await chromium.launchServer({
    executablePath: chromiumExecutablePath,
    args: [...chromiumArgs],
  });
  const viewerBrowser = await chromium.launch({
    executablePath: chromiumExecutablePath,
    args: [...chromiumArgs],
  });
  try {
    const publisher = await chromium.connect(publisherServer.wsEndpoint());
    const page = await publisher.newPage();
    await page.goto(host.server.appUrl.replace('/#', '/?diagnostics=frame-counter#'));
    const viewer = await viewerBrowser.newPage();
    await openSubscriberPage(viewer, harness.url);
    await callSubscriber(
      viewer,
      'join',
      liveKit.url,
      await liveKit.token({ identity: 'viewer', room: lesson.id, canPublish: false }),
    );
    const pid = publisherServer.process().pid;
    if (pid === undefined) throw new Error('the publishing browser has no process id');

    await page.getByRole('button', { name: '▶ Play' }).click();
    await page.getByRole('button', { name: '❚❚ Pause' }).waitFor();
    const playing = await cpuCoresOver(pid, measureWindowMs);
    await page.getByRole('button', { name: '■ Stop' }).click();

    await page.getByRole('button', { name: '◉ Go Live' }).click();
    await page.getByTestId('live-status').getByText(`Live in room ${lesson.id}`).waitFor();
    await callSubscriber(viewer, 'clear');
    const playingAndLive = await cpuCoresOver(pid, measureWindowMs);
    const frames = (await callSubscriber(viewer, 'stats')).frames;
    const latencies = glassToGlassLatenciesMs(await publishedFrames(page), frames);
    if (latencies.length === 0) throw new Error('the viewer decoded no frame counter');
    await page.getByRole('button', { name: '■ Stop stream' }).click();
    return {
      output: `${lesson.output.width}x${lesson.output.height} @ ${lesson.output.fps} fps`,
      latency: summariseLatencies(latencies),
      viewerFps: Number(frameRateFps(frames).toFixed(1)),
      publisherCpuCoresPlaying: Number(playing.toFixed(2)),
      publisherCpuCoresPlayingAndLive: Number(playingAndLive.toFixed(2)),
      liveCpuRatio: Number((playingAndLive / Math.max(0.01, playing)).toFixed(2)),
    };
  } finally {
    await viewerBrowser.close();
    await publisherServer.close();
    await host.close();
    await harness.close();
    await liveKit.stop();
  }
}
