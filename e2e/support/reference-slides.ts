import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';

const run = promisify(execFile);

/** PNG bytes → packed RGB24 at the given size, decoded by ffmpeg. */
export async function pngToRgb(png: Buffer, width: number, height: number): Promise<Uint8Array> {
  const child = execFile(
    'ffmpeg',
    [
      '-v',
      'error',
      '-f',
      'png_pipe',
      '-i',
      '-',
      '-vf',
      `scale=${width}:${height}`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    {
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}`)),
    );
  });
  child.stdin?.end(png);
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * What a slide should look like at the output size, drawn by Chromium itself from the lesson's
 * image (letterboxed on black like the compositor), to compare recorded frames against.
 */
export async function renderReferenceSlide(
  page: Page,
  lessonDir: string,
  image: string,
  width: number,
  height: number,
): Promise<Uint8Array> {
  const bytes = await readFile(join(lessonDir, image));
  const mime = image.endsWith('.svg')
    ? 'image/svg+xml'
    : image.endsWith('.png')
      ? 'image/png'
      : 'image/jpeg';
  await page.setViewportSize({ width, height });
  await page.setContent(
    `<body style="margin:0;background:#000;width:${width}px;height:${height}px;display:flex;align-items:center;justify-content:center">` +
      `<img style="max-width:100%;max-height:100%" src="data:${mime};base64,${bytes.toString('base64')}"></body>`,
  );
  await page.waitForFunction('document.images.length === 1 && document.images[0].complete');
  return pngToRgb(await page.screenshot(), width, height);
}

export { run as execFileAsync };
