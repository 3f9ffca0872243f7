import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readConfigText, type ConfigSettings } from './config-file.ts';

/**
 * The options every form of the command line takes, wherever they stand: `--config FILE` (the
 * predecessor's settings file) and `-v` / `--verbose` (the predecessor's rapido_main.py:2134,
 * `parser.add_argument("--verbose", "-v", ...)`). They are taken out before the verb reads its
 * own arguments.
 */
export interface GlobalOptions {
  config: string | null;
  verbose: boolean;
  rest: string[];
}

export function splitGlobalOptions(argv: readonly string[]): GlobalOptions | { error: string } {
  const rest: string[] = [];
  let config: string | null = null;
  let verbose = false;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--') {
      rest.push(...argv.slice(index));
      break;
    }
    if (arg === '-v' || arg === '--verbose') verbose = true;
    else if (arg === '--config') {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith('-')) return { error: '--config needs a FILE' };
      config = value;
      index += 1;
    } else if (arg.startsWith('--config=')) {
      config = arg.slice('--config='.length);
      if (config.length === 0) return { error: '--config needs a FILE' };
    } else rest.push(arg);
  }
  return { config, verbose, rest };
}

/**
 * Reads the settings file and puts its values into the environment (the file wins, as in the
 * predecessor); warnings go to `warn`. An unreadable or invalid file is bad input.
 */
export async function applyConfigFile(
  path: string,
  env: NodeJS.ProcessEnv,
  warn: (line: string) => void,
): Promise<{ ok: true; settings: ConfigSettings } | { ok: false; message: string }> {
  let text: string;
  try {
    text = await readFile(resolve(path), 'utf8');
  } catch (error) {
    const code =
      typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    return { ok: false, message: `--config ${path}: cannot read it${code ? ` (${code})` : ''}` };
  }
  const read = readConfigText(text, path);
  if (!read.ok) return read;
  for (const [name, value] of Object.entries(read.value.environment)) env[name] = value;
  for (const line of read.value.warnings) warn(line);
  return { ok: true, settings: read.value };
}
