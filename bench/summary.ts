import { readFile } from 'node:fs/promises';
import { isFigure, isSkipped, type Figure } from './figures.ts';

/**
 * The README's performance table, generated from the bench JSON (never typed by hand): the
 * headline figures with median, range, unit and run count, then what was not measured and why.
 * It reads the JSON as data, so an older or partial bench.json still gives a table.
 */

/** A key, or the array element whose fields equal these. */
type PathStep = string | Readonly<Record<string, string | number>>;

interface Row {
  readonly label: string;
  readonly path: readonly PathStep[];
}

function compositorRows(output: string): Row[] {
  const at = ['compositor', 'cases', { output, placement: 'lesson-default' }];
  return [
    { label: `Compositor ${output}, WebGL`, path: [...at, 'webglMsPerFrame'] },
    { label: `Compositor ${output}, CPU keyer / WebGL`, path: [...at, 'cpuToWebglRatio'] },
  ];
}

function exportRows(output: string): Row[] {
  const at = ['export', 'sizes', { output }];
  return [
    { label: `Export ${output}, real-time factor`, path: [...at, 'export', 'realtimeFactor'] },
    {
      label: `Live recording ${output}, real-time factor`,
      path: [...at, 'live', 'realtimeFactor'],
    },
    { label: `Export / live recording ${output}`, path: [...at, 'exportToLiveRatio'] },
    { label: `Live recording ${output}, frames delivered`, path: [...at, 'live', 'deliveredFps'] },
  ];
}

export const summaryRows: readonly Row[] = [
  ...['640x360', '1280x720', '1920x1080'].flatMap(compositorRows),
  ...['1280x720', '1920x1080'].flatMap(exportRows),
  {
    label: 'Export 1280x720 whole (long lesson), real-time factor',
    path: ['exportParallel', 'wholeRealtimeFactor'],
  },
  {
    label: 'Export 1280x720 --parallel 2 (same lesson), real-time factor',
    path: ['exportParallel', 'parallelRealtimeFactor'],
  },
  { label: 'Export --parallel 2 / whole', path: ['exportParallel', 'speedup'] },
  { label: 'Play to first sound (offline voice)', path: ['firstSound', 'playToFirstSound'] },
  {
    label: 'Play to first sound (ElevenLabs, 75 ms first byte)',
    path: ['elevenLabs', 'latency', { firstByteDelayMs: 75 }, 'withoutLookAhead'],
  },
  {
    label: 'Play to first avatar frame (SyncTalk, cold)',
    path: ['syncTalk', 'live', 'playToFirstAvatarFrameCold'],
  },
  {
    label: 'Play to first avatar frame (SyncTalk, pre-rolled)',
    path: ['syncTalk', 'live', 'playToFirstAvatarFramePreRolled'],
  },
  { label: 'Slide-change stall (SyncTalk, live)', path: ['syncTalk', 'live', 'slideChangeStall'] },
  {
    label: 'Seconds lost per utterance (SyncTalk, marker fault on)',
    path: ['syncTalk', 'markerFault', 'secondsLostPerUtterance'],
  },
  {
    label: 'Streams killed by the marker fault (SyncTalk)',
    path: ['syncTalk', 'markerFault', 'streamsKilled'],
  },
  {
    label: 'A/V offset in the exported file',
    path: ['syncTalk', 'export', 'avOffsetInFile', 'offsetMs'],
  },
  {
    label: 'A/V offset in the live recording',
    path: ['syncTalk', 'live', 'avOffsetInFile', 'offsetMs'],
  },
  { label: 'Peak main process RSS, exporting', path: ['memoryExport', 'peakMainRss'] },
  { label: 'Peak renderer RSS, exporting', path: ['memoryExport', 'peakRendererRss'] },
  {
    label: 'Renderer RSS growth, live playback',
    path: ['memoryLive', 'rendererRssGrowthPerMinute'],
  },
  { label: 'JS heap growth, live playback', path: ['memoryLive', 'jsHeapGrowthPerMinute'] },
  { label: 'LiveKit glass to glass (median)', path: ['live', 'glassToGlassMedian'] },
  { label: 'Bench wall time', path: ['totalWallTime'] },
];

function matches(value: unknown, fields: Readonly<Record<string, string | number>>): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = new Map(Object.entries(value));
  return Object.entries(fields).every(([key, wanted]) => record.get(key) === wanted);
}

/** Follows a path; stops at a Skipped on the way (the reason is worth more than "missing"). */
export function resolvePath(json: unknown, path: readonly PathStep[]): unknown {
  let current: unknown = json;
  for (const step of path) {
    if (isSkipped(current)) return current;
    if (typeof step === 'string') {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) {
        return undefined;
      }
      current = new Map(Object.entries(current)).get(step);
    } else {
      if (!Array.isArray(current)) return undefined;
      current = current.find((item: unknown) => matches(item, step));
    }
  }
  return current;
}

/** Three significant digits (whole numbers from 100): the table is read, not computed with. */
function formatNumber(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : String(Number(value.toPrecision(3)));
}

function figureCells(value: Figure): string {
  const range =
    value.runs.length > 1 ? `${formatNumber(value.min)} – ${formatNumber(value.max)}` : '–';
  return `${formatNumber(value.median)} | ${range} | ${value.unit} | ${value.runs.length}`;
}

/** The markdown table, and under it each section that did not measure, with its reason. */
export function summaryMarkdown(json: unknown): string {
  const lines = ['| Figure | Median | Min – max | Unit | Runs |', '|---|---:|---:|---|---:|'];
  for (const row of summaryRows) {
    const value = resolvePath(json, row.path);
    if (isFigure(value)) lines.push(`| ${row.label} | ${figureCells(value)} |`);
  }
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const row of summaryRows) {
    const value = resolvePath(json, row.path);
    if (!isSkipped(value) || seen.has(value.skipped)) continue;
    seen.add(value.skipped);
    skipped.push(`- ${row.label}: not measured (${value.skipped})`);
  }
  const machine = resolvePath(json, ['machine']);
  const header: string[] = [];
  if (typeof machine === 'object' && machine !== null) {
    const fields = new Map(Object.entries(machine));
    header.push(
      `Measured ${String(fields.get('date'))} on ${String(fields.get('cpuCount'))} × ${String(fields.get('cpuModel'))}, ` +
        `${String(fields.get('memoryGiB'))} GiB, Node ${String(fields.get('nodeVersion'))}, ${String(fields.get('chromium'))}.`,
    );
  }
  const options = resolvePath(json, ['options']);
  if (typeof options === 'object' && options !== null) {
    const fields = new Map(Object.entries(options));
    if (fields.get('quick') === true) {
      header.push(
        '**Quick run (one run, short lessons): for developing the bench, not for quoting.**',
      );
    }
  }
  return [
    ...header,
    ...(header.length > 0 ? [''] : []),
    ...lines,
    ...(skipped.length > 0 ? ['', ...skipped] : []),
  ].join('\n');
}

/** `npx tsx bench/summary.ts [bench-results/bench.json]`: the table again from a saved run. */
async function main(): Promise<void> {
  const file = process.argv[2] ?? 'bench-results/bench.json';
  const json: unknown = JSON.parse(await readFile(file, 'utf8'));
  process.stdout.write(`${summaryMarkdown(json)}\n`);
}

if (process.argv[1]?.endsWith('summary.ts')) await main();
