import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createLogger, logFileName, printable } from './logger.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rapido-logger-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const mainFile = () => join(dir, logFileName('main', new Date()));

describe('redaction', () => {
  test('a secret with quotes or backslashes is redacted in every escaped form', () => {
    const secret = 'sk_"quoted"\\back\\slash';
    const logger = createLogger({
      directory: dir,
      level: 'debug',
      console: false,
      secrets: () => [secret],
    });
    logger.info(`key is ${secret}`, {
      header: `Bearer ${secret}`,
      body: JSON.stringify({ apiKey: secret }),
      error: new Error(`rejected ${secret}`),
    });
    const text = readFileSync(mainFile(), 'utf8');
    const once = JSON.stringify(secret).slice(1, -1);
    const twice = JSON.stringify(once).slice(1, -1);
    for (const form of [secret, once, twice, 'quoted', 'back\\\\slash']) {
      expect(text).not.toContain(form);
    }
    expect(text.split('[redacted]').length - 1).toBeGreaterThanOrEqual(4);
    // Still one valid JSON line.
    expect(() => JSON.parse(text.trim()) as unknown).not.toThrow();
  });
  // Generated secrets (10,000+ under `npm run test:fuzz`): logger.fuzz.test.ts.
});

describe('console output', () => {
  test('control characters from a message never reach the terminal raw', () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const logger = createLogger({ directory: dir, level: 'debug', console: true });
    logger
      .child('page\u001b]0;owned\u0007')
      .info('red \u001b[31mtext\r\nINFO rapido: forged line \u202eevil');
    const out = written.join('');
    expect(out.endsWith('\n')).toBe(true);
    // eslint-disable-next-line no-control-regex -- the test is about control characters
    expect(out.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(out).toContain('\\u001b[31mtext\\u000d\\u000aINFO');
  });

  test('printable leaves ordinary text alone', () => {
    expect(printable('Slide 3 – “Plants” ok é 漢字 🙂')).toBe('Slide 3 – “Plants” ok é 漢字 🙂');
  });
});

describe('log files', () => {
  test('rotate by size, keep whole JSON lines, and keep a bounded number of files', () => {
    const maxFileBytes = 20_000;
    const logger = createLogger({ directory: dir, level: 'debug', console: false, maxFileBytes });
    const filler = 'x'.repeat(150);
    for (let line = 0; line < 2_000; line += 1) logger.info(`line ${line} ${filler}`);
    const files = readdirSync(dir).filter((name) => name.startsWith('rapido_2'));
    // The current file and at most three rotated ones: ≈ 80 KB of 400 KB written.
    expect(files.length).toBeGreaterThan(1);
    expect(files.length).toBeLessThanOrEqual(4);
    let newest = -1;
    for (const name of files) {
      const path = join(dir, name);
      expect(statSync(path).size).toBeLessThan(maxFileBytes + 1_000);
      for (const text of readFileSync(path, 'utf8').split('\n').filter(Boolean)) {
        const record = JSON.parse(text) as { message: string };
        newest = Math.max(newest, Number(record.message.split(' ')[1]));
      }
    }
    expect(newest).toBe(1_999);
  });
});
