import { useAssetUrl } from '../present/use-asset-url.ts';

/** A small picture of the slide; loaded once per image and freed when it changes. */
export function SlideThumbnail({ lessonDir, image }: { lessonDir: string; image: string }) {
  const url = useAssetUrl(lessonDir, image);
  return url ? (
    <img className="slide-thumb" src={url} alt="" loading="lazy" decoding="async" />
  ) : (
    <span className="slide-thumb" aria-hidden="true" />
  );
}
