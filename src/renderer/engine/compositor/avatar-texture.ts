import { isRgbPixels, type AvatarFrame } from './compositor-types.ts';

/**
 * The avatar texture's storage: its size and format (RGBA from canvases and images, RGB from
 * SyncTalk frames), so a frame of the same kind updates it in place instead of reallocating.
 */
export class AvatarTextureStorage {
  private width = 0;
  private height = 0;
  private format: 'rgb' | 'rgba' | null = null;

  /** A new context: the texture has no storage yet. */
  reset(): void {
    this.width = 0;
    this.height = 0;
    this.format = null;
  }

  /** Uploads into the bound avatar texture; reallocates only when the frame size changes. */
  upload(gl: WebGL2RenderingContext, avatar: AvatarFrame): void {
    // The key needs straight (not premultiplied) colour, exactly as decoded.
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_COLORSPACE_CONVERSION_WEBGL, gl.NONE);
    const { source, width, height } = avatar;
    if (isRgbPixels(source)) {
      if (source.rgb.byteLength !== width * height * 3) {
        throw new RangeError(
          `an RGB avatar frame of ${width}x${height} needs ${width * height * 3} bytes, got ${source.rgb.byteLength}`,
        );
      }
      // RGB rows of odd widths are not 4-byte aligned.
      gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
      const sameStorage = width === this.width && height === this.height && this.format === 'rgb';
      if (sameStorage) {
        gl.texSubImage2D(
          gl.TEXTURE_2D,
          0,
          0,
          0,
          width,
          height,
          gl.RGB,
          gl.UNSIGNED_BYTE,
          source.rgb,
        );
      } else {
        gl.texImage2D(
          gl.TEXTURE_2D,
          0,
          gl.RGB8,
          width,
          height,
          0,
          gl.RGB,
          gl.UNSIGNED_BYTE,
          source.rgb,
        );
      }
      gl.pixelStorei(gl.UNPACK_ALIGNMENT, 4);
      this.format = 'rgb';
    } else {
      const sameStorage = width === this.width && height === this.height && this.format === 'rgba';
      if (sameStorage) {
        gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, source);
      } else {
        gl.texImage2D(
          gl.TEXTURE_2D,
          0,
          gl.RGBA8,
          width,
          height,
          0,
          gl.RGBA,
          gl.UNSIGNED_BYTE,
          source,
        );
      }
      this.format = 'rgba';
    }
    this.width = width;
    this.height = height;
  }
}
