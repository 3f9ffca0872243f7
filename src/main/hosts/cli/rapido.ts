import { usage } from './cli-support.ts';
import { prepare } from './prepare-command.ts';
import { render } from './render-command.ts';
import { serve } from './serve-command.ts';

/**
 * The `rapido` command line: `rapido render`, `rapido prepare`, `rapido serve` (npm scripts
 * `render`, `headless` and `rapido` run it through tsx; so does bin/rapido.mjs).
 */
const verbs: Record<string, (argv: string[]) => Promise<number>> = { render, prepare, serve };

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const verb = command === undefined ? undefined : verbs[command];
  if (!verb) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  process.exit(await verb(rest));
}

void main();
