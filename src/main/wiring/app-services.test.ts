import { callerFor, startWiredServices } from '../../../testing/support/wiring-services.ts';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {} from '../../shared/ipc/contract.ts';
import { lessonSchema } from '../../shared/lesson/lesson-schema.ts';
import type { AppServices, HostAbilities } from './app-services.ts';
import type { Dispatcher } from '../services/ipc/dispatcher.ts';

/**
 * The lesson, metrics and program-window channels through the real dispatcher (so requests
 * and answers are checked against the contract), as either host wires them.
 */

const pngBytes = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

let root: string;
let services: AppServices | null = null;

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'rapido-services-')));
});

afterEach(async () => {
  await services?.dispose();
  services = null;
  await rm(root, { recursive: true, force: true });
});

function start(abilities: Partial<HostAbilities> = {}): Dispatcher {
  const started = startWiredServices(root, { abilities });
  services = started.services;
  return started.dispatcher;
}

const context = { transport: 'websocket' as const, clientId: 'test' };

/** Invokes through the dispatcher and checks the answer against the contract. */
const call = callerFor(context);

function lessonIn(title: string) {
  return lessonSchema.parse({
    schemaVersion: 1,
    id: 'made-here',
    title,
    slides: [{ id: 's1', image: 'slides/one.png', narration: 'Hello.' }],
  });
}

// Headless, started with RAPIDO_FOLDERS naming the test's folder: its paths may be typed.
describe('lesson channels', () => {
  it('writes an asset, creates a lesson, saves it, and lists it as recent (not the sample)', async () => {
    const dispatcher = start({ typedFolders: [root] });
    const dir = join(root, 'new lesson');
    const written = await call(dispatcher, 'lesson:write-asset', {
      dir,
      path: 'slides/one.png',
      bytes: new Uint8Array(pngBytes),
    });
    expect(written).toEqual({ ok: true, value: { path: 'slides/one.png' } });

    const created = await call(dispatcher, 'lesson:save', {
      dir,
      lesson: lessonIn('First'),
      create: true,
    });
    expect(created.ok && created.value.dir).toBe(dir);
    const again = await call(dispatcher, 'lesson:save', {
      dir,
      lesson: lessonIn('First'),
      create: true,
    });
    expect(again.ok ? null : again.error.message).toBe(
      `${dir} already holds a lesson: open it, or choose an empty folder`,
    );
    const saved = await call(dispatcher, 'lesson:save', { dir, lesson: lessonIn('Renamed') });
    expect(saved.ok && saved.value.lesson.title).toBe('Renamed');
    expect(JSON.parse(await readFile(join(dir, 'lesson.json'), 'utf8'))).toMatchObject({
      title: 'Renamed',
    });

    expect((await call(dispatcher, 'lesson:open-sample', {})).ok).toBe(true);
    const recent = await call(dispatcher, 'lesson:recent', {});
    expect(recent.ok && recent.value.lessons.map((lesson) => [lesson.dir, lesson.title])).toEqual([
      [dir, 'Renamed'],
    ]);
  });

  it('rejects bad requests at the contract and names the problem', async () => {
    const dispatcher = start({ typedFolders: [root] });
    const traversal = await call(dispatcher, 'lesson:write-asset', {
      dir: root,
      path: '../x.png',
      bytes: new Uint8Array(pngBytes),
    });
    expect(traversal.ok ? null : traversal.error.code).toBe('path-outside-lesson');
    const notBytes = await call(dispatcher, 'lesson:write-asset', {
      dir: root,
      path: 'x.png',
      bytes: 'text',
    });
    expect(notBytes.ok ? null : notBytes.error.code).toBe('invalid-request');
  });
});

describe('app and program-window channels', () => {
  it('headless: measures this process, offers one screen and accepts placement', async () => {
    const dispatcher = start({ screenSize: { width: 1280, height: 800 } });
    const metrics = await call(dispatcher, 'app:metrics', {});
    if (!metrics.ok) throw new Error(metrics.error.message);
    expect(metrics.value.processes.find((p) => p.kind === 'main')?.pid).toBe(process.pid);
    expect(metrics.value.cpuCores).toBeGreaterThanOrEqual(1);
    expect(await call(dispatcher, 'program-window:displays', {})).toEqual({
      ok: true,
      value: {
        displays: [{ id: 0, label: 'This screen', width: 1280, height: 800, primary: true }],
      },
    });
    expect(
      await call(dispatcher, 'program-window:place', { displayId: 0, fullscreen: true }),
    ).toEqual({ ok: true, value: {} });
  });

  it('desktop: asks the host for metrics and displays and passes placement on', async () => {
    const placed: unknown[] = [];
    const dispatcher = start({
      host: 'desktop',
      appMetrics: () =>
        Promise.resolve({
          cpuCores: 4,
          processes: [{ kind: 'gpu', pid: 7, cpuPercent: 1, memoryMB: 2 }],
        }),
      displays: () => [
        { id: 1, label: 'Built-in', width: 1440, height: 900, primary: true },
        { id: 2, label: 'Projector', width: 1920, height: 1080, primary: false },
      ],
      placeProgramWindow: (placement) => placed.push(placement),
    });
    const metrics = await call(dispatcher, 'app:metrics', {});
    expect(metrics.ok && metrics.value.processes[0]?.kind).toBe('gpu');
    const displays = await call(dispatcher, 'program-window:displays', {});
    expect(displays.ok && displays.value.displays.map((d) => d.label)).toEqual([
      'Built-in',
      'Projector',
    ]);
    await call(dispatcher, 'program-window:place', { displayId: 2, fullscreen: true });
    expect(placed).toEqual([{ displayId: 2, fullscreen: true }]);
  });
});
