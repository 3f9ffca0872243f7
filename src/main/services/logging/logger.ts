import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import log from 'electron-log/node';

/**
 * The predecessor's logging contract, kept: JSON lines in rapido_YYYY-MM-DD.jsonl and
 * rapido_performance_YYYY-MM-DD.jsonl, each pipeline line carrying lesson_id, event_type and
 * event_source. electron-log/node is used (not /main) so services run under plain Node.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type EventSource = 'backend' | 'frontend';

export interface LogFields {
  lesson_id?: string;
  event_type?: string;
  event_source?: EventSource;
  performance_data?: Record<string, number | string | boolean | null>;
  error?: unknown;
  [key: string]: unknown;
}

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Performance figures go to the performance file (FPS, chunk timings). */
  perf(message: string, fields: LogFields): void;
  /** A logger for a subsystem, its context bound once. */
  child(name: string, bindings?: LogFields): Logger;
}

export interface LoggingOptions {
  directory: string;
  level: LogLevel;
  /** Mirror to the console (the CLI turns this off so progress output stays readable). */
  console: boolean;
  /** Values that must never be written (API keys, tokens); replaced by [redacted]. */
  secrets?: () => readonly string[];
}

const levelOrder: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function logFileName(kind: 'main' | 'performance', date: Date): string {
  const day = date.toISOString().slice(0, 10);
  return kind === 'main' ? `rapido_${day}.jsonl` : `rapido_performance_${day}.jsonl`;
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}

function serialiseError(error: unknown): unknown {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack };
  }
  return error;
}

interface Sink {
  write(kind: 'main' | 'performance', line: string): void;
}

function createElectronLogSink(options: LoggingOptions): Sink {
  mkdirSync(options.directory, { recursive: true });
  const make = (kind: 'main' | 'performance') => {
    const instance = log.create({ logId: `rapido-${kind}-${options.directory}` });
    instance.transports.console.level = false;
    instance.transports.file.level = 'silly';
    // Files roll by date in their name; size rotation would split a day's JSON lines.
    instance.transports.file.maxSize = 0;
    instance.transports.file.resolvePathFn = () =>
      join(options.directory, logFileName(kind, new Date()));
    // The line is already JSON; electron-log's text formatting would wrap it.
    instance.transports.file.transforms = [({ data }) => String(data[0])];
    return instance;
  };
  const main = make('main');
  const performance = make('performance');
  return {
    write(kind, line) {
      (kind === 'main' ? main : performance).info(line);
    },
  };
}

export function createLogger(options: LoggingOptions, name = 'rapido'): Logger {
  return buildLogger(createElectronLogSink(options), options, name, {});
}

function buildLogger(sink: Sink, options: LoggingOptions, name: string, bound: LogFields): Logger {
  const emit = (
    kind: 'main' | 'performance',
    level: LogLevel,
    message: string,
    fields?: LogFields,
  ) => {
    if (kind === 'main' && levelOrder[level] < levelOrder[options.level]) return;
    const merged: LogFields = { event_source: 'backend', ...bound, ...fields };
    const { error, ...rest } = merged;
    const record = {
      timestamp: new Date().toISOString(),
      level: level.toUpperCase(),
      logger: name,
      message,
      lesson_id: merged.lesson_id ?? null,
      event_type: merged.event_type ?? null,
      ...rest,
      ...(error === undefined ? {} : { error: serialiseError(error) }),
    };
    const line = redact(JSON.stringify(record), options.secrets?.() ?? []);
    sink.write(kind, line);
    if (options.console && kind === 'main') {
      const stream = levelOrder[level] >= levelOrder.warn ? process.stderr : process.stdout;
      stream.write(`${record.level} ${name}: ${redact(message, options.secrets?.() ?? [])}\n`);
    }
  };
  return {
    debug: (m, f) => emit('main', 'debug', m, f),
    info: (m, f) => emit('main', 'info', m, f),
    warn: (m, f) => emit('main', 'warn', m, f),
    error: (m, f) => emit('main', 'error', m, f),
    perf: (m, f) => emit('performance', 'info', m, f),
    child: (childName, bindings) =>
      buildLogger(sink, options, `${name}.${childName}`, { ...bound, ...bindings }),
  };
}

/** A logger that keeps lines in memory: for tests that assert on what was logged. */
export function createMemoryLogger(
  level: LogLevel = 'debug',
): Logger & { lines: { kind: string; record: Record<string, unknown> }[] } {
  const lines: { kind: string; record: Record<string, unknown> }[] = [];
  const sink: Sink = {
    write(kind, line) {
      lines.push({ kind, record: JSON.parse(line) as Record<string, unknown> });
    },
  };
  return Object.assign(buildLogger(sink, { directory: '', level, console: false }, 'rapido', {}), {
    lines,
  });
}
