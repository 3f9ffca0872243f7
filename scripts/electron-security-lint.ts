import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waivers as checkedInWaivers, type Waiver } from './electronegativity-waivers.ts';

/**
 * Electronegativity (Electron's security linter) over src/, as part of `npm run lint`: fails on
 * any MEDIUM or HIGH finding that is not waived, with its reason, in electronegativity-waivers.ts,
 * on a waiver that matches nothing, and on a file the tool could not parse (it would hide
 * findings). It runs the tool's own runner offline: its command line fetches translations and
 * Electron's release list from the network on every run (20 s here, and not reproducible);
 * the release list only feeds the "newer Electron has security fixes" check, left out here
 * because Electron upgrades are tracked as dependencies are. Electron's version is pinned to
 * the one package.json asks for.
 *
 *   tsx scripts/electron-security-lint.ts [inputDir]
 */

export interface Finding {
  check: string;
  severity: string;
  confidence: string;
  file: string;
  line: number;
  description: string;
}

const blocking = new Set(['MEDIUM', 'HIGH']);

export interface Verdict {
  unexplained: Finding[];
  waived: { finding: Finding; reason: string }[];
  staleWaivers: Waiver[];
  badWaivers: Waiver[];
}

/** What fails the lint: unwaived MEDIUM/HIGH findings, stale waivers and waivers without a reason. */
export function judge(findings: readonly Finding[], waivers: readonly Waiver[]): Verdict {
  const badWaivers = waivers.filter((w) => w.reason.trim().length < 20);
  const used = new Set<Waiver>();
  const unexplained: Finding[] = [];
  const waived: Verdict['waived'] = [];
  for (const finding of findings) {
    if (!blocking.has(finding.severity)) continue;
    const waiver = waivers.find(
      (w) => w.check === finding.check && w.file === finding.file && !badWaivers.includes(w),
    );
    if (waiver === undefined) unexplained.push(finding);
    else {
      used.add(waiver);
      waived.push({ finding, reason: waiver.reason });
    }
  }
  const staleWaivers = waivers.filter((w) => !used.has(w) && !badWaivers.includes(w));
  return { unexplained, waived, staleWaivers, badWaivers };
}

/** "^45.4.1" -> "45.4.1": the version the range starts at. */
export function electronVersionOf(packageJson: {
  devDependencies?: Record<string, string>;
}): string {
  const range = packageJson.devDependencies?.electron;
  const version = range === undefined ? null : /\d+\.\d+\.\d+/.exec(range);
  if (version === null) throw new Error('package.json names no electron version');
  return version[0];
}

interface RawIssue {
  id: string;
  severity: { name: string };
  confidence: { name: string };
  file: string;
  location: { line: number };
  description: string;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export async function scan(
  input: string,
  electronVersion: string,
): Promise<{ findings: Finding[]; errors: unknown[] }> {
  const require = createRequire(join(root, 'package.json'));
  const toolDir = dirname(require.resolve('@doyensec/electronegativity/package.json'));
  const toolRequire = createRequire(join(toolDir, 'package.json'));
  // The runner's messages go through a global `__` that its i18n module sets up after fetching
  // translations from the network: that module is replaced by the same setup, offline.
  const i18n = toolRequire('i18n') as {
    configure(options: object): void;
    setLocale(l: string): void;
  };
  const offlineI18n = () => {
    i18n.configure({
      locales: ['en-US'],
      defaultLocale: 'en-US',
      directory: join(toolDir, 'dist', 'locales'),
      updateFiles: false,
      objectNotation: true,
      retryInDefaultLocale: true,
      register: globalThis,
    });
    i18n.setLocale('en-US');
    return Promise.resolve();
  };
  const i18nPath = toolRequire.resolve('./dist/locales/i18n.js');
  toolRequire(i18nPath);
  const cached = toolRequire.cache[i18nPath];
  if (cached === undefined) throw new Error("cannot load Electronegativity's i18n module");
  cached.exports = offlineI18n;
  const run = toolRequire('./dist/runner.js') as (options: object) => Promise<{
    issues: RawIssue[];
    errors: unknown[];
  }>;
  const result = await run({
    input: resolve(input),
    isRelative: true,
    electronVersionOverride: electronVersion,
    customScan: [],
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
    parserPlugins: [],
  });
  const findings = result.issues.map((issue) => ({
    check: issue.id,
    severity: issue.severity.name,
    confidence: issue.confidence.name,
    file: issue.file,
    line: issue.location.line,
    description: issue.description,
  }));
  return { findings, errors: result.errors };
}

async function main(): Promise<number> {
  const input = process.argv[2] ?? join(root, 'src');
  const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
  };
  const version = electronVersionOf(packageJson);
  const { findings, errors } = await scan(input, version);
  const verdict = judge(findings, checkedInWaivers);
  const out: string[] = [
    `Electronegativity (Electron ${version}) on ${input}: ${findings.length} findings`,
  ];
  for (const f of findings.filter((f) => !blocking.has(f.severity)))
    out.push(`  note  ${f.severity} ${f.check} ${f.file}:${f.line}`);
  for (const { finding: f } of verdict.waived)
    out.push(`  waived ${f.severity} ${f.check} ${f.file}:${f.line}`);
  for (const f of verdict.unexplained)
    out.push(
      `  ERROR ${f.severity} ${f.check} ${f.file}:${f.line}: ${f.description} (fix it, or waive it with its reason in scripts/electronegativity-waivers.ts)`,
    );
  for (const w of verdict.staleWaivers)
    out.push(`  ERROR stale waiver ${w.check} ${w.file}: it matches no finding; remove it`);
  for (const w of verdict.badWaivers)
    out.push(`  ERROR waiver ${w.check} ${w.file} has no real reason`);
  for (const e of errors) out.push(`  ERROR could not scan: ${JSON.stringify(e)}`);
  process.stdout.write(`${out.join('\n')}\n`);
  const failed =
    verdict.unexplained.length +
    verdict.staleWaivers.length +
    verdict.badWaivers.length +
    errors.length;
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`electron-security-lint: ${String(error)}\n`);
      process.exit(2);
    },
  );
}
