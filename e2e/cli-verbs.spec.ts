import { scaled } from './support/timeouts.ts';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { expect, test } from '@playwright/test';
import { lessonSchema } from '../src/shared/lesson/lesson-schema.ts';
import { repoRoot, requireRendererBuild, sampleLessonAt } from '../testing/support/app-host.ts';
import {
  fixtureMissing,
  hasUnzip,
  notesByUnzip,
  notesDeck,
  slidesFixturesDir,
  squash,
} from '../testing/support/pptx-notes.ts';
import { describeRun, runCli, tempDir, type CliRun } from '../testing/support/render-cli.ts';

/**
 * The `rapido` command line's verbs as a user or a CI job runs them: a child process, judged by
 * its exit code (0 done, 1 failed, 2 bad input), what it prints, and what it writes (or, on bad
 * input, that it wrote nothing). Not a terminal here, so progress comes as plain lines; the
 * terminal bar's line is unit-tested (progress-display.test.ts).
 */
const pdfDeck = join(slidesFixturesDir, 'gammasoft_modern_cpp_outline_16x9_11p.pdf');
const stackFrame = /^\s+at /m;

/** A solid-colour RGB PNG, written byte by byte (signature, IHDR, IDAT, IEND). */
function solidPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(width).fill(rgb).flat())]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG file's size from its IHDR. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** A TCP port nothing listens on (it was just closed). */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function expectBadInput(run: CliRun, ...named: (string | RegExp)[]) {
  expect(run.code, describeRun(run)).toBe(2);
  for (const name of named) {
    if (typeof name === 'string') expect(run.stderr).toContain(name);
    else expect(run.stderr).toMatch(name);
  }
  expect(run.stderr, 'no stack trace for bad input').not.toMatch(stackFrame);
}

test.beforeAll(() => {
  requireRendererBuild();
});

test(
  'import a PDF: a progress line per page (no bar off a terminal), every page at the size asked',
  { tag: '@busy' },
  async () => {
    test.skip(fixtureMissing(pdfDeck) !== null, fixtureMissing(pdfDeck) ?? '');
    const out = join(await tempDir('pdf'), 'lesson');
    const run = await runCli(['import', pdfDeck, '--out', out, '--size', '640x360']);
    expect(run.code, describeRun(run)).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `Importing gammasoft_modern_cpp_outline_16x9_11p.pdf (PDF) into ${out} at 640x360`,
    );
    for (let page = 1; page <= 11; page += 1) {
      const percent = String(Math.floor(((page - 1) / 11) * 100)).padStart(3);
      expect(lines).toContain(`[${percent}%] rendering page ${page} of 11`);
    }
    expect(lines).toContain('[100%] saving the lesson');
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^Wrote the lesson \\(11 slides\\) to ${out}: imported 11 pages \\(\\d+ ms per page\\)$`,
      ),
    );
    expect(run.stdout, 'plain lines only: no carriage returns, no bar').not.toMatch(/\r|█|░/);

    const lesson = lessonSchema.parse(JSON.parse(await readFile(join(out, 'lesson.json'), 'utf8')));
    expect(lesson.slides).toHaveLength(11);
    expect(lesson.output).toMatchObject({ width: 640, height: 360, fps: 25 });
    for (const slide of lesson.slides) {
      expect(pngSize(await readFile(join(out, slide.image)))).toEqual({ width: 640, height: 360 });
    }
    // The new lesson is valid for `check` too (offline voice, local avatar: nothing to ask).
    const checked = await runCli(['check', out]);
    expect(checked.code, describeRun(checked)).toBe(0);
    expect(checked.stdout).toContain(`${out}: valid lesson`);
  },
);

test(
  'import a PowerPoint deck through the real LibreOffice: each slide’s speaker notes are its narration',
  { tag: '@busy' },
  async () => {
    test.skip(fixtureMissing(notesDeck) !== null, fixtureMissing(notesDeck) ?? '');
    test.skip(!hasUnzip(), 'unzip is needed to read the notes independently');
    test.setTimeout(scaled(240_000));
    const out = join(await tempDir('pptx'), 'lesson');
    const run = await runCli(['import', notesDeck, '--out', out, '--size', '640x360']);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain(
      '[  0%] converting ms_workshop_resume_website_16x9_21p_notes.pptx to PDF with LibreOffice',
    );
    expect(run.stdout).toContain(
      "Note: narration from the speaker notes on 20 slides; from the slide's own text on 1",
    );
    const lesson = lessonSchema.parse(JSON.parse(await readFile(join(out, 'lesson.json'), 'utf8')));
    const notes = notesByUnzip(notesDeck);
    expect(lesson.slides).toHaveLength(notes.length);
    notes.forEach((note, index) => {
      if (note.length === 0) return; // that slide's narration is its own text
      expect(squash(lesson.slides[index]?.narration ?? ''), `slide ${index + 1}`).toBe(note);
    });
    expect(lesson.slides[0]?.title).toBe(
      'Create a resume website in the browser using github.dev and GitHub Pages',
    );
  },
);

test('import refuses bad input with exit 2, naming what is wrong, and writes nothing', async () => {
  const folder = await tempDir('bad-import');
  const out = join(folder, 'lesson');
  const notPdf = join(folder, 'notes.pdf');
  await writeFile(notPdf, 'this is not a PDF');
  const damaged = join(folder, 'damaged.pptx');
  if (existsSync(notesDeck)) await writeFile(damaged, readFileSync(notesDeck).subarray(0, 500_000));
  const unknown = join(folder, 'slides.key');
  await writeFile(unknown, 'keynote');

  expectBadInput(await runCli(['import', pdfDeck]), 'import needs --out <lessonDir>', 'Usage:');
  expectBadInput(await runCli(['import', '--out', out]), 'import needs a <source>');
  expectBadInput(
    await runCli(['import', join(folder, 'absent.pdf'), '--out', out]),
    `${join(folder, 'absent.pdf')} does not exist`,
  );
  expectBadInput(await runCli(['import', unknown, '--out', out]), 'not a source rapido can import');
  expectBadInput(
    await runCli(['import', pdfDeck, '--out', out, '--size', 'big']),
    '--size must be WIDTHxHEIGHT',
  );
  expectBadInput(
    await runCli(['import', pdfDeck, '--out', out, '--script', notPdf]),
    '--script is for a folder of slide images',
  );
  expectBadInput(
    await runCli(['import', pdfDeck, '--out', out, '--keep-recorded-narration']),
    "--images and --keep-recorded-narration are for the predecessor's slide data",
  );
  // Through the page: a file that is not a PDF, and a deck LibreOffice is never shown.
  expectBadInput(
    await runCli(['import', notPdf, '--out', out]),
    'import failed: This file could not be read as a PDF',
  );
  if (existsSync(notesDeck)) {
    expectBadInput(
      await runCli(['import', damaged, '--out', out]),
      'damaged.pptx could not be read as a PowerPoint deck',
    );
  }
  expect(existsSync(out), 'nothing written for bad input').toBe(false);

  // An existing lesson is never overwritten.
  const existing = await sampleLessonAt(640, 360);
  const before = await readFile(join(existing.dir, 'lesson.json'), 'utf8');
  expectBadInput(
    await runCli(['import', pdfDeck, '--out', existing.dir]),
    `${existing.dir} already contains a lesson.json`,
  );
  expect(await readFile(join(existing.dir, 'lesson.json'), 'utf8')).toBe(before);
});

test('import a folder of slide images with a script; a script that does not match is refused', async () => {
  const folder = await tempDir('images');
  const images = join(folder, 'frames');
  await mkdir(images);
  const colours: [number, number, number][] = [
    [200, 30, 30],
    [30, 200, 30],
    [30, 30, 200],
  ];
  for (const [index, colour] of colours.entries()) {
    await writeFile(join(images, `slide${index + 1}.png`), solidPng(64, 36, colour));
  }
  const script = join(folder, 'script.txt');
  await writeFile(script, 'First slide.\n\nSecond slide.\n\nThird slide.\n');
  const short = join(folder, 'short.txt');
  await writeFile(short, 'Only one paragraph.\n');

  const bad = await runCli(['import', images, '--script', short, '--out', join(folder, 'bad')]);
  expectBadInput(bad, 'Found 3 slide images but 1 narration paragraphs in short.txt');
  expect(existsSync(join(folder, 'bad'))).toBe(false);

  const out = join(folder, 'lesson');
  const run = await runCli([
    'import',
    images,
    '--script',
    script,
    '--out',
    out,
    '--title',
    'Frames',
  ]);
  expect(run.code, describeRun(run)).toBe(0);
  expect(run.stdout).toContain(`Wrote the lesson "Frames" (3 slides) to ${out}`);
  const lesson = lessonSchema.parse(JSON.parse(await readFile(join(out, 'lesson.json'), 'utf8')));
  expect(lesson.slides.map((s) => s.narration)).toEqual([
    'First slide.',
    'Second slide.',
    'Third slide.',
  ]);
  expect((await readdir(join(out, 'slides'))).sort()).toEqual([
    'slide1.png',
    'slide2.png',
    'slide3.png',
  ]);
});

test('check: a valid lesson (0), a bad one named by field and line (2), a voice or avatar that cannot be used now (1)', async () => {
  const good = await sampleLessonAt(640, 360);
  const ok = await runCli(['check', good.dir]);
  expect(ok.code, describeRun(ok)).toBe(0);
  expect(ok.stdout).toContain(`valid lesson "${good.lesson.title}" (4 slides, 640x360 @ 25 fps)`);
  expect(ok.stdout).toContain('ok  voice: offline voice en-us (always available)');
  expect(ok.stdout).toContain('ok  avatar: local presenter video (no server needed)');

  const broken = await sampleLessonAt(640, 360);
  const text = (await readFile(join(broken.dir, 'lesson.json'), 'utf8')).replace(
    /"fps": 25/,
    '"fps": "fast"',
  );
  await writeFile(join(broken.dir, 'lesson.json'), text);
  const line = text.split('\n').findIndex((l) => l.includes('"fps": "fast"')) + 1;
  expectBadInput(await runCli(['check', broken.dir]), `output.fps (line ${line})`);

  const missingImage = await sampleLessonAt(640, 360, (l) => ({
    ...l,
    slides: l.slides.map((s, i) => (i === 1 ? { ...s, image: 'slides/none.png' } : s)),
  }));
  expectBadInput(await runCli(['check', missingImage.dir]), 'slides/none.png');
  expectBadInput(await runCli(['check']), 'check needs one <lessonDir>');

  const port = await closedPort();
  const remote = await sampleLessonAt(640, 360, (l) => ({
    ...l,
    avatar: {
      provider: 'synctalk',
      serverUrl: `http://127.0.0.1:${port}`,
      avatarName: 'alin_cc',
      frameSize: { width: 512, height: 512 },
      keyColor: '#089831',
      chromaKey: { similarity: 0.4, smoothness: 0.08, spill: 0.1 },
      placement: l.avatar.placement,
    },
  }));
  const unusable = await runCli(['check', remote.dir]);
  expect(unusable.code, describeRun(unusable)).toBe(1);
  expect(unusable.stdout).toContain(
    `XX  avatar (SyncTalk): http://127.0.0.1:${port} (the lesson's serverUrl) is not reachable`,
  );
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

test('status: each service usable or not and why; --config and the predecessor’s --status-only; the cache per slide', async () => {
  test.setTimeout(scaled(180_000));
  // Nothing configured: optional services off, tools found, exit 0.
  const plain = await runCli(['status']);
  expect(plain.code, describeRun(plain)).toBe(0);
  expect(plain.stdout).toMatch(/^-- {2}ElevenLabs: no API key/m);
  expect(plain.stdout).toMatch(/^-- {2}SyncTalk: no server configured/m);
  expect(plain.stdout).toMatch(/^-- {2}LiveKit: no server configured/m);
  expect(plain.stdout).toMatch(/^ok {2}Chromium: Chromium \d+/m);
  expect(plain.stdout).toMatch(/^ok {2}LibreOffice: LibreOffice \d+/m);
  expect(plain.stdout).toMatch(
    /^ok {2}espeak-ng \(offline voice\): .* speaks \(\d+ ms of test speech\)/m,
  );

  // Configured through the predecessor's settings file: an unreachable SyncTalk and ElevenLabs,
  // a LiveKit that answers. Exit 1, each with its URL and what to check.
  const down = await closedPort();
  const liveKit = createServer((_request, response) => response.end('OK'));
  const livePort = await listen(liveKit);
  try {
    const folder = await tempDir('config');
    const config = join(folder, 'config.json');
    const configText = JSON.stringify(
      {
        tts: { api_key: 'sk-not-a-key' },
        synctalk: { server_url: `http://127.0.0.1:${down}`, model_name: 'enrique_torres' },
        livekit: {
          url: `ws://127.0.0.1:${livePort}`,
          api_key: 'devkey',
          api_secret: 'x'.repeat(32),
        },
        security: { jwt_secret: 'x' },
      },
      null,
      2,
    );
    await writeFile(config, configText);
    const lineOf = (key: string) =>
      configText.split('\n').findIndex((line) => line.includes(`"${key}"`)) + 1;
    const env = { ELEVENLABS_BASE_URL: `http://127.0.0.1:${down}` };
    const run = await runCli(['--status-only', '--config', config], env);
    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stdout).toContain(
      `XX  SyncTalk: http://127.0.0.1:${down} (SYNCTALK_SERVER_URL) is not reachable`,
    );
    expect(run.stdout).toContain(
      `XX  ElevenLabs: http://127.0.0.1:${down} with the ELEVENLABS_API_KEY`,
    );
    expect(run.stdout).toContain(
      `ok  LiveKit: ws://127.0.0.1:${livePort} (LIVEKIT_URL) answers (HTTP 200); credentials (api-key) make tokens`,
    );
    // Every problem line is followed by what to check.
    const lines = run.stdout.split('\n');
    lines.forEach((line, index) => {
      if (line.startsWith('XX ')) expect(lines[index + 1], line).toMatch(/^ {6}\S/);
    });
    expect(run.stderr).toContain(
      `rapido: warning: ${config}:${lineOf('model_name')}: synctalk.model_name is not applied`,
    );
    expect(run.stderr).toContain(
      `rapido: warning: ${config}:${lineOf('jwt_secret')}: security.jwt_secret is not applied`,
    );
    expect(run.stdout + run.stderr, 'the key never printed').not.toContain('sk-not-a-key');
  } finally {
    liveKit.close();
  }

  // A bad settings file is bad input, named by line.
  const folder = await tempDir('config-bad');
  await writeFile(join(folder, 'c.json'), '{\n  "tts": {\n');
  expectBadInput(
    await runCli(['status', '--config', join(folder, 'c.json')]),
    /c\.json:3:1: not JSON/,
  );
  expectBadInput(await runCli(['status', join(folder, 'no-lesson')]), 'No lesson.json');

  // The cache per slide: nothing, then every slide's speech after `rapido prepare`.
  const { dir } = await sampleLessonAt(640, 360, (l) => ({ ...l, slides: l.slides.slice(0, 2) }));
  const dataDir = await tempDir('cache');
  const before = await runCli(['status', dir], {}, { dataDir });
  expect(before.stdout).toContain('0 of 2 slides ready');
  expect(before.stdout).toContain('  slide 1: speech 0/1 sentences cached');
  const prepared = await runCli(['prepare', dir], {}, { dataDir });
  expect(prepared.code, describeRun(prepared)).toBe(0);
  const after = await runCli(['-v', 'status', dir], {}, { dataDir });
  expect(after.stdout).toContain('2 of 2 slides ready');
  expect(after.stdout).toContain('  slide 1: speech 1/1 sentences cached');
  expect(after.stdout).toContain('  slide 2: speech 1/1 sentences cached');
  // -v: the debug log on the terminal too.
  expect(after.stdout + after.stderr).toMatch(/^DEBUG rapido\./m);
  expect(before.stdout + before.stderr, 'no log lines without -v').not.toMatch(
    /^(DEBUG|INFO) rapido\./m,
  );
});

test("the predecessor's invocation: its argument names, bad input refused before any work", async () => {
  expectBadInput(await runCli(['--slide-data', 'x.json']), '--lesson-id');
  expectBadInput(
    await runCli(['--lesson-id', '../etc', '--slide-data', 'x.json']),
    '--lesson-id: use letters, digits',
  );
  expectBadInput(await runCli(['--lesson-id', 'L1']), '--slide-data FILE is needed');
  expectBadInput(
    await runCli(['--lesson-id', 'L1', '--slide-data', '/nonexistent/data.json']),
    '/nonexistent/data.json does not exist',
  );
  expectBadInput(await runCli(['--lesson-id', 'L1', '--bogus']), "Unknown option '--bogus'");
});

test('the rapido bin and npm run rapido run the same command line', async () => {
  const viaBin = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'rapido.mjs'), '--help'], {
      cwd: repoRoot,
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
  expect(viaBin.code).toBe(0);
  expect(viaBin.stdout).toContain('rapido import <source> --out <lessonDir>');
  const viaNpm = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'rapido', '--', 'check'], { cwd: repoRoot });
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
  expect(viaNpm.code).toBe(2);
  expect(viaNpm.stdout).toContain('check needs one <lessonDir>');
});

/** Parsed slide data in the predecessor's documented shape (parsed_slideData/<jobId>.json). */
function parsedSlideData(): string {
  const slide = (position: number, text: string, slideId: string) => ({
    slideInfo: {
      position,
      slideType: 1,
      narrationData: text,
      narrationDuration: 2500,
      slideId,
      embedId: '',
      presenterConfig: { scaleX: 0.2, scaleY: 0.2, top: 670.4, left: 755.2, isEditable: true },
    },
  });
  return JSON.stringify(
    {
      slides: [
        slide(1, 'Welcome to the lesson.', '0f8fad5b-d9cb-469f-a165-70867728950e'),
        slide(2, 'That is all for today.', '7c9e6679-7425-40de-944b-e07fc1f90ae7'),
      ],
    },
    null,
    2,
  );
}

test(
  "the predecessor's --lesson-id and --slide-data: its data imported and rendered to paths.output",
  { tag: '@busy' },
  async () => {
    test.setTimeout(scaled(300_000));
    const folder = await tempDir('predecessor');
    const data = join(folder, 'job-1.json');
    await writeFile(data, parsedSlideData());
    const output = join(folder, 'videos');
    const config = join(folder, 'config.json');
    await writeFile(
      config,
      JSON.stringify({ paths: { output }, video: { width: 640, height: 360 } }),
    );
    const dataDir = await tempDir('predecessor-data');
    const run = await runCli(
      ['--lesson-id', 'L1', '--slide-data', data, '--config', config],
      {},
      { dataDir },
    );
    expect(run.code, describeRun(run)).toBe(0);
    expect(existsSync(join(output, 'L1.mp4'))).toBe(true);
    const lesson = lessonSchema.parse(
      JSON.parse(await readFile(join(dataDir, 'predecessor-lessons', 'L1', 'lesson.json'), 'utf8')),
    );
    expect(lesson.slides.map((s) => s.narration)).toEqual([
      'Welcome to the lesson.',
      'That is all for today.',
    ]);
    expect(lesson.output).toMatchObject({ width: 640, height: 360 });
  },
);

test('import of predecessor data: bad input named by field and line, nothing written', async () => {
  const folder = await tempDir('predecessor-bad');
  const data = join(folder, 'job-2.json');
  const text = parsedSlideData().replace(
    '"narrationDuration": 2500',
    '"narrationDuration": "long"',
  );
  await writeFile(data, text);
  const line = text.split('\n').findIndex((l) => l.includes('"long"')) + 1;
  const out = join(folder, 'lesson');
  const run = await runCli(['import', data, '--out', out]);
  expectBadInput(run, 'narrationDuration', `${line}`);
  expect(existsSync(out)).toBe(false);
});
