import { parseArgs } from 'node:util';
import { parseArgumentsOrReport } from './cli-arguments.ts';
import { z } from 'zod';
import type { LogFields, Logger } from '../src/main/services/logging/logger.ts';
import { startElevenLabsReference } from '../testing/elevenlabs-reference/reference-server.ts';

/**
 * Runs Rapido's reference ElevenLabs server for development without a key or network:
 *   npm run elevenlabs:dev -- [--port N] [--host H] [--key KEY] [--first-byte-delay-ms N]
 *     [--speed-factor X] [--chunk-ms N] [--character-limit N] [--character-count N]
 *     [--max-concurrent N] [--max-text-length N] [--stall] [--quiet]
 * Point the SDK at it with `new ElevenLabsClient({ apiKey: KEY, baseUrl: URL })`.
 */

const usage =
  'usage: npm run elevenlabs:dev -- [--port N] [--host H] [--key KEY] [--first-byte-delay-ms N] ' +
  '[--speed-factor X] [--chunk-ms N] [--character-limit N] [--character-count N] ' +
  '[--max-concurrent N] [--max-text-length N] [--stall] [--quiet]';

const wholeNumber = z.coerce.number().int().nonnegative();
const positiveNumber = z.coerce.number().int().positive();

const argsSchema = z
  .object({
    port: wholeNumber.max(65535).default(8011),
    host: z.string().default('127.0.0.1'),
    key: z.string().min(1).default('sk_rapido_reference_dev'),
    'first-byte-delay-ms': wholeNumber.default(75),
    'speed-factor': z.coerce.number().positive().default(4),
    'chunk-ms': positiveNumber.min(10).max(5000).default(250),
    'character-limit': wholeNumber.default(10_000),
    'character-count': wholeNumber.default(0),
    'max-concurrent': positiveNumber.default(2),
    'max-text-length': positiveNumber.default(5000),
    stall: z.boolean().default(false),
    quiet: z.boolean().default(false),
  })
  .strict();

function parseCommandLine(argv: string[]): z.infer<typeof argsSchema> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      key: { type: 'string' },
      'first-byte-delay-ms': { type: 'string' },
      'speed-factor': { type: 'string' },
      'chunk-ms': { type: 'string' },
      'character-limit': { type: 'string' },
      'character-count': { type: 'string' },
      'max-concurrent': { type: 'string' },
      'max-text-length': { type: 'string' },
      stall: { type: 'boolean' },
      quiet: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  return argsSchema.parse(values);
}

/** One line per request (debug) and per event on the console, stamped since start. */
function consoleLogger(stamp: () => string, showDebug: boolean): Logger {
  function line(level: string, message: string, fields?: LogFields): void {
    const timing = fields?.performance_data;
    const suffix = timing ? ` ${JSON.stringify(timing)}` : '';
    const output = level === 'warn' || level === 'error' ? console.error : console.log;
    output(`${stamp()} ${level === 'debug' ? '' : `${level}: `}${message}${suffix}`);
  }
  const logger: Logger = {
    debug: (message, fields) => {
      if (showDebug) line('debug', message, fields);
    },
    info: (message, fields) => {
      line('info', message, fields);
    },
    warn: (message, fields) => {
      line('warn', message, fields);
    },
    error: (message, fields) => {
      line('error', message, fields);
    },
    perf: () => undefined,
    child: () => logger,
  };
  return logger;
}

async function main(): Promise<void> {
  const args = parseArgumentsOrReport(() => parseCommandLine(process.argv.slice(2)), usage);
  if (!args) return;
  const startedAtMs = Date.now();
  const stamp = (): string => `[${((Date.now() - startedAtMs) / 1000).toFixed(1)}s]`;
  const server = await startElevenLabsReference({
    port: args.port,
    host: args.host,
    apiKey: args.key,
    firstByteDelayMs: args['first-byte-delay-ms'],
    speedFactor: args['speed-factor'],
    chunkMs: args['chunk-ms'],
    characterLimit: args['character-limit'],
    characterCount: args['character-count'],
    maxConcurrentRequests: args['max-concurrent'],
    maxTextLength: args['max-text-length'],
    warmUp: true,
    logger: consoleLogger(stamp, !args.quiet),
  });
  server.stallAfterFirstChunk(args.stall);
  console.log(`ElevenLabs reference server on ${server.url}`);
  console.log(`  API key (xi-api-key): ${args.key}`);
  for (const voice of server.voices) {
    console.log(
      `  voice ${voice.voiceId} ${voice.name} (espeak ${voice.espeak.voice}, pitch ${voice.espeak.pitch}, ${voice.espeak.rateWpm} wpm)`,
    );
  }
  console.log(
    `  try: curl -N -H 'xi-api-key: ${args.key}' -H 'content-type: application/json' ` +
      `-d '{"text":"Hello there."}' '${server.url}/v1/text-to-speech/${server.voices[0]?.voiceId ?? ''}/stream/with-timestamps?output_format=pcm_16000'`,
  );
  console.log('  Ctrl-C to stop');

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${stamp()} stopping`);
    server.close().then(
      () => {
        const synthesis = server.synthesisRequests().length;
        console.log(
          `${stamp()} stopped: ${server.requests.length} requests (${synthesis} synthesis), ` +
            `${server.connections()} connections, ${server.characterCount()} characters used`,
        );
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
