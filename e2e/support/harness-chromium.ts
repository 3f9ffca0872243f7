/**
 * System Chromium and the flags that make it behave on the build machines (no GPU: WebGL2 runs in
 * software, SwiftShader). Never download a browser: CHROMIUM_PATH or /usr/bin/chromium.
 */
export const chromiumExecutablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--autoplay-policy=no-user-gesture-required',
];
