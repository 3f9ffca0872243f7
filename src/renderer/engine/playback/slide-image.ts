/** A decoded slide ready for the compositor. */
export interface SlideImage {
  source: TexImageSource;
  width: number;
  height: number;
  release(): void;
}

/**
 * Decodes slide bytes from the lesson store. Raster images go through createImageBitmap; SVG
 * (which createImageBitmap cannot take) is drawn at the output's size so it stays sharp.
 */
export async function decodeSlideImage(
  bytes: Uint8Array,
  mimeType: string,
  output: { width: number; height: number },
): Promise<SlideImage> {
  const blob = new Blob([bytes.slice().buffer], { type: mimeType });
  if (mimeType !== 'image/svg+xml') {
    const bitmap = await createImageBitmap(blob);
    return {
      source: bitmap,
      width: bitmap.width,
      height: bitmap.height,
      release: () => bitmap.close(),
    };
  }
  const url = URL.createObjectURL(blob);
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const intrinsicWidth = image.naturalWidth || output.width;
    const intrinsicHeight = image.naturalHeight || output.height;
    const scale = Math.min(output.width / intrinsicWidth, output.height / intrinsicHeight);
    const width = Math.max(1, Math.round(intrinsicWidth * scale));
    const height = Math.max(1, Math.round(intrinsicHeight * scale));
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D context for rasterising the slide');
    context.drawImage(image, 0, 0, width, height);
    const bitmap = canvas.transferToImageBitmap();
    return { source: bitmap, width, height, release: () => bitmap.close() };
  } finally {
    URL.revokeObjectURL(url);
  }
}
