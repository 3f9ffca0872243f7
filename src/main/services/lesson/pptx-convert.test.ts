import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/result.ts';
import {
  convertPptxToPdf,
  deckFileName,
  findLibreOffice,
  notInstalledHint,
  notInstalledMessage,
  sofficeConvertArguments,
} from './pptx-convert.ts';
import { deckOf } from '../../../../testing/support/pptx-test-deck.ts';

/**
 * LibreOffice itself is not needed: a stand-in `soffice` (a Node script) answers --version,
 * writes a PDF where the real one would, or fails or hangs on request, and logs what it got.
 */

let root: string;

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'rapido-pptx-test-')));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function expectOk<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
}

function expectError<T>(result: Result<T>) {
  if (result.ok) throw new Error('expected an error result');
  return result.error;
}

/** A small but whole .pptx (a ZIP package): its notes are read before LibreOffice runs. */
const pptxBytes = deckOf([{ title: 'Hello', notes: ['Say hello.'] }, { body: ['Bye'] }]);

const fakeSoffice = `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const args = process.argv.slice(2);
const log = process.env.FAKE_SOFFICE_LOG;
if (args[0] === '--version') {
  process.stdout.write('LibreOffice 99.9.9 fake\\n');
  process.exit(0);
}
const mode = process.env.FAKE_SOFFICE_MODE || 'ok';
fs.writeFileSync(log, JSON.stringify({ args, pid: process.pid }));
if (mode === 'fail') {
  process.stderr.write('Error: source file could not be loaded\\n');
  process.exit(1);
}
if (mode === 'hang') {
  // A grandchild, as soffice.bin is: stopping the launcher alone would leave it running.
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  fs.writeFileSync(log, JSON.stringify({ args, pid: process.pid, grandchild: child.pid }));
  setInterval(() => {}, 1000);
} else {
  const outDir = args[args.indexOf('--outdir') + 1];
  const input = args[args.length - 1];
  fs.mkdirSync(outDir, { recursive: true });
  const name = path.basename(input).replace(/\\.[^.]+$/, '.pdf');
  fs.writeFileSync(path.join(outDir, name), '%PDF-1.4\\n% converted from ' + path.basename(input) + '\\n');
}
`;

async function installFake(folder: string, name = 'soffice'): Promise<string> {
  await mkdir(folder, { recursive: true });
  const program = join(folder, name);
  await writeFile(program, fakeSoffice);
  await chmod(program, 0o755);
  return program;
}

/** Alive and not a zombie (a killed orphan stays one where nothing reaps it, e.g. containers). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('finding LibreOffice', () => {
  it('reports it missing when neither PATH nor LIBREOFFICE_PATH leads to it', async () => {
    const empty = join(root, 'empty');
    await mkdir(empty);
    expect(await findLibreOffice({ PATH: empty }, { knownLocations: [] })).toEqual({
      found: false,
      reason: null,
    });
    expect(await findLibreOffice({}, { knownLocations: [] })).toEqual({
      found: false,
      reason: null,
    });
  });

  it('finds soffice or libreoffice on PATH, and LIBREOFFICE_PATH as a program or folder', async () => {
    const bin = join(root, 'bin');
    const program = await installFake(bin, 'libreoffice');
    expect(await findLibreOffice({ PATH: `/nonexistent:${bin}` }, { knownLocations: [] })).toEqual({
      found: true,
      path: program,
    });
    const install = join(root, 'LibreOffice');
    const inProgram = await installFake(join(install, 'program'));
    expect(await findLibreOffice({ LIBREOFFICE_PATH: install, PATH: bin })).toEqual({
      found: true,
      path: inProgram,
    });
    expect(await findLibreOffice({ LIBREOFFICE_PATH: inProgram })).toEqual({
      found: true,
      path: inProgram,
    });
  });

  it('says where LIBREOFFICE_PATH points when nothing is there', async () => {
    const lookup = await findLibreOffice({ LIBREOFFICE_PATH: join(root, 'nowhere') });
    expect(lookup).toEqual({
      found: false,
      reason: `LIBREOFFICE_PATH is set to ${join(root, 'nowhere')}, where there is no LibreOffice program (soffice)`,
    });
  });

  it('ignores files that cannot be run', async () => {
    const bin = join(root, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'soffice'), 'not a program');
    await chmod(join(bin, 'soffice'), 0o644);
    expect((await findLibreOffice({ PATH: bin }, { knownLocations: [] })).found).toBe(
      process.platform === 'win32',
    );
  });
});

describe('the conversion command', () => {
  it('converts headless to pdf with a profile of its own', () => {
    expect(
      sofficeConvertArguments({
        inputPath: '/tmp/work/My deck.pptx',
        outDir: '/tmp/work/out',
        profileDir: '/tmp/work/profile dir',
      }),
    ).toEqual([
      '-env:UserInstallation=file:///tmp/work/profile%20dir',
      '--headless',
      '--invisible',
      '--nologo',
      '--nodefault',
      '--nofirststartwizard',
      '--norestore',
      '--convert-to',
      'pdf',
      '--outdir',
      '/tmp/work/out',
      '/tmp/work/My deck.pptx',
    ]);
  });

  it('keeps the deck name but not folders or odd characters', () => {
    expect(deckFileName('C:\\Users\\me\\Talk: part 1.PPTX')).toEqual({
      name: 'Talk_ part 1.pptx',
      extension: 'pptx',
    });
    expect(deckFileName('../../.hidden.odp')).toEqual({ name: 'hidden.odp', extension: 'odp' });
    expect(deckFileName('notes.txt')).toBeNull();
    expect(deckFileName('pptx')).toBeNull();
  });
});

describe('convertPptxToPdf', () => {
  it('says LibreOffice is needed, and how to do without, when it is not installed', async () => {
    const empty = join(root, 'empty');
    await mkdir(empty);
    const error = expectError(
      await convertPptxToPdf({
        fileName: 'deck.pptx',
        bytes: pptxBytes,
        env: { PATH: empty },
        knownLocations: [],
      }),
    );
    expect(error).toEqual({
      code: 'not-available',
      message: notInstalledMessage,
      hint: notInstalledHint,
    });
    expect(notInstalledMessage).toBe(
      'PowerPoint import needs LibreOffice, which is not installed on this computer',
    );
  });

  it('refuses files that are not decks before looking for LibreOffice', async () => {
    const env = { PATH: join(root, 'none') };
    expect(
      expectError(await convertPptxToPdf({ fileName: 'notes.txt', bytes: pptxBytes, env })).code,
    ).toBe('invalid-request');
    expect(
      expectError(await convertPptxToPdf({ fileName: 'deck.pptx', bytes: new Uint8Array(0), env }))
        .message,
    ).toBe('deck.pptx is empty');
    expect(
      expectError(
        await convertPptxToPdf({
          fileName: 'deck.pptx',
          bytes: new TextEncoder().encode('<html>'),
          env,
        }),
      ).message,
    ).toBe('deck.pptx is not a PPTX file (its content does not match)');
  });

  it('runs LibreOffice, returns the PDF and its version, and cleans up', async () => {
    const bin = join(root, 'bin');
    await installFake(bin);
    const log = join(root, 'soffice.json');
    const converted = expectOk(
      await convertPptxToPdf({
        fileName: 'Quarterly review.pptx',
        bytes: pptxBytes,
        env: { PATH: bin, FAKE_SOFFICE_LOG: log },
        knownLocations: [],
      }),
    );
    expect(converted.converter).toBe('LibreOffice 99.9.9 fake');
    expect(new TextDecoder().decode(converted.pdf)).toBe(
      '%PDF-1.4\n% converted from Quarterly review.pptx\n',
    );
    const { args } = JSON.parse(await readFile(log, 'utf8')) as { args: string[] };
    const input = args.at(-1) ?? '';
    const work = dirname(input);
    expect(args).toEqual(
      sofficeConvertArguments({
        inputPath: input,
        outDir: join(work, 'out'),
        profileDir: join(work, 'profile'),
      }),
    );
    await expect(stat(work)).rejects.toThrow();
  });

  it('passes on what LibreOffice said when it fails', async () => {
    const bin = join(root, 'bin');
    await installFake(bin);
    const error = expectError(
      await convertPptxToPdf({
        fileName: 'deck.pptx',
        bytes: pptxBytes,
        env: { PATH: bin, FAKE_SOFFICE_LOG: join(root, 'log.json'), FAKE_SOFFICE_MODE: 'fail' },
        knownLocations: [],
      }),
    );
    expect(error.code).toBe('io-failed');
    expect(error.message).toBe('LibreOffice could not convert deck.pptx to PDF');
    expect(error.details).toEqual([
      'LibreOffice 99.9.9 fake exited with code 1',
      'Error: source file could not be loaded',
    ]);
  });

  it('stops LibreOffice and everything it started when it takes too long', async () => {
    const bin = join(root, 'bin');
    await installFake(bin);
    const log = join(root, 'log.json');
    const error = expectError(
      await convertPptxToPdf({
        fileName: 'deck.pptx',
        bytes: pptxBytes,
        env: { PATH: bin, FAKE_SOFFICE_LOG: log, FAKE_SOFFICE_MODE: 'hang' },
        knownLocations: [],
        timeoutMs: 1_500,
      }),
    );
    expect(error.message).toBe(
      'LibreOffice did not finish converting deck.pptx within 2 s, so it was stopped',
    );
    const { pid, grandchild } = JSON.parse(await readFile(log, 'utf8')) as {
      pid: number;
      grandchild: number;
    };
    await expect.poll(() => isRunning(pid) || isRunning(grandchild)).toBe(false);
  });
});
