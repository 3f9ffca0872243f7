import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { electronVersionOf, judge, type Finding } from './electron-security-lint.ts';
import { waivers } from './electronegativity-waivers.ts';

/** `npm run lint` fails on a new MEDIUM/HIGH Electronegativity finding nobody explained. */

const finding = (check: string, severity: string, file = 'main/x.ts'): Finding => ({
  check,
  severity,
  confidence: 'FIRM',
  file,
  line: 1,
  description: 'd',
});
const reason = 'A reason long enough to say something about why.';

describe('judge', () => {
  it('fails a MEDIUM or HIGH finding without a waiver, and lets LOW ones through as notes', () => {
    const verdict = judge(
      [
        finding('A', 'HIGH'),
        finding('B', 'MEDIUM'),
        finding('C', 'LOW'),
        finding('D', 'INFORMATIONAL'),
      ],
      [],
    );
    expect(verdict.unexplained.map((f) => f.check)).toEqual(['A', 'B']);
  });

  it('accepts a finding waived for its check and file, not another file', () => {
    const verdict = judge(
      [finding('A', 'HIGH', 'main/x.ts'), finding('A', 'HIGH', 'main/y.ts')],
      [{ check: 'A', file: 'main/x.ts', reason }],
    );
    expect(verdict.waived.map((w) => w.finding.file)).toEqual(['main/x.ts']);
    expect(verdict.unexplained.map((f) => f.file)).toEqual(['main/y.ts']);
  });

  it('fails a waiver without a real reason, and one that no longer matches anything', () => {
    const verdict = judge(
      [finding('A', 'HIGH')],
      [
        { check: 'A', file: 'main/x.ts', reason: 'ok' },
        { check: 'Z', file: 'main/x.ts', reason },
      ],
    );
    expect(verdict.badWaivers.map((w) => w.check)).toEqual(['A']);
    expect(verdict.unexplained.map((f) => f.check)).toEqual(['A']);
    expect(verdict.staleWaivers.map((w) => w.check)).toEqual(['Z']);
  });

  it('gives every checked-in waiver a reason', () => {
    expect(judge([], waivers).badWaivers).toEqual([]);
  });
});

describe('the lint', () => {
  it('pins Electron to the version package.json asks for', async () => {
    const packageJson = JSON.parse(await readFile('package.json', 'utf8')) as {
      devDependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(electronVersionOf(packageJson)).toMatch(/^45\.\d+\.\d+$/);
    expect(electronVersionOf({ devDependencies: { electron: '~45.4.1' } })).toBe('45.4.1');
    expect(packageJson.scripts.lint).toContain('scripts/electron-security-lint.ts');
  });

  it('exits non-zero and names the finding when a new insecure window appears', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rapido-electronegativity-'));
    try {
      await writeFile(
        join(dir, 'main.js'),
        "const { BrowserWindow } = require('electron');\nnew BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });\n",
      );
      const run = promisify(execFile)('npx', ['tsx', 'scripts/electron-security-lint.ts', dir]);
      const failure = await run.then(
        () => null,
        (error: unknown) => error as { code: number; stdout: string },
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stdout).toMatch(/ERROR MEDIUM SANDBOX_JS_CHECK main\.js:2/);
      expect(failure?.stdout).toMatch(/ERROR HIGH CONTEXT_ISOLATION_JS_CHECK main\.js:2/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
