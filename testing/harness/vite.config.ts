import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The test and benchmark pages (harness.html: the compositor harness; subscriber.html: the
 * LiveKit viewer), built on their own so the shipped renderer in out/ holds none of them.
 * `npm run build:harness` writes them to .cache/harness, where testing/support/harness-server.ts
 * serves them (keep the two paths in step).
 */
const harnessOutDir = resolve(import.meta.dirname, '..', '..', '.cache', 'harness');

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  // Nothing to copy: the pages load their images from the test servers' mounts.
  publicDir: false,
  build: {
    outDir: harnessOutDir,
    emptyOutDir: true,
    // livekit-client alone is about 0.5 MB; a local test page pays no download for it.
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      input: {
        harness: resolve(import.meta.dirname, 'harness.html'),
        subscriber: resolve(import.meta.dirname, 'subscriber.html'),
        // The predecessor importer's slide drawer beside the DOM it is judged against.
        'predecessor-drawing': resolve(import.meta.dirname, 'predecessor-drawing.html'),
      },
    },
  },
});
