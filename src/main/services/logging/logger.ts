import { join, parse } from 'node:path';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
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
  /** Rotate a log file past this size (default 10 MB; tests use less). */
  maxFileBytes?: number;
}

const levelOrder: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function logFileName(kind: 'main' | 'performance', date: Date): string {
  const day = date.toISOString().slice(0, 10);
  return kind === 'main' ? `rapido_${day}.jsonl` : `rapido_performance_${day}.jsonl`;
}

/**
 * The forms a secret can take in a log line: as written, JSON-escaped once (a field value in the
 * line) and twice (JSON text inside a field). A secret holding `"` or `\\` differs in each, and
 * redacting only the first let it through.
 */
function secretForms(secret: string): string[] {
  const once = JSON.stringify(secret).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  return [...new Set([twice, once, secret])];
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    // Longest (most escaped) first, so a shorter form never cuts a longer one in half.
    for (const form of secretForms(secret)) out = out.split(form).join('[redacted]');
  }
  return out;
}

/**
 * Text safe to print on a terminal: control characters (escape sequences that move the cursor,
 * retitle the window or fake a line) and bidirectional overrides are shown as escapes.
 */
export function printable(text: string): string {
  let out = '';
  let runStart = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (!isTerminalControl(code)) continue;
    out += `${text.slice(runStart, index)}\\u${code.toString(16).padStart(4, '0')}`;
    runStart = index + 1;
  }
  return out + text.slice(runStart);
}

function isTerminalControl(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/** A day's log file is rotated past this size; a flood cannot fill the disk. */
export const defaultMaxLogFileBytes = 10 * 1024 * 1024;
/** Rotated files kept per log file (name.1.jsonl is the newest). */
export const rotatedLogFiles = 3;

/** name.jsonl -> name.1.jsonl -> … -> name.N.jsonl; the oldest is dropped. */
export function rotateLogFile(path: string, keep: number = rotatedLogFiles): void {
  const { dir, name, ext } = parse(path);
  const numbered = (index: number) => join(dir, `${name}.${index}${ext}`);
  rmSync(numbered(keep), { force: true });
  for (let index = keep - 1; index >= 1; index -= 1) {
    if (existsSync(numbered(index))) renameSync(numbered(index), numbered(index + 1));
  }
  renameSync(path, numbered(1));
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
    // Files roll by date in their name, and by size within a day: a page or a loop logging at
    // full speed wrote 20 MB in 3.5 s. electron-log checks the size before each write, so a
    // rotation never splits a JSON line.
    instance.transports.file.maxSize = options.maxFileBytes ?? defaultMaxLogFileBytes;
    instance.transports.file.archiveLogFn = (file) => {
      try {
        rotateLogFile(file.path);
      } catch {
        // Could not rename (another process holds it on Windows): start the file afresh rather
        // than let it grow without bound.
        file.clear();
      }
    };
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
      // The message and the logger name can come from the page: never raw to a terminal.
      const text = redact(`${record.level} ${name}: ${message}`, options.secrets?.() ?? []);
      stream.write(`${printable(text)}\n`);
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
