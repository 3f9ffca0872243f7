import { api } from './api-command.ts';
import { check } from './check-command.ts';
import { cliSettings, usage } from './cli-support.ts';
import type { ConfigSettings } from './config-file.ts';
import { applyConfigFile, splitGlobalOptions } from './global-options.ts';
import { importCommand } from './import-command.ts';
import { isPredecessorInvocation, predecessorInvocation } from './predecessor-invocation.ts';
import { prepare } from './prepare-command.ts';
import { render } from './render-command.ts';
import { serve } from './serve-command.ts';
import { status } from './status-command.ts';
import { token } from './token-command.ts';
import { worker } from './worker-command.ts';

/**
 * The `rapido` command line: `rapido render|prepare|import|check|status|serve|api|token|worker`, and the
 * predecessor's own `--lesson-id ID --slide-data FILE` / `--status-only` (npm scripts `render`,
 * `headless` and `rapido` run it through tsx; so does bin/rapido.mjs). `--config FILE` and `-v`
 * go with any of them.
 */
const verbs: Record<string, (argv: string[]) => Promise<number>> = {
  render,
  prepare,
  import: importCommand,
  check,
  status,
  serve,
  api,
  token,
  worker,
};

async function main(): Promise<void> {
  const options = splitGlobalOptions(process.argv.slice(2));
  if ('error' in options) {
    process.stderr.write(`rapido: ${options.error}\n${usage}\n`);
    process.exit(2);
  }
  cliSettings.verbose = options.verbose;
  if (options.verbose) process.env.LOG_LEVEL = 'debug';
  let config: ConfigSettings | null = null;
  if (options.config !== null) {
    const applied = await applyConfigFile(options.config, process.env, (line) =>
      process.stderr.write(`rapido: warning: ${line}\n`),
    );
    if (!applied.ok) {
      process.stderr.write(`rapido: ${applied.message}\n`);
      process.exit(2);
    }
    config = applied.settings;
  }
  const [command, ...rest] = options.rest;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  if (isPredecessorInvocation(options.rest)) {
    process.exit(await predecessorInvocation(options.rest, config));
  }
  const verb = command === undefined ? undefined : verbs[command];
  if (!verb) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  process.exit(await verb(rest));
}

void main();
