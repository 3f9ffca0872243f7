import type { HarnessPixels, HarnessSize } from './harness-api.ts';

/** Decoded as stored: no colour management and straight alpha, so tests see the file's values. */
const exactDecode: ImageBitmapOptions = { premultiplyAlpha: 'none', colorSpaceConversion: 'none' };

export function bytesToBase64(bytes: Uint8Array | Uint8ClampedArray): string {
  const chunkLength = 0x8000;
  let binary = '';
  for (let start = 0; start < bytes.length; start += chunkLength) {
    binary += String.fromCharCode(...bytes.subarray(start, start + chunkLength));
  }
  return btoa(binary);
}

export function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** Named decoded images; the registry owns them and closes any it replaces. */
export class ImageRegistry {
  private readonly images = new Map<string, ImageBitmap>();

  get(name: string): ImageBitmap {
    const image = this.images.get(name);
    if (!image) throw new Error(`no image named "${name}" was loaded`);
    return image;
  }

  async load(name: string, url: string): Promise<HarnessSize> {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    const bitmap = await createImageBitmap(await response.blob(), exactDecode);
    return this.put(name, bitmap);
  }

  async fromPixels(name: string, pixels: HarnessPixels): Promise<HarnessSize> {
    const bytes = base64ToBytes(pixels.rgbaBase64);
    const data = new ImageData(new Uint8ClampedArray(bytes.buffer), pixels.width, pixels.height);
    return this.put(name, await createImageBitmap(data, exactDecode));
  }

  async solid(name: string, size: HarnessSize, cssColor: string): Promise<HarnessSize> {
    const canvas = new OffscreenCanvas(size.width, size.height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D context');
    context.fillStyle = cssColor;
    context.fillRect(0, 0, size.width, size.height);
    return this.put(name, await createImageBitmap(canvas, exactDecode));
  }

  read(name: string): HarnessPixels {
    const image = this.get(name);
    const canvas = new OffscreenCanvas(image.width, image.height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('no 2D context');
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, image.width, image.height);
    return { width: image.width, height: image.height, rgbaBase64: bytesToBase64(data.data) };
  }

  private put(name: string, bitmap: ImageBitmap): HarnessSize {
    this.images.get(name)?.close();
    this.images.set(name, bitmap);
    return { width: bitmap.width, height: bitmap.height };
  }
}
