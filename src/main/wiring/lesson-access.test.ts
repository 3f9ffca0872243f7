import { callerFor, startWiredServices } from '../../../testing/support/wiring-services.ts';
import { cp, mkdir, mkdtemp, readdir, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {} from '../../shared/ipc/contract.ts';
import { lessonSchema } from '../../shared/lesson/lesson-schema.ts';
import type { AppServices, HostAbilities } from './app-services.ts';
import type { Dispatcher } from '../services/ipc/dispatcher.ts';
import { pngBytes, writeFiles } from '../../../testing/lesson-files.ts';

/**
 * A compromised page names paths: every lesson channel that takes one must touch only what the
 * user chose through main (its dialog, the command line, the recent list, the sample, the
 * configured folders) and read assets only of lessons main opened, links followed first.
 */

const repoRoot = resolve(import.meta.dirname, '../../..');
const sampleDir = join(repoRoot, 'resources', 'sample-lesson');

let root: string;
let services: AppServices | null = null;

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'rapido-access-')));
  // What the page is after: a private image and a folder nobody chose.
  await writeFiles(root, { 'private/photo.png': pngBytes });
  await cp(sampleDir, join(root, 'chosen'), { recursive: true });
  await mkdir(join(root, 'elsewhere'));
});

afterEach(async () => {
  await services?.dispose();
  services = null;
  await rm(root, { recursive: true, force: true });
});

function start(
  abilities: Partial<HostAbilities> = {},
  lessonDir: string | null = null,
): Dispatcher {
  const started = startWiredServices(root, {
    launch: { lessonDir },
    abilities: { host: 'desktop', ...abilities },
  });
  services = started.services;
  return started.dispatcher;
}

const context = { transport: 'electron' as const, clientId: 'test' };

const call = callerFor(context);

function codeOf(answer: { ok: boolean; error?: { code: string } }): string | null {
  return answer.ok ? null : (answer.error?.code ?? null);
}

const lesson = lessonSchema.parse({
  schemaVersion: 1,
  id: 'made',
  title: 'Made',
  slides: [{ id: 's1', image: 'slides/one.png', narration: 'Hello.' }],
});

describe('lesson:read-asset', () => {
  it('reads nothing outside a lesson main opened, whatever folder the page names', async () => {
    const dispatcher = start({}, join(root, 'chosen'));
    for (const [lessonDir, path] of [
      [join(root, 'private'), 'photo.png'],
      [root, 'private/photo.png'],
      ['/', join(root, 'private/photo.png').slice(1)],
      // Chosen on the command line but not opened yet: still no reads.
      [join(root, 'chosen'), 'slides/01-welcome.svg'],
    ] as const) {
      const answer = await call(dispatcher, 'lesson:read-asset', { lessonDir, path });
      expect(codeOf(answer), `${lessonDir} ${path}`).toBe('path-not-chosen');
    }
  });

  it('reads an opened lesson by relative path, and refuses ../ and links out of it', async () => {
    const dispatcher = start({}, join(root, 'chosen'));
    const opened = await call(dispatcher, 'lesson:open', { dir: join(root, 'chosen') });
    if (!opened.ok) throw new Error(opened.error.message);
    const image = opened.value.lesson.slides[0]?.image ?? '';
    const read = await call(dispatcher, 'lesson:read-asset', {
      lessonDir: opened.value.dir,
      path: image,
    });
    expect(read.ok && read.value.bytes.byteLength).toBeGreaterThan(0);

    await symlink(join(root, 'private/photo.png'), join(root, 'chosen/slides/link.png'));
    for (const path of [
      '../private/photo.png',
      join(root, 'private/photo.png'),
      'slides/link.png',
    ]) {
      const answer = await call(dispatcher, 'lesson:read-asset', {
        lessonDir: opened.value.dir,
        path,
      });
      expect(codeOf(answer), path).toBe('path-outside-lesson');
    }
  });
});

describe('page-named folders', () => {
  it('opens, saves, writes and imports only in folders the user chose', async () => {
    const dispatcher = start();
    const elsewhere = join(root, 'elsewhere');
    const refused = [
      await call(dispatcher, 'lesson:open', { dir: join(root, 'chosen') }),
      await call(dispatcher, 'lesson:save', { dir: elsewhere, lesson, create: true }),
      await call(dispatcher, 'lesson:write-asset', {
        dir: elsewhere,
        path: 'slides/one.png',
        bytes: new Uint8Array(pngBytes),
      }),
      await call(dispatcher, 'lesson:import-images', { imagesDir: join(root, 'private') }),
      await call(dispatcher, 'lesson:read-predecessor', { file: join(root, 'x.json') }),
      await call(dispatcher, 'pipeline:prepare-lesson', {
        runId: 'r',
        lessonDir: elsewhere,
        lesson,
      }),
    ];
    expect(refused.map(codeOf)).toEqual(Array(refused.length).fill('path-not-chosen'));
    expect(refused[0]?.ok === false && refused[0].error.message).toBe(
      `The lesson folder ${join(root, 'chosen')} is not in a folder you chose`,
    );
    expect(await readdir(elsewhere)).toEqual([]);
    expect(await readdir(join(root, 'private'))).toEqual(['photo.png']);
  });

  it('grants what the main dialog chose, what the user confirmed, and the recent list', async () => {
    const asked: string[] = [];
    let answer = false;
    const dispatcher = start({
      chooseFolder: () => Promise.resolve(join(root, 'chosen')),
      confirmPath: (path) => {
        asked.push(path);
        return Promise.resolve(answer);
      },
    });
    expect(codeOf(await call(dispatcher, 'lesson:open', { dir: join(root, 'chosen') }))).toBe(
      'path-not-chosen',
    );
    await call(dispatcher, 'lesson:choose-folder', { title: 'Open' });
    expect((await call(dispatcher, 'lesson:open', { dir: join(root, 'chosen') })).ok).toBe(true);

    // A typed path: main asks in its own box; no is no, yes grants it.
    const dir = join(root, 'elsewhere', 'new');
    const write = () =>
      call(dispatcher, 'lesson:write-asset', {
        dir,
        path: 'slides/one.png',
        bytes: new Uint8Array(pngBytes),
      });
    expect(codeOf(await write())).toBe('path-not-chosen');
    answer = true;
    expect((await write()).ok).toBe(true);
    expect(asked).toEqual([join(root, 'chosen'), dir, dir]);
    expect((await call(dispatcher, 'lesson:save', { dir, lesson, create: true })).ok).toBe(true);

    // A new session: the recent list (which main wrote) is granted, nothing else carried over.
    await services?.dispose();
    const next = start();
    expect((await call(next, 'lesson:open', { dir })).ok).toBe(true);
    expect((await call(next, 'lesson:open', { dir: join(root, 'chosen') })).ok).toBe(true);
    expect(codeOf(await call(next, 'lesson:open', { dir: join(root, 'private') }))).toBe(
      'path-not-chosen',
    );
  });

  it('refuses a link inside a chosen folder that leads out of it', async () => {
    const dispatcher = start({}, join(root, 'chosen'));
    await symlink(join(root, 'elsewhere'), join(root, 'chosen', 'out'));
    const answer = await call(dispatcher, 'lesson:write-asset', {
      dir: join(root, 'chosen', 'out'),
      path: 'slides/one.png',
      bytes: new Uint8Array(pngBytes),
    });
    expect(codeOf(answer)).toBe('path-not-chosen');
    expect(await readdir(join(root, 'elsewhere'))).toEqual([]);
  });
});
