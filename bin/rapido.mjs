#!/usr/bin/env node
// The `rapido` command (package.json "bin"): runs the TypeScript entry through tsx, the same
// way the npm scripts do, so there is no separate build of the command line to keep in step.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const tsxCli = join(dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs');
const entry = join(root, 'src', 'main', 'hosts', 'cli', 'rapido.ts');
const run = spawnSync(process.execPath, [tsxCli, entry, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(run.status ?? (run.signal ? 1 : 2));
