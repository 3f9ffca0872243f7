import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWiredServices } from '../../../testing/support/wiring-services.ts';
import { pngBytes, tempRoot, writeFiles } from '../../../testing/lesson-files.ts';
import {
  invokeChannels,
  type EventChannel,
  type EventPayload,
  type InvokeChannel,
  type InvokeResponse,
} from '../../shared/ipc/contract.ts';
import type { AppServices } from './app-services.ts';
import type { Dispatcher } from '../services/ipc/dispatcher.ts';
import {
  innerDocument,
  videoJobDocumentText,
} from '../services/lesson/predecessor/predecessor-samples.test-data.ts';

/**
 * The predecessor's channels as a page calls them: files and lesson folders only in folders the
 * user chose (as `lesson:save`), assets only by plan id, progress to the page that asked.
 */

let root: string;
let remove: () => Promise<void>;
let services: AppServices | null = null;
let server: Server;
let base: string;

beforeEach(async () => {
  ({ root, remove } = await tempRoot('rapido-predecessor-wiring-'));
  server = createServer((request, response) => {
    response.writeHead(request.url === '/a.png' ? 200 : 404, { 'content-type': 'image/png' });
    response.end(request.url === '/a.png' ? pngBytes : '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await services?.dispose();
  services = null;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await remove();
});

const events: { clientId: string; channel: string; payload: unknown }[] = [];

function start(folders: string[]): Dispatcher {
  events.length = 0;
  const started = startWiredServices(root, {
    abilities: {
      typedFolders: folders,
      emit: <C extends EventChannel>(clientId: string, channel: C, payload: EventPayload<C>) => {
        events.push({ clientId, channel, payload });
      },
    },
  });
  services = started.services;
  return started.dispatcher;
}

async function call<C extends InvokeChannel>(
  dispatcher: Dispatcher,
  channel: C,
  payload: unknown,
): Promise<InvokeResponse<C>> {
  const answer: unknown = await dispatcher.invoke(channel, payload, {
    transport: 'websocket',
    clientId: 'page',
  });
  return invokeChannels[channel].response.parse(answer) as InvokeResponse<C>;
}

describe('predecessor channels', () => {
  it('read a chosen file, fetch its assets by plan id into a chosen lesson folder', async () => {
    const inner = innerDocument(`${base}/a.png`);
    await mkdir(join(root, 'chosen'));
    await writeFile(join(root, 'chosen/job.json'), videoJobDocumentText(inner));
    const dispatcher = start([join(root, 'chosen')]);

    const read = await call(dispatcher, 'lesson:read-predecessor', {
      file: join(root, 'chosen/job.json'),
    });
    if (!read.ok) throw new Error(read.error.message);
    expect(read.value.assets.map((asset) => asset.key)).toEqual(['image-1', 'image-2', 'audio-1']);

    const lessonDir = join(root, 'chosen/lesson');
    const fetched = await call(dispatcher, 'lesson:fetch-plan-assets', {
      planId: read.value.planId,
      lessonDir,
      runId: 'run-1',
    });
    if (!fetched.ok) throw new Error(fetched.error.message);
    expect(fetched.value.assets[0]).toEqual({
      key: 'image-1',
      state: 'ready',
      path: 'sources/images/image-1.png',
    });
    // example.invalid cannot resolve: missing, with why.
    expect(fetched.value.assets[1]).toMatchObject({ key: 'image-2', state: 'missing' });
    expect(await readdir(join(lessonDir, 'sources/images'))).toEqual(['image-1.png']);
    const progress = events.filter((event) => event.channel === 'lesson:fetch-plan-progress');
    expect(progress.every((event) => event.clientId === 'page')).toBe(true);
    expect(progress.at(-1)?.payload).toMatchObject({
      runId: 'run-1',
      done: 3,
      total: 3,
      current: null,
    });

    // What main fetched is read back by plan id and key (never a path); a missing one is not.
    const picture = await call(dispatcher, 'lesson:read-plan-asset', {
      planId: read.value.planId,
      key: 'image-1',
    });
    if (!picture.ok) throw new Error(picture.error.message);
    expect(picture.value.mimeType).toBe('image/png');
    expect(Buffer.from(picture.value.bytes).equals(Buffer.from(pngBytes))).toBe(true);
    const notFetched = await call(dispatcher, 'lesson:read-plan-asset', {
      planId: read.value.planId,
      key: 'image-2',
    });
    expect(!notFetched.ok && notFetched.error.code).toBe('asset-not-found');

    // Pictures only (recordings not kept): the recording is neither fetched nor readable.
    const imagesOnly = await call(dispatcher, 'lesson:fetch-plan-assets', {
      planId: read.value.planId,
      lessonDir: join(root, 'chosen/lesson-2'),
      runId: 'run-3',
      kinds: ['image'],
    });
    if (!imagesOnly.ok) throw new Error(imagesOnly.error.message);
    expect(imagesOnly.value.assets.map((asset) => asset.key)).toEqual(['image-1', 'image-2']);
    const recording = await call(dispatcher, 'lesson:read-plan-asset', {
      planId: read.value.planId,
      key: 'audio-1',
    });
    expect(!recording.ok && recording.error.code).toBe('asset-not-found');

    // An unknown plan id: nothing fetched.
    const unknown = await call(dispatcher, 'lesson:fetch-plan-assets', {
      planId: 'nope',
      lessonDir,
      runId: 'run-2',
    });
    expect(!unknown.ok && unknown.error.code).toBe('invalid-request');
    expect((await call(dispatcher, 'lesson:fetch-plan-cancel', { runId: 'none' })).ok).toBe(true);
  });

  it('refuses files and lesson folders outside the chosen folders, writing nothing', async () => {
    await writeFiles(root, {
      'chosen/job.json': videoJobDocumentText(innerDocument(`${base}/a.png`)),
      'private/job.json': videoJobDocumentText(),
    });
    await mkdir(join(root, 'elsewhere'));
    const dispatcher = start([join(root, 'chosen')]);
    const refused = await call(dispatcher, 'lesson:read-predecessor', {
      file: join(root, 'private/job.json'),
    });
    expect(!refused.ok && refused.error.code).toBe('path-not-chosen');
    const images = await call(dispatcher, 'lesson:read-predecessor', {
      file: join(root, 'chosen/job.json'),
      imagesDir: join(root, 'private'),
    });
    expect(!images.ok && images.error.code).toBe('path-not-chosen');

    const read = await call(dispatcher, 'lesson:read-predecessor', {
      file: join(root, 'chosen/job.json'),
    });
    if (!read.ok) throw new Error(read.error.message);
    const outside = await call(dispatcher, 'lesson:fetch-plan-assets', {
      planId: read.value.planId,
      lessonDir: join(root, 'elsewhere'),
      runId: 'r',
    });
    expect(!outside.ok && outside.error.code).toBe('path-not-chosen');
    expect(await readdir(join(root, 'elsewhere'))).toEqual([]);
  });

  it('answers bad input with the field and line, and writes nothing', async () => {
    await writeFiles(root, {
      'chosen/bad.json': '{\n  "slides": [\n    {"slideInfo": {"position": 0}}\n  ]\n}',
    });
    const dispatcher = start([join(root, 'chosen')]);
    const answer = await call(dispatcher, 'lesson:read-predecessor', {
      file: join(root, 'chosen/bad.json'),
    });
    expect(answer.ok).toBe(false);
    if (answer.ok) return;
    expect(answer.error.code).toBe('invalid-request');
    expect(answer.error.details).toEqual([
      "slides[0].slideInfo.position (line 3): expected the slide's position (1, 2, …), got number 0",
    ]);
    expect(await readdir(join(root, 'chosen'))).toEqual(['bad.json']);
  });
});
