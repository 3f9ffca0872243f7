import { chromiumFlags, chromiumPath } from '../../src/main/hosts/headless/chromium.ts';

/**
 * System Chromium and the flags that make it behave on the build machines (no GPU: WebGL2 runs in
 * software, SwiftShader). Never download a browser: CHROMIUM_PATH or /usr/bin/chromium. The same
 * flags as the headless host, so tests see what `npm run render` sees.
 */
export const chromiumExecutablePath = chromiumPath(process.env.CHROMIUM_PATH);

export const chromiumArgs: readonly string[] = chromiumFlags;
