import { describe, expect, test } from 'vitest';
import { checkLessonPath, extensionOf, imageTypeFromPath, sniffImageType } from './lesson-paths.ts';

function ascii(text: string, padTo = 0): Uint8Array {
  const bytes = new Uint8Array(Math.max(text.length, padTo));
  for (let index = 0; index < text.length; index += 1) bytes[index] = text.charCodeAt(index);
  return bytes;
}

describe('checkLessonPath', () => {
  test.each([
    ['slides/01.png', 'slides/01.png'],
    ['./slides/01.png', 'slides/01.png'],
    ['slides\\01.png', 'slides/01.png'],
    ['slides//a/../01.png', 'slides/01.png'],
    ['01.png', '01.png'],
  ])('accepts %s as %s', (input, normalised) => {
    expect(checkLessonPath(input)).toEqual({ ok: true, path: normalised });
  });

  test.each([
    ['../x.png', 'escapes'],
    ['slides/../../x.png', 'escapes'],
    ['..\\x.png', 'escapes'],
    ['/etc/passwd', 'absolute'],
    ['\\\\server\\share\\x.png', 'absolute'],
    ['C:\\slides\\x.png', 'absolute'],
    ['c:x.png', 'absolute'],
    ['file:///etc/x.png', 'absolute'],
    ['https://example.com/x.png', 'absolute'],
    ['', 'empty'],
    ['   ', 'empty'],
    ['slides/..', 'empty'],
    ['a\0.png', 'invalid'],
  ])('rejects %j (%s)', (input, problem) => {
    const checked = checkLessonPath(input);
    expect(checked).toMatchObject({ ok: false, problem });
  });

  test('names the path in the escape message', () => {
    expect(checkLessonPath('../x.png')).toMatchObject({
      message: 'path escapes the lesson folder: ../x.png',
    });
  });
});

describe('image types', () => {
  test('by extension, case-insensitively', () => {
    expect(imageTypeFromPath('a/B.PNG')?.mimeType).toBe('image/png');
    expect(imageTypeFromPath('x.jpg')?.kind).toBe('jpeg');
    expect(imageTypeFromPath('x.jpeg')?.kind).toBe('jpeg');
    expect(imageTypeFromPath('x.svg')?.mimeType).toBe('image/svg+xml');
    expect(imageTypeFromPath('x.tiff')).toBeNull();
    expect(imageTypeFromPath('png')).toBeNull();
    expect(extensionOf('.hidden')).toBe('');
    expect(extensionOf('dir.d/file')).toBe('');
  });

  test('by content', () => {
    expect(
      sniffImageType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))?.kind,
    ).toBe('png');
    expect(sniffImageType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))?.kind).toBe('jpeg');
    expect(sniffImageType(ascii('GIF89a'))?.kind).toBe('gif');
    expect(sniffImageType(ascii('RIFF\0\0\0\0WEBPVP8 '))?.kind).toBe('webp');
    expect(sniffImageType(ascii('BM', 14))?.kind).toBe('bmp');
    expect(sniffImageType(ascii('\0\0\0\x1cftypavif\0\0\0\0mif1miaf'))?.kind).toBe('avif');
    expect(sniffImageType(ascii('\0\0\0\x20ftypmif1\0\0\0\0mif1avifmiaf'))?.kind).toBe('avif');
    expect(sniffImageType(ascii('\0\0\0\x18ftypmp42\0\0\0\0isommp42'))).toBeNull();
    expect(sniffImageType(ascii('<?xml version="1.0"?>\n<!-- c -->\n<svg xmlns="x">'))?.kind).toBe(
      'svg',
    );
    expect(sniffImageType(ascii('BMP is a format'))).toBeNull();
    expect(sniffImageType(ascii('hello'))).toBeNull();
    expect(sniffImageType(new Uint8Array(0))).toBeNull();
  });
});
