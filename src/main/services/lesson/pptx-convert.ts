import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { Result } from '../../../shared/result.ts';
import { err, errorMessage, ok } from '../../../shared/result.ts';
import type { Logger } from '../logging/logger.ts';
import { deckNarration, type DeckNarration } from './pptx/deck-narration.ts';
import { DeckFormatError, readDeckText } from './pptx/deck-text.ts';

/**
 * PowerPoint decks become PDFs with LibreOffice (run headless, as a command), which the
 * renderer then imports page by page like any PDF. LibreOffice is optional: without it the
 * user is told how to get it or how to export a PDF from PowerPoint instead. An Office Open XML
 * deck (.pptx, .ppsx, .potx) is read first for each slide's title and speaker notes
 * (pptx/deck-text.ts): a deck that cannot be read is refused before LibreOffice starts.
 */

export const notInstalledMessage =
  'PowerPoint import needs LibreOffice, which is not installed on this computer';
export const notInstalledHint =
  'Install LibreOffice (Debian/Ubuntu: sudo apt install libreoffice-impress) or save the deck as PDF in PowerPoint and import the PDF.';

/** A large deck takes LibreOffice a minute on a slow machine; beyond two it has hung. */
export const defaultConvertTimeoutMs = 120_000;

/** Decks with embedded video reach hundreds of MB; more than this is not a slide deck. */
export const maxDeckBytes = 512 * 1024 * 1024;

const deckExtensions = ['pptx', 'ppt', 'ppsx', 'pps', 'potx', 'pot', 'odp'] as const;
/** The Office Open XML kinds, whose notes and titles are read from the package itself. */
const openXmlExtensions: readonly string[] = ['pptx', 'ppsx', 'potx'];

const environmentSchema = z.object({
  /** The soffice program, or the LibreOffice folder (or its program/ folder) holding it. */
  LIBREOFFICE_PATH: z.string().trim().min(1).optional(),
  PATH: z.string().optional(),
});

/** Where installers put LibreOffice when it is not on PATH (macOS and Windows do not add it). */
export function knownLibreOfficeLocations(platform: NodeJS.Platform = process.platform): string[] {
  switch (platform) {
    case 'darwin':
      return ['/Applications/LibreOffice.app/Contents/MacOS/soffice'];
    case 'win32':
      return [
        'C:\\Program Files\\LibreOffice\\program\\soffice.exe',
        'C:\\Program Files (x86)\\LibreOffice\\program\\soffice.exe',
      ];
    default:
      return ['/usr/lib/libreoffice/program/soffice', '/opt/libreoffice/program/soffice'];
  }
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function programNames(platform: NodeJS.Platform): string[] {
  return platform === 'win32' ? ['soffice.exe', 'soffice.com'] : ['soffice', 'libreoffice'];
}

export type LibreOfficeLookup =
  { found: true; path: string } | { found: false; reason: string | null };

/**
 * Finds LibreOffice's `soffice`: LIBREOFFICE_PATH (the program or a folder holding it) when
 * set, else `soffice`/`libreoffice` on PATH, else the usual install locations.
 */
export async function findLibreOffice(
  env: NodeJS.ProcessEnv = process.env,
  options: { knownLocations?: readonly string[]; platform?: NodeJS.Platform } = {},
): Promise<LibreOfficeLookup> {
  const platform = options.platform ?? process.platform;
  const parsed = environmentSchema.safeParse({
    LIBREOFFICE_PATH: env.LIBREOFFICE_PATH,
    PATH: env.PATH,
  });
  if (!parsed.success) return { found: false, reason: 'LIBREOFFICE_PATH is not a path' };
  const names = programNames(platform);
  const configured = parsed.data.LIBREOFFICE_PATH;
  if (configured !== undefined) {
    const candidates = [
      configured,
      ...names.map((name) => join(configured, name)),
      ...names.map((name) => join(configured, 'program', name)),
    ];
    for (const candidate of candidates) {
      if (await isExecutableFile(candidate)) return { found: true, path: candidate };
    }
    return {
      found: false,
      reason: `LIBREOFFICE_PATH is set to ${configured}, where there is no LibreOffice program (soffice)`,
    };
  }
  const folders = (parsed.data.PATH ?? '').split(delimiter).filter((folder) => folder.length > 0);
  for (const folder of folders) {
    for (const name of names) {
      const candidate = join(folder, name);
      if (await isExecutableFile(candidate)) return { found: true, path: candidate };
    }
  }
  for (const candidate of options.knownLocations ?? knownLibreOfficeLocations(platform)) {
    if (await isExecutableFile(candidate)) return { found: true, path: candidate };
  }
  return { found: false, reason: null };
}

/**
 * The conversion command's arguments. A profile of its own keeps a LibreOffice the user has
 * open (which would otherwise take the job over, or lock the profile) out of it, and keeps
 * first-run dialogs away.
 */
export function sofficeConvertArguments(options: {
  inputPath: string;
  outDir: string;
  profileDir: string;
}): string[] {
  return [
    `-env:UserInstallation=${pathToFileURL(options.profileDir).href}`,
    '--headless',
    '--invisible',
    '--nologo',
    '--nodefault',
    '--nofirststartwizard',
    '--norestore',
    '--convert-to',
    'pdf',
    '--outdir',
    options.outDir,
    options.inputPath,
  ];
}

/** A file name safe to hand to LibreOffice: the user's name, without folders or odd characters. */
export function deckFileName(fileName: string): { name: string; extension: string } | null {
  const base = fileName.split(/[/\\]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return null;
  const extension = base.slice(dot + 1).toLowerCase();
  if (!(deckExtensions as readonly string[]).includes(extension)) return null;
  const stem =
    base
      .slice(0, dot)
      .replace(/[^\p{L}\p{N} _.-]+/gu, '_')
      .replace(/^[.\s]+/, '')
      .slice(0, 100) || 'deck';
  return { name: `${stem}.${extension}`, extension };
}

/** Whether the bytes start like a deck of this kind (ZIP for pptx/odp, OLE for ppt). */
function looksLikeDeck(bytes: Uint8Array, extension: string): boolean {
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const ole =
    bytes[0] === 0xd0 &&
    bytes[1] === 0xcf &&
    bytes[2] === 0x11 &&
    bytes[3] === 0xe0 &&
    bytes[4] === 0xa1 &&
    bytes[5] === 0xb1 &&
    bytes[6] === 0x1a &&
    bytes[7] === 0xe1;
  return extension === 'ppt' || extension === 'pps' || extension === 'pot' ? ole : zip;
}

interface RunOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program with a time limit. It gets its own process group so the whole tree can be
 * stopped: `soffice` is a launcher that starts `soffice.bin`, which would outlive it.
 */
function run(
  program: string,
  args: readonly string[],
  options: { timeoutMs: number; env: NodeJS.ProcessEnv; cwd: string },
): Promise<RunOutcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    const keep = (text: string, more: Buffer) => (text + more.toString('utf8')).slice(-20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = keep(stdout, chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = keep(stderr, chunk);
    });
    let timedOut = false;
    const stop = () => {
      if (child.pid === undefined) return;
      try {
        if (process.platform === 'win32') child.kill('SIGKILL');
        else process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      // The launcher has exited; anything it left in its group goes with it.
      if (!timedOut) stop();
      resolvePromise({ exitCode, signal, timedOut, stdout, stderr });
    });
  });
}

/** Versions already asked for, by program path: asking costs LibreOffice's start-up time. */
const knownVersions = new Map<string, string>();

/** "LibreOffice 7.4.7.2 40(Build:2)" from `soffice --version`, else the program's path. */
async function converterVersion(
  program: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<string> {
  const known = knownVersions.get(program);
  if (known !== undefined) return known;
  try {
    const outcome = await run(program, ['--version'], { timeoutMs: 30_000, env, cwd });
    const line = outcome.stdout
      .split(/\r?\n/)
      .map((text) => text.trim())
      .find((text) => text.length > 0);
    if (outcome.exitCode === 0 && line !== undefined) {
      knownVersions.set(program, line);
      return line;
    }
  } catch {
    // Reported below as the bare path.
  }
  return program;
}

function lastLines(text: string, count: number): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .slice(-count);
}

/**
 * The deck's titles and narration when it is Office Open XML (null for .ppt and .odp, whose
 * pages keep the PDF's text); a deck that cannot be read, or whose every slide is hidden, is
 * refused with the part and line at fault.
 */
function readDeckNarration(
  fileName: string,
  extension: string,
  bytes: Uint8Array,
): Result<DeckNarration | null> {
  if (!openXmlExtensions.includes(extension)) return ok(null);
  let narration: DeckNarration;
  try {
    narration = deckNarration(readDeckText(bytes));
  } catch (error) {
    if (!(error instanceof DeckFormatError)) throw error;
    return err('invalid-request', `${fileName} could not be read as a PowerPoint deck`, {
      details: [error.message],
      hint: 'Open it in PowerPoint or LibreOffice Impress and save it again, or save it as PDF and import the PDF.',
    });
  }
  if (narration.slides.length === 0) {
    return err(
      'invalid-request',
      `Every slide of ${fileName} is hidden, so there is nothing to import`,
      {
        hint: 'Show at least one slide (Slide Show > Hide Slide) and import it again.',
      },
    );
  }
  return ok(narration);
}

export async function convertPptxToPdf(options: {
  fileName: string;
  bytes: Uint8Array;
  env?: NodeJS.ProcessEnv;
  knownLocations?: readonly string[];
  timeoutMs?: number;
  logger?: Logger;
}): Promise<
  Result<{ pdf: Uint8Array<ArrayBuffer>; converter: string; deck: DeckNarration | null }>
> {
  const { bytes, logger } = options;
  const env = options.env ?? process.env;
  const deck = deckFileName(options.fileName);
  if (deck === null) {
    return err('invalid-request', `${options.fileName} is not a presentation file`, {
      hint: `Choose a ${deckExtensions.join(', ')} file.`,
    });
  }
  if (bytes.byteLength === 0) {
    return err('invalid-request', `${options.fileName} is empty`);
  }
  if (bytes.byteLength > maxDeckBytes) {
    return err(
      'invalid-request',
      `${options.fileName} is too large to convert (${Math.round(bytes.byteLength / (1024 * 1024))} MB, at most ${maxDeckBytes / (1024 * 1024)} MB)`,
      { hint: 'Save the deck as PDF in PowerPoint and import the PDF.' },
    );
  }
  if (!looksLikeDeck(bytes, deck.extension)) {
    return err(
      'invalid-request',
      `${options.fileName} is not a ${deck.extension.toUpperCase()} file (its content does not match)`,
      { hint: 'Choose the presentation file itself, or save it as PDF and import the PDF.' },
    );
  }

  const deckText = readDeckNarration(options.fileName, deck.extension, bytes);
  if (!deckText.ok) return deckText;
  const narration = deckText.value;

  const lookup = await findLibreOffice(
    env,
    options.knownLocations === undefined ? {} : { knownLocations: options.knownLocations },
  );
  if (!lookup.found) {
    return err('not-available', notInstalledMessage, {
      hint: lookup.reason === null ? notInstalledHint : `${lookup.reason}. ${notInstalledHint}`,
    });
  }
  const program = lookup.path;
  const timeoutMs = options.timeoutMs ?? defaultConvertTimeoutMs;

  const work = await mkdtemp(join(tmpdir(), 'rapido-pptx-'));
  try {
    const inputPath = join(work, deck.name);
    const outDir = join(work, 'out');
    const profileDir = join(work, 'profile');
    await writeFile(inputPath, bytes);
    const childEnv = { ...env };
    const converter = await converterVersion(program, childEnv, work);
    const startedMs = performance.now();
    let outcome: RunOutcome;
    try {
      outcome = await run(program, sofficeConvertArguments({ inputPath, outDir, profileDir }), {
        timeoutMs,
        env: childEnv,
        cwd: work,
      });
    } catch (error) {
      return err('not-available', `Could not start LibreOffice (${program})`, {
        details: [errorMessage(error)],
        hint: notInstalledHint,
      });
    }
    if (outcome.timedOut) {
      return err(
        'io-failed',
        `LibreOffice did not finish converting ${options.fileName} within ${Math.round(timeoutMs / 1000)} s, so it was stopped`,
        { hint: 'Save the deck as PDF in PowerPoint and import the PDF.' },
      );
    }
    const pdfName = (await readdir(outDir).catch(() => [])).find((name) =>
      name.toLowerCase().endsWith('.pdf'),
    );
    if (outcome.exitCode !== 0 || pdfName === undefined) {
      const output = lastLines(`${outcome.stderr}\n${outcome.stdout}`, 5);
      logger?.warn(`LibreOffice could not convert ${options.fileName}`, {
        event_type: 'pptx_convert_failed',
        exit_code: outcome.exitCode,
        signal: outcome.signal,
        output,
      });
      return err('io-failed', `LibreOffice could not convert ${options.fileName} to PDF`, {
        details: [
          `${converter} exited with ${outcome.exitCode === null ? `signal ${outcome.signal ?? 'unknown'}` : `code ${outcome.exitCode}`}`,
          ...output,
        ],
        hint: 'Open the deck in PowerPoint or LibreOffice Impress, save it as PDF and import the PDF.',
      });
    }
    const pdf = new Uint8Array(await readFile(join(outDir, pdfName)));
    if (!(pdf[0] === 0x25 && pdf[1] === 0x50 && pdf[2] === 0x44 && pdf[3] === 0x46)) {
      return err(
        'io-failed',
        `LibreOffice wrote something that is not a PDF for ${options.fileName}`,
      );
    }
    logger?.info(`converted ${options.fileName} to PDF`, {
      event_type: 'pptx_converted',
      converter,
      input_bytes: bytes.byteLength,
      pdf_bytes: pdf.byteLength,
      elapsed_ms: Math.round(performance.now() - startedMs),
      slides: narration?.slides.length,
      hidden_slides: narration?.hidden.length,
      notes_slides: narration?.slides.filter((slide) => slide.source === 'notes').length,
    });
    return ok({ pdf, converter, deck: narration });
  } catch (error) {
    return err('io-failed', `Could not convert ${options.fileName} (${errorMessage(error)})`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
