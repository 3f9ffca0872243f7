import { parseArgs } from 'node:util';

/** The parts of `npm run bench`, in the order they run; `--only` picks some of them. */
export const sectionNames = [
  'compositor',
  'export',
  'firstSound',
  'syncTalk',
  'elevenLabs',
  'live',
  'memoryExport',
  'memoryLive',
  'exportParallel',
] as const;
export type SectionName = (typeof sectionNames)[number];

/** Short names for several sections at once. */
const aliases: Readonly<Record<string, readonly SectionName[]>> = {
  memory: ['memoryExport', 'memoryLive'],
  latency: ['firstSound', 'syncTalk'],
  all: sectionNames,
};

export interface BenchOptions {
  /** Repetitions of every measurement; each Figure summarises this many runs. */
  readonly runs: number;
  /**
   * Runs of the two 10-minute memory sections (default 1: their figure is a peak or a growth
   * over minutes of samples, and three runs would add an hour).
   */
  readonly memoryRuns: number;
  /** One run and shorter windows/lessons: for developing the bench, not for quoting. */
  readonly quick: boolean;
  /**
   * Program minutes of the lesson exported whole and with --parallel 2 (exportParallel): the
   * issue's figure is for 10 minutes; the default keeps a full bench within a few minutes more.
   */
  readonly parallelMinutes: number;
  readonly sections: readonly SectionName[];
}

export const benchUsage = `Usage: npm run bench -- [--quick] [--runs N] [--memory-runs N] [--only a,b,...]
  --quick          1 run, shorter lessons and windows (for developing the bench; never quote it)
  --runs N         runs per figure (default 3; --quick: 1)
  --memory-runs N  runs of the 10-minute memory sections (default 1)
  --parallel-minutes N  program minutes of exportParallel's lesson (default 2; the issue's: 10)
  --only LIST  comma-separated sections: ${sectionNames.join(', ')}
               (memory = memoryExport,memoryLive; latency = firstSound,syncTalk)`;

function sectionFor(name: string): readonly SectionName[] {
  const wanted = name.trim().toLowerCase();
  const alias = aliases[wanted];
  if (alias) return alias;
  const section = sectionNames.find((candidate) => candidate.toLowerCase() === wanted);
  if (!section) throw new Error(`unknown section "${name}"\n${benchUsage}`);
  return [section];
}

/** Parses the bench's arguments; throws with the usage on anything it does not know. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      runs: { type: 'string' },
      'memory-runs': { type: 'string' },
      'parallel-minutes': { type: 'string' },
      only: { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  let runs = quick ? 1 : 3;
  if (values.runs !== undefined) {
    runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
      throw new Error(`--runs must be a whole number from 1 to 50\n${benchUsage}`);
    }
  }
  const memoryRuns = Number(values['memory-runs'] ?? 1);
  if (!Number.isInteger(memoryRuns) || memoryRuns < 1 || memoryRuns > 10) {
    throw new Error(`--memory-runs must be a whole number from 1 to 10\n${benchUsage}`);
  }
  const parallelMinutes = Number(values['parallel-minutes'] ?? (quick ? 0.5 : 2));
  if (!Number.isFinite(parallelMinutes) || parallelMinutes < 0.25 || parallelMinutes > 60) {
    throw new Error(`--parallel-minutes must be a number from 0.25 to 60\n${benchUsage}`);
  }
  const picked = new Set<SectionName>(
    values.only === undefined
      ? sectionNames
      : values.only
          .split(',')
          .filter((name) => name.trim().length > 0)
          .flatMap(sectionFor),
  );
  if (picked.size === 0) throw new Error(`--only names no section\n${benchUsage}`);
  return {
    runs,
    memoryRuns,
    quick,
    parallelMinutes,
    sections: sectionNames.filter((name) => picked.has(name)),
  };
}
