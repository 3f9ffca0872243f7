import { spawn } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../services/logging/logger.ts';
import { cacheKey, createSpeechCache } from '../../services/speech/speech-cache.ts';

/**
 * Workers of a farm share RAPIDO_DATA_DIR's caches (issue 18), so two processes can write the same
 * speech entry at the same moment. Two real processes here write one key over and over, each
 * with audio of its own (as two engine builds could): the entry left must be whole and exactly
 * one of the two, never a mix, and no temporary file may remain.
 */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const speechCacheModule = pathToFileURL(
  join(import.meta.dirname, '..', '..', 'services', 'speech', 'speech-cache.ts'),
).href;
const loggerModule = pathToFileURL(
  join(import.meta.dirname, '..', '..', 'services', 'logging', 'logger.ts'),
).href;
const rounds = 200;
const samples = 48_000;

const writerScript = `
const { createSpeechCache } = await import(${JSON.stringify(speechCacheModule)});
const { createMemoryLogger } = await import(${JSON.stringify(loggerModule)});
const [directory, key, value] = process.argv.slice(1);
const cache = createSpeechCache({ directory, logger: createMemoryLogger() });
const pcm = new Int16Array(${samples}).fill(Number(value));
const speech = { pcm, sampleRateHz: 16000, durationMs: ${samples} / 16, words: [], providerId: 'writer-' + value };
// Loaded: wait for the go (a line on stdin), sent once both writers are here.
console.log('ready');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
console.log('start ' + Date.now());
for (let round = 0; round < ${rounds}; round += 1) {
  const written = await cache.put(key, speech);
  if (!written.ok) { console.error(JSON.stringify(written)); process.exit(1); }
}
console.log('end ' + Date.now());
`;

/** One writer: `ready` once loaded; `go()` starts its writes; `done` its exit and write times. */
function writer(directory: string, key: string, value: number) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      tsxLoader,
      '--input-type=module',
      '-e',
      writerScript,
      directory,
      key,
      String(value),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let stdout = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes('ready')) markReady();
  });
  const done = new Promise<{ code: number | null; startMs: number; endMs: number }>((resolve) =>
    child.once('close', (code) => {
      markReady();
      resolve({
        code,
        startMs: Number(/start (\d+)/.exec(stdout)?.[1] ?? Number.NaN),
        endMs: Number(/end (\d+)/.exec(stdout)?.[1] ?? Number.NaN),
      });
    }),
  );
  return { ready, done, go: () => child.stdin.end('go\n') };
}

describe('the speech cache shared by farm workers', () => {
  it('two processes writing one entry at once leave one whole entry', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'rapido-shared-speech-'));
    const key = cacheKey({
      providerId: 'farm-test',
      voice: { name: 'shared' },
      text: 'written by two workers at once',
      sampleRateHz: 16_000,
    });
    const writers = [writer(directory, key, 1111), writer(directory, key, 2222)];
    await Promise.all(writers.map((w) => w.ready));
    for (const w of writers) w.go();
    const [first, second] = await Promise.all(writers.map((w) => w.done));
    if (!first || !second) throw new Error('two writers expected');
    expect([first.code, second.code]).toEqual([0, 0]);
    // They did write at the same time (else this would test nothing).
    expect(Math.max(first.startMs, second.startMs)).toBeLessThan(
      Math.min(first.endMs, second.endMs),
    );
    const logger = createMemoryLogger();
    const entry = await createSpeechCache({ directory, logger }).get(key);
    expect(entry, JSON.stringify(logger.lines)).toBeDefined();
    const value = entry?.pcm[0];
    expect([1111, 2222]).toContain(value);
    expect(entry?.providerId).toBe(`writer-${String(value)}`);
    expect(entry?.pcm.length).toBe(samples);
    expect(entry?.pcm.every((sample) => sample === value)).toBe(true);
    expect(logger.lines.filter((line) => line.record.level === 'WARN')).toEqual([]);
    // Only the entry itself: every temporary file was renamed into place or removed.
    expect(await readdir(directory, { recursive: true })).toEqual([`${key}.speech`]);
  });
});
