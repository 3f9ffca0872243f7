import { startWiredServices } from '../../../testing/support/wiring-services.ts';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { invokeChannels, type InvokeChannel } from '../../shared/ipc/contract.ts';
import type { Dispatcher } from '../services/ipc/dispatcher.ts';
import type { AppServices, HostAbilities } from './app-services.ts';
import type { LaunchBase } from './app-handlers.ts';

/**
 * The output channels as a page (or a compromised one) reaches them: through the real
 * dispatcher, whose contract is what the headless socket and Electron IPC both apply. Main picks
 * every destination; the page may hold an opaque, single-use id and nothing else.
 */

const context = { transport: 'websocket' as const, clientId: 'page' };
const mimeType = 'video/mp4;codecs=avc1.42E01F,opus';

let root: string;
let services: AppServices | null = null;

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'rapido-outputs-')));
});

afterEach(async () => {
  await services?.dispose();
  services = null;
  await rm(root, { recursive: true, force: true });
});

function start(
  options: { render?: LaunchBase['render']; abilities?: Partial<HostAbilities> } = {},
): Dispatcher {
  const started = startWiredServices(root, {
    launch: { mode: options.render ? 'render' : 'interactive', render: options.render ?? null },
    ...(options.abilities ? { abilities: options.abilities } : {}),
  });
  services = started.services;
  return started.dispatcher;
}

/** The raw answer, checked against the channel's contract (ok or err alike). */
async function call(dispatcher: Dispatcher, channel: InvokeChannel, payload: unknown) {
  const answer: unknown = await dispatcher.invoke(channel, payload, context);
  invokeChannels[channel].response.parse(answer);
  return answer as
    | { ok: true; value: Record<string, unknown> }
    | { ok: false; error: { code: string; message: string; details?: unknown } };
}

function errorText(answer: Awaited<ReturnType<typeof call>>): string {
  if (answer.ok) throw new Error('expected a refusal');
  return `${answer.error.message} ${JSON.stringify(answer.error.details ?? '')}`;
}

describe('output destinations: the page names no path', () => {
  it('refuses a page-sent outPath or directory on recording:start and export:start, creating nothing', async () => {
    const dispatcher = start();
    const target = join(root, 'x.sh');
    const attempts: [InvokeChannel, Record<string, unknown>][] = [
      ['recording:start', { lessonId: 'l', mimeType, outPath: target }],
      ['recording:start', { lessonId: 'l', mimeType, directory: root }],
      ['export:start', { lessonId: 'l', outPath: target }],
      ['export:start', { lessonId: 'l', directory: root }],
      // A path where the id goes is no better.
      ['recording:start', { lessonId: 'l', mimeType, destinationId: target }],
      ['export:start', { lessonId: 'l', destinationId: '../../x.sh' }],
    ];
    for (const [channel, payload] of attempts) {
      const answer = await call(dispatcher, channel, payload);
      expect(answer.ok, `${channel} ${JSON.stringify(payload)}`).toBe(false);
      expect(errorText(answer)).toMatch(/may not name an output path|Unknown or already used/);
    }
    expect(existsSync(target)).toBe(false);
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses an unknown destination id, and appending to an unknown recording', async () => {
    const dispatcher = start();
    const unknown = await call(dispatcher, 'recording:start', {
      lessonId: 'l',
      mimeType,
      destinationId: `dst_${'A'.repeat(32)}`,
    });
    expect(errorText(unknown)).toContain('Unknown or already used output destination');
    const append = await call(dispatcher, 'recording:append', {
      recordingId: '/tmp/x.sh',
      chunk: new Uint8Array([1, 2, 3]),
    });
    expect(append.ok).toBe(false);
    expect(await readdir(root)).toEqual([]);
  });

  it('without an id, writes a new file named by main in the recordings folder, never replacing one', async () => {
    const dispatcher = start();
    const paths: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const started = await call(dispatcher, 'recording:start', {
        lessonId: 'l',
        lessonTitle: '../../etc/Plants & light',
        mimeType,
      });
      if (!started.ok) throw new Error(started.error.message);
      paths.push(String(started.value['path']));
      const id = String(started.value['recordingId']);
      await call(dispatcher, 'recording:append', { recordingId: id, chunk: new Uint8Array([i]) });
      await call(dispatcher, 'recording:finish', { recordingId: id });
    }
    const folder = join(root, 'recordings');
    expect(paths.every((path) => path.startsWith(`${folder}/`))).toBe(true);
    expect(paths[0]).not.toBe(paths[1]);
    expect(paths[0]).toMatch(
      /\/______etc_Plants___light_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}\.mp4$/,
    );
    expect((await readdir(folder)).sort()).toHaveLength(2);
    expect([...(await readFile(paths[0]!))]).toEqual([0]);
  });

  it('render mode: the command line path is the page’s only destination, by id, once', async () => {
    const outPath = join(root, 'out', 'talk.mp4');
    const dispatcher = start({ render: { outPath, live: null, realtime: true, preRoll: true } });
    const launch = await call(dispatcher, 'app:get-launch', {});
    if (!launch.ok) throw new Error(launch.error.message);
    const render = launch.value['render'] as { destinationId: string };
    // The page learns an id, not the path.
    expect(JSON.stringify(launch.value)).not.toContain(outPath);
    expect(render.destinationId).toMatch(/^dst_[A-Za-z0-9_-]{32}$/);

    const started = await call(dispatcher, 'recording:start', {
      lessonId: 'l',
      mimeType,
      destinationId: render.destinationId,
    });
    if (!started.ok) throw new Error(started.error.message);
    expect(started.value['path']).toBe(outPath);
    // Single use: a second start with the same id (another page on the socket) is refused.
    const again = await call(dispatcher, 'export:start', {
      lessonId: 'l',
      destinationId: render.destinationId,
    });
    expect(errorText(again)).toContain('Unknown or already used output destination');
    await call(dispatcher, 'recording:finish', { recordingId: started.value['recordingId'] });
    expect(await readdir(join(root, 'out'))).toEqual(['talk.mp4']);
  });

  it('the folder changes only through main’s own dialog, and is remembered by main', async () => {
    const chosen = join(root, 'chosen');
    const dispatcher = start({ abilities: { chooseFolder: () => Promise.resolve(chosen) } });
    const picked = await call(dispatcher, 'recording:choose-folder', {});
    expect(picked).toEqual({ ok: true, value: { dir: chosen } });
    await services?.dispose();
    // A new start (same settings folder) records into the chosen folder.
    const next = start();
    const launch = await call(next, 'app:get-launch', {});
    expect(launch.ok && launch.value['defaultRecordingDir']).toBe(chosen);
    const started = await call(next, 'export:start', { lessonId: 'l' });
    if (!started.ok) throw new Error(started.error.message);
    expect(String(started.value['path']).startsWith(`${chosen}/`)).toBe(true);
    await call(next, 'export:cancel', { exportId: started.value['exportId'] });
  });

  it('shows only a file main wrote: a page-named path is refused, a finished recording is shown', async () => {
    const shown: string[] = [];
    const dispatcher = start({
      abilities: {
        host: 'desktop',
        showFile: (path) => {
          shown.push(path);
          return Promise.resolve();
        },
      },
    });
    const probe = await call(dispatcher, 'shell:show-file', { path: '/etc/passwd' });
    expect(probe.ok ? 'shown' : probe.error.code).toBe('path-not-chosen');
    const started = await call(dispatcher, 'recording:start', {
      lessonId: 'l',
      lessonTitle: 'Plants',
      mimeType,
    });
    if (!started.ok) throw new Error(started.error.message);
    const path = String(started.value['path']);
    // Being written is not enough: only a finished file is the user's to see.
    expect((await call(dispatcher, 'shell:show-file', { path })).ok).toBe(false);
    await call(dispatcher, 'recording:finish', {
      recordingId: String(started.value['recordingId']),
    });
    expect((await call(dispatcher, 'shell:show-file', { path })).ok).toBe(true);
    expect(shown).toEqual([path]);
  });
});
