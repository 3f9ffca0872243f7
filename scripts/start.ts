import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * `npm start`: builds, then opens the desktop app on the sample lesson. Where no Electron binary
 * could be installed (no access to its download, as on CI machines), it opens the same renderer
 * and services in system Chromium through the headless host instead, so the app still opens.
 */
function electronBinary(): string | null {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const args = process.argv.slice(2);
const electron = electronBinary();
if (electron) {
  const child = spawn(electron, ['.', ...args], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  const hasDisplay = Boolean(process.env.DISPLAY ?? process.env.WAYLAND_DISPLAY);
  process.stdout.write(
    `No Electron binary is installed here; opening Rapido in Chromium through the headless host${hasDisplay ? '' : ' (no display: open the URL below in a browser)'}.\n`,
  );
  const child = spawn(
    'npx',
    ['tsx', 'src/main/hosts/cli/rapido.ts', 'serve', ...args, ...(hasDisplay ? ['--open'] : [])],
    { stdio: 'inherit' },
  );
  child.on('exit', (code) => process.exit(code ?? 0));
}
