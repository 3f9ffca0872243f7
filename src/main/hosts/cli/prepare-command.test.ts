import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startReferenceServer } from '../../../../testing/synctalk-reference/reference-server.ts';
import type { ReferenceServer } from '../../../../testing/synctalk-reference/reference-server.ts';

/**
 * `rapido prepare` as a user runs it: a child process with no browser, judged by its exit code,
 * its output and the caches it leaves. The lesson is a small SyncTalk lesson in a temp folder,
 * the voice the offline one, the avatar server the reference server.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const rapidoBin = join(repoRoot, 'bin', 'rapido.mjs');

let server: ReferenceServer;
let dir: string;
let lessonDir: string;

beforeAll(async () => {
  server = await startReferenceServer({
    port: 0,
    avatars: [{ name: 'alin_cc', width: 48, height: 32, keyColor: '#089831' }],
    preloaded: ['alin_cc'],
  });
  dir = await mkdtemp(join(tmpdir(), 'rapido-prepare-cli-'));
  lessonDir = join(dir, 'lesson');
  await mkdir(join(lessonDir, 'slides'), { recursive: true });
  const slides = ['01-how-plants-make-food.svg', '02-what-a-plant-needs.svg'];
  for (const name of slides) {
    await copyFile(
      join(repoRoot, 'resources', 'sample-lesson', 'slides', name),
      join(lessonDir, 'slides', name),
    );
  }
  await writeFile(
    join(lessonDir, 'lesson.json'),
    JSON.stringify({
      schemaVersion: 1,
      id: 'prepare-cli',
      title: 'Prepare CLI',
      // The lesson names another server: SYNCTALK_SERVER_URL must win, as in render.
      avatar: {
        provider: 'synctalk',
        serverUrl: 'http://127.0.0.1:9',
        avatarName: 'alin_cc',
        frameSize: { width: 48, height: 32 },
      },
      slides: slides.map((image, i) => ({
        id: `s${i + 1}`,
        image: `slides/${image}`,
        narration: i === 0 ? 'Plants make food.' : 'They need light.',
      })),
    }),
  );
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function rapido(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [rapidoBin, ...args], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((done, reject) => {
    child.on('error', reject);
    child.on('close', done);
  });
  return { code, stdout, stderr };
}

describe('rapido prepare', () => {
  test('makes every slide into the caches, then finds them all there', async () => {
    const dataDir = join(dir, 'data-ok');
    const env = { RAPIDO_DATA_DIR: dataDir, SYNCTALK_SERVER_URL: server.url };
    // `rapido status` before: the server answers, nothing is cached for the lesson.
    const empty = await rapido(['status', lessonDir], env);
    expect(empty.stdout).toContain(
      `ok  SyncTalk: ${server.url} (SYNCTALK_SERVER_URL) answers; avatar alin_cc: loaded`,
    );
    expect(empty.stdout).toContain('0 of 2 slides ready');
    expect(empty.stdout).toContain(
      '  slide 1: speech 0/1 sentences cached, avatar video not cached',
    );
    const first = await rapido(['prepare', lessonDir], env);
    const explain = `${first.stdout}\n${first.stderr}`;
    expect(first.code, explain).toBe(0);
    expect(first.stdout).toContain('Preparing "Prepare CLI" (2 slides');
    expect(first.stdout).toMatch(/\[\s*\d+%\] slide 2\/2 avatar · /);
    expect(first.stdout).toMatch(/left\n/);
    expect(first.stdout).toContain('2 of 2 slides ready (0 from cache;');
    expect(first.stdout).toContain('avatar 2 made / 0 from cache');
    const segments = await readdir(join(dataDir, 'cache', 'avatar-segments'));
    expect(segments.filter((name) => name.endsWith('.avseg'))).toHaveLength(2);

    // `rapido status` finds each slide's speech and avatar video by the keys prepare used, and
    // `rapido check` finds the lesson ready.
    const cached = await rapido(['status', lessonDir], env);
    expect(cached.stdout).toContain('2 of 2 slides ready');
    expect(cached.stdout).toContain('  slide 1: speech 1/1 sentences cached, avatar video cached');
    expect(cached.stdout).toContain('  slide 2: speech 1/1 sentences cached, avatar video cached');
    const checked = await rapido(['check', lessonDir], env);
    expect(checked.code, `${checked.stdout}\n${checked.stderr}`).toBe(0);
    expect(checked.stdout).toContain(`ok  avatar (SyncTalk): ${server.url} (SYNCTALK_SERVER_URL)`);

    const second = await rapido(['prepare', lessonDir], env);
    expect(second.code, `${second.stdout}\n${second.stderr}`).toBe(0);
    expect(second.stdout).toContain('2 of 2 slides ready (2 from cache;');
    expect(second.stdout).toContain('avatar 0 made / 2 from cache');
  }, 120_000);

  test('exits 1 naming the slides whose avatar could not be made', async () => {
    const env = {
      RAPIDO_DATA_DIR: join(dir, 'data-down'),
      SYNCTALK_SERVER_URL: 'http://127.0.0.1:9',
    };
    const run = await rapido(['prepare', lessonDir], env);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1);
    expect(run.stdout).toContain('0 of 2 slides ready');
    expect(run.stderr).toContain('rapido: slide 1 (avatar):');
    expect(run.stderr).toContain('rapido: slide 2 (avatar):');
  }, 60_000);

  test('exits 2 for a folder without a lesson, or no folder', async () => {
    const env = { RAPIDO_DATA_DIR: join(dir, 'data-bad') };
    const missing = await rapido(['prepare', join(dir, 'nothing-here')], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('rapido:');
    const none = await rapido(['prepare'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('missing <lessonDir>');
  }, 60_000);
});
