import type { Page } from 'playwright-core';
import type {
  PublishedFrame,
  SubscriberApi,
  SubscriberAudioLevel,
  SubscriberFrame,
  TestPublisher,
} from '../harness/subscriber/subscriber-api.ts';
import { pageBuildProblem } from './harness-server.ts';
import { percentile } from './keying-metrics.ts';

/**
 * Drives the LiveKit test page (testing/harness/subscriber.html, built to .cache/harness) from Node: `window.subscriberApi`
 * watches a room, `window.testPublisher` publishes a known signal into it. Plus the arithmetic
 * the tests do on what the page recorded.
 */

type MethodsOf<Api> = {
  [K in keyof Api]: Api[K] extends (...args: never[]) => unknown ? K : never;
}[keyof Api];
type ArgsOf<Api, K extends keyof Api> = Api[K] extends (...args: infer A) => unknown ? A : never;
type ResultOf<Api, K extends keyof Api> = Api[K] extends (...args: never[]) => infer R
  ? Awaited<R>
  : never;

export type SubscriberMethod = MethodsOf<SubscriberApi>;
export type TestPublisherMethod = MethodsOf<TestPublisher>;

/** Why the built subscriber page cannot be trusted, or null if it can (see pageBuildProblem). */
export function subscriberBuildProblem(): string | null {
  return pageBuildProblem('subscriber.html');
}

/** Opens the built page and waits until it has installed both APIs. */
export async function openSubscriberPage(page: Page, serverUrl: string): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${serverUrl}/subscriber.html`);
  try {
    await page.waitForFunction(
      () => 'subscriberApi' in globalThis && 'testPublisher' in globalThis,
      undefined,
      { timeout: 10_000 },
    );
  } catch (error) {
    throw new Error(`the subscriber page did not start: ${errors.join('; ') || String(error)}`, {
      cause: error,
    });
  }
}

async function callPageApi(
  page: Page,
  apiName: 'subscriberApi' | 'testPublisher',
  method: string,
  args: readonly unknown[],
): Promise<unknown> {
  return page.evaluate(
    async ({ name, member, values }) => {
      const api = (globalThis as unknown as Record<string, Record<string, unknown>>)[name];
      const callable = api?.[member];
      if (typeof callable !== 'function') throw new Error(`${name}.${member} is not a method`);
      return await (callable as (...callArgs: unknown[]) => unknown).apply(api, values);
    },
    { name: apiName, member: method, values: [...args] },
  );
}

/** Calls `window.subscriberApi[method]` in the page; arguments and results travel as JSON. */
export async function callSubscriber<K extends SubscriberMethod>(
  page: Page,
  method: K,
  ...args: ArgsOf<SubscriberApi, K>
): Promise<ResultOf<SubscriberApi, K>> {
  return (await callPageApi(page, 'subscriberApi', method, args)) as ResultOf<SubscriberApi, K>;
}

/** Calls `window.testPublisher[method]` in the page; arguments and results travel as JSON. */
export async function callTestPublisher<K extends TestPublisherMethod>(
  page: Page,
  method: K,
  ...args: ArgsOf<TestPublisher, K>
): Promise<ResultOf<TestPublisher, K>> {
  return (await callPageApi(page, 'testPublisher', method, args)) as ResultOf<TestPublisher, K>;
}

/** Frames per second over the span from the first to the last frame given. */
export function frameRateFps(frames: readonly SubscriberFrame[]): number {
  const first = frames[0];
  const last = frames.at(-1);
  if (!first || !last || last.receivedAtMs <= first.receivedAtMs) return 0;
  return ((frames.length - 1) * 1000) / (last.receivedAtMs - first.receivedAtMs);
}

/** The frames received in [fromMs, toMs). */
export function framesBetween(
  frames: readonly SubscriberFrame[],
  fromMs: number,
  toMs: number,
): SubscriberFrame[] {
  return frames.filter((frame) => frame.receivedAtMs >= fromMs && frame.receivedAtMs < toMs);
}

/** Counter values in receive order, unreadable frames left out. */
export function decodedCounters(frames: readonly SubscriberFrame[]): number[] {
  return frames.flatMap((frame) => (frame.counter === null ? [] : [frame.counter]));
}

/** Which of a frame's times a latency is measured to. */
export type FrameClock = 'receivedAtMs' | 'expectedDisplayAtMs' | 'networkReceivedAtMs';

/**
 * Latency of each frame whose counter was read and published: the frame's `clock` time minus
 * the time the publisher drew that counter. Both pages read the same machine's clock.
 * 'expectedDisplayAtMs' (the default) is glass to glass; 'networkReceivedAtMs' leaves out
 * decoding and display, but comes from WebRTC's own clock and was seen up to 17 ms early, so not
 * for minimums either; 'receivedAtMs' is the start of the rendering frame the callback ran in,
 * which can precede the frame's arrival by a few ms (measured: -6 ms), so not for minimums.
 */
export function glassToGlassLatenciesMs(
  published: readonly PublishedFrame[],
  frames: readonly SubscriberFrame[],
  clock: FrameClock = 'expectedDisplayAtMs',
): number[] {
  const publishedAtMs = new Map(published.map((frame) => [frame.counter, frame.publishedAtMs]));
  return frames.flatMap((frame) => {
    const sentAtMs = frame.counter === null ? undefined : publishedAtMs.get(frame.counter);
    const atMs = frame[clock];
    return sentAtMs === undefined || atMs === null ? [] : [atMs - sentAtMs];
  });
}

export interface LatencySummary {
  readonly count: number;
  readonly minMs: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly maxMs: number;
}

export function summariseLatencies(latenciesMs: readonly number[]): LatencySummary {
  return {
    count: latenciesMs.length,
    minMs: Math.min(...latenciesMs),
    medianMs: percentile(latenciesMs, 0.5),
    p95Ms: percentile(latenciesMs, 0.95),
    maxMs: Math.max(...latenciesMs),
  };
}

export interface AudioRun {
  readonly kind: 'loud' | 'quiet';
  readonly startMs: number;
  readonly endMs: number;
  readonly samples: number;
}

/**
 * The audio level readings as alternating loud and quiet runs. Readings between the two
 * thresholds (a window straddling a switch) belong to neither and do not break a run.
 */
export function audioRuns(
  levels: readonly SubscriberAudioLevel[],
  thresholds: { readonly loudAboveDb: number; readonly quietBelowDb: number },
): AudioRun[] {
  const runs: AudioRun[] = [];
  for (const level of levels) {
    const kind =
      level.rmsDb > thresholds.loudAboveDb
        ? 'loud'
        : level.rmsDb < thresholds.quietBelowDb
          ? 'quiet'
          : null;
    if (kind === null) continue;
    const last = runs.at(-1);
    if (last?.kind === kind) {
      runs[runs.length - 1] = { ...last, endMs: level.atMs, samples: last.samples + 1 };
    } else {
      runs.push({ kind, startMs: level.atMs, endMs: level.atMs, samples: 1 });
    }
  }
  return runs;
}
