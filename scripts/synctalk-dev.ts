import { parseArgs } from 'node:util';
import { parseArgumentsOrReport } from './cli-arguments.ts';
import { z } from 'zod';
import {
  idealServer,
  realServerQuirks,
  startReferenceServer,
  type QuirkSettings,
  type ReferenceAvatar,
} from '../testing/synctalk-reference/reference-server.ts';

/**
 * Runs Rapido's reference SyncTalk_2D server for development without a GPU:
 *   npm run synctalk:dev -- [--port N] [--avatar name:WIDTHxHEIGHT:#keycolor[:folder]]... [--max-streams N]
 *     [--first-frame-delay-ms N] [--stall-after N --stall-ms N] [--burst-fps N] [--drop-after N]
 *     [--close-with-error-after N] [--reject capacity|no-model|unknown-avatar|not-loaded|not-initialised]
 *     [--stop-at-end-of-stream] [--preload name]... [--preload-delay-ms N] [--load-delay-ms N] [--host H]
 *     [--quirks real|ideal] [--quirk NAME=on|off]... [--generation-fps N]
 *     [--marker-crash-cleanup-ms N] [--default-background-url URL]
 * Defaults are realistic: 600 ms first-frame delay, preload of the first avatar done after 1 s, and
 * every quirk of the real server (issue 15) on.
 */

const usage =
  'usage: npm run synctalk:dev -- [--port N] [--avatar name:WIDTHxHEIGHT:#keycolor[:folder]]... [--max-streams N] ' +
  '[--first-frame-delay-ms N] [--stall-after N --stall-ms N] [--burst-fps N] [--drop-after N] ' +
  '[--close-with-error-after N] [--reject capacity|no-model|unknown-avatar|not-loaded|not-initialised] ' +
  '[--stop-at-end-of-stream] [--preload name]... [--preload-delay-ms N] [--load-delay-ms N] [--host H] ' +
  '[--quirks real|ideal] [--quirk NAME=on|off]... [--generation-fps N] [--marker-crash-cleanup-ms N] ' +
  '[--default-background-url URL]';

/** The on/off quirks `--quirk NAME=on|off` can set (generationFps has its own flag). */
const switchNames = [
  'markerCrash',
  'endSpeechBeforeTail',
  'shortUtteranceNoVideo',
  'staleStartSpeech',
  'serverKeying',
  'loadModelUnknown500',
] as const;
type SwitchName = (typeof switchNames)[number];

const quirkSpec = z
  .string()
  .regex(
    new RegExp(`^(${switchNames.join('|')})=(on|off)$`),
    `expected NAME=on|off with NAME one of ${switchNames.join(', ')}`,
  )
  .transform((spec): [SwitchName, boolean] => {
    const [name, value] = spec.split('=') as [SwitchName, string];
    return [name, value === 'on'];
  });

const wholeNumber = z.coerce.number().int().nonnegative();
const positiveNumber = z.coerce.number().int().positive();

const avatarSpec = z
  .string()
  .regex(
    /^[^:]+:\d+x\d+:#[0-9a-fA-F]{6}(:[^:]+)?$/,
    'expected name:WIDTHxHEIGHT:#keycolor[:folder], e.g. enrique_torres:512x512:#089831',
  )
  .transform((spec): ReferenceAvatar => {
    const [name, size, keyColor, folderName] = spec.split(':') as [string, string, string, string?];
    const [width, height] = size.split('x').map(Number) as [number, number];
    return { name, width, height, keyColor, ...(folderName ? { folderName } : {}) };
  });

const argsSchema = z
  .object({
    port: wholeNumber.max(65535).default(8000),
    host: z.string().default('127.0.0.1'),
    avatar: z
      .array(avatarSpec)
      .default([{ name: 'enrique_torres', width: 512, height: 512, keyColor: '#089831' }]),
    'max-streams': positiveNumber.default(5),
    'first-frame-delay-ms': wholeNumber.default(600),
    'stall-after': wholeNumber.optional(),
    'stall-ms': wholeNumber.default(1500),
    'burst-fps': z.coerce.number().min(50).default(60),
    'drop-after': positiveNumber.optional(),
    'close-with-error-after': positiveNumber.optional(),
    reject: z
      .enum(['capacity', 'no-model', 'unknown-avatar', 'not-loaded', 'not-initialised'])
      .optional(),
    'stop-at-end-of-stream': z.boolean().default(false),
    preload: z.array(z.string().min(1)).optional(),
    'preload-delay-ms': wholeNumber.default(1000),
    'load-delay-ms': wholeNumber.default(300),
    quirks: z.enum(['real', 'ideal']).default('real'),
    quirk: z.array(quirkSpec).default([]),
    'generation-fps': z.coerce.number().positive().max(1000).optional(),
    'marker-crash-cleanup-ms': wholeNumber.default(5000),
    'default-background-url': z.string().min(1).optional(),
  })
  .strict();

function quirkSettings(args: z.infer<typeof argsSchema>): QuirkSettings {
  const settings: QuirkSettings = {
    ...(args.quirks === 'real' ? realServerQuirks : idealServer),
  };
  for (const [name, on] of args.quirk) settings[name] = on;
  if (args['generation-fps'] !== undefined) settings.generationFps = args['generation-fps'];
  return settings;
}

function parseCommandLine(argv: string[]): z.infer<typeof argsSchema> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      avatar: { type: 'string', multiple: true },
      'max-streams': { type: 'string' },
      'first-frame-delay-ms': { type: 'string' },
      'stall-after': { type: 'string' },
      'stall-ms': { type: 'string' },
      'burst-fps': { type: 'string' },
      'drop-after': { type: 'string' },
      'close-with-error-after': { type: 'string' },
      reject: { type: 'string' },
      'stop-at-end-of-stream': { type: 'boolean' },
      preload: { type: 'string', multiple: true },
      'preload-delay-ms': { type: 'string' },
      'load-delay-ms': { type: 'string' },
      quirks: { type: 'string' },
      quirk: { type: 'string', multiple: true },
      'generation-fps': { type: 'string' },
      'marker-crash-cleanup-ms': { type: 'string' },
      'default-background-url': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  return argsSchema.parse(values);
}

async function main(): Promise<void> {
  const args = parseArgumentsOrReport(() => parseCommandLine(process.argv.slice(2)), usage);
  if (!args) return;
  const startedAtMs = Date.now();
  const stamp = (): string => `[${((Date.now() - startedAtMs) / 1000).toFixed(1)}s]`;
  const server = await startReferenceServer({
    port: args.port,
    host: args.host,
    avatars: args.avatar,
    maxStreams: args['max-streams'],
    ...(args.preload ? { preloaded: args.preload } : {}),
    preloadDelayMs: args['preload-delay-ms'],
    loadDelayMs: args['load-delay-ms'],
    faults: {
      firstFrameDelayMs: args['first-frame-delay-ms'],
      stallAfterFrames: args['stall-after'] ?? null,
      stallMs: args['stall-ms'],
      burstFps: args['burst-fps'],
      dropAfterFrames: args['drop-after'] ?? null,
      closeWithErrorAfterFrames: args['close-with-error-after'] ?? null,
      rejectAdmission: args.reject ?? null,
      generatorStopsAtEndOfStream: args['stop-at-end-of-stream'],
      ...quirkSettings(args),
      markerCrashCleanupMs: args['marker-crash-cleanup-ms'],
      ...(args['default-background-url']
        ? { defaultBackgroundUrl: args['default-background-url'] }
        : {}),
    },
    log: (line) => {
      console.log(`${stamp()} ${line}`);
    },
  });
  const avatars = args.avatar.map((a) => `${a.name} ${a.width}x${a.height} ${a.keyColor}`);
  console.log(`SyncTalk reference server on ${server.url}`);
  console.log(`  avatars: ${avatars.join(', ')}`);
  const quirks = Object.entries(quirkSettings(args)).map(
    ([name, value]) => `${name}=${String(value)}`,
  );
  console.log(`  quirks: ${quirks.join(' ')}`);
  console.log(
    `  websocket: ${server.url.replace(/^http/, 'ws')}/ws/audio_to_video?sample_rate=16000`,
  );
  console.log('  Ctrl-C to stop');

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${stamp()} stopping`);
    server.close().then(
      () => {
        console.log(`${stamp()} stopped: ${JSON.stringify(server.stats())}`);
      },
      (error: unknown) => {
        console.error(error);
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
