/**
 * Renders the local avatar's contact sheet in headless Chromium and writes it as a PNG, with the
 * measured draw time per frame. Usage: npx tsx scripts/preview-avatar.ts [out.png]
 * (default /tmp/avatar-preview.png; CHROMIUM_PATH overrides /usr/bin/chromium).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { z } from 'zod';
import { chromiumFlags } from '../src/main/hosts/headless/chromium.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(repoRoot, 'src/renderer/engine/local-avatar/avatar-contact-sheet.ts');
const outPath = resolve(process.argv[2] ?? '/tmp/avatar-preview.png');
const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const resultSchema = z.object({
  pngBase64: z.string().min(1),
  timing: z.object({
    frameCount: z.number(),
    drawCallsMedianMs: z.number(),
    drawAndRasteriseMedianMs: z.number(),
    drawAndRasteriseMeanMs: z.number(),
    drawAndRasteriseP95Ms: z.number(),
    drawAndUploadMedianMs: z.number().nullable(),
  }),
  mouthInterior: z.array(
    z.object({
      mouthOpenness: z.number(),
      minimumPixels: z.number(),
      maximumPixels: z.number(),
      pixelsOutsideRect: z.number(),
    }),
  ),
});

type MouthInterior = z.infer<typeof resultSchema>['mouthInterior'];

/** What the recorded-video tests will rely on; a failure here means they would be unreliable. */
function mouthProblems(samples: MouthInterior): string[] {
  const problems: string[] = [];
  samples.forEach((sample, index) => {
    if (sample.mouthOpenness === 0 && sample.maximumPixels > 0) {
      problems.push(`closed mouth shows ${sample.maximumPixels} interior pixels`);
    }
    if (sample.mouthOpenness >= 0.25 && sample.minimumPixels < 50) {
      problems.push(`openness ${sample.mouthOpenness} shows only ${sample.minimumPixels} pixels`);
    }
    const previous = samples[index - 1];
    if (previous !== undefined && sample.minimumPixels <= previous.maximumPixels) {
      problems.push(
        `interior does not grow from ${previous.mouthOpenness} to ${sample.mouthOpenness}`,
      );
    }
  });
  return problems;
}

function bundle(): string {
  // One IIFE exposing the module's exports as a global, so the page needs no server.
  return execFileSync(
    join(repoRoot, 'node_modules/.bin/esbuild'),
    [entry, '--bundle', '--format=iife', '--global-name=rapidoAvatarPreview', '--target=chrome120'],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
}

// Runs in the page, where the bundle defined `rapidoAvatarPreview`.
const pageScript = `(async () => {
  const sheet = await rapidoAvatarPreview.renderAvatarContactSheet();
  const bytes = new Uint8Array(await sheet.png.arrayBuffer());
  let binary = '';
  for (let index = 0; index < bytes.length; index += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  }
  return { pngBase64: btoa(binary), timing: sheet.timing, mouthInterior: sheet.mouthInterior };
})()`;

async function main(): Promise<void> {
  const script = bundle();
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: chromiumFlags,
  });
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ content: script });
    const result = resultSchema.parse(await page.evaluate(pageScript));
    if (pageErrors.length > 0) throw new Error(`page errors: ${pageErrors.join('; ')}`);
    writeFileSync(outPath, Buffer.from(result.pngBase64, 'base64'));
    const { timing } = result;
    for (const sample of result.mouthInterior) {
      console.log(
        `mouth ${sample.mouthOpenness.toFixed(2)}: ${sample.minimumPixels}-${sample.maximumPixels} ` +
          `interior px in rect, ${sample.pixelsOutsideRect} outside`,
      );
    }
    const ms = (value: number | null): string =>
      value === null ? 'n/a' : `${value.toFixed(2)} ms`;
    console.log(`wrote ${outPath}`);
    console.log(
      `512x512, ${timing.frameCount} frames: draw calls ${ms(timing.drawCallsMedianMs)}, ` +
        `draw+rasterise median ${ms(timing.drawAndRasteriseMedianMs)} ` +
        `(mean ${ms(timing.drawAndRasteriseMeanMs)}, p95 ${ms(timing.drawAndRasteriseP95Ms)}), ` +
        `draw+WebGL upload median ${ms(timing.drawAndUploadMedianMs)}`,
    );
    const problems = mouthProblems(result.mouthInterior);
    if (problems.length > 0) {
      console.error(`mouth check failed:\n  ${problems.join('\n  ')}`);
      process.exitCode = 1;
    }
  } finally {
    await browser.close();
  }
}

await main();
