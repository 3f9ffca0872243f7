import { useEffect, useState } from 'react';
import { rapido } from '../../bridge/rapido.ts';

/** A small picture of the slide; loaded once per image and freed when it changes. */
export function SlideThumbnail({ lessonDir, image }: { lessonDir: string; image: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let objectUrl: string | null = null;
    let live = true;
    void rapido.lesson.readAsset(lessonDir, image).then((answer) => {
      if (!live || !answer.ok) return;
      objectUrl = URL.createObjectURL(
        new Blob([answer.value.bytes], { type: answer.value.mimeType }),
      );
      setUrl(objectUrl);
    });
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      setUrl(null);
    };
  }, [lessonDir, image]);
  return url ? (
    <img className="slide-thumb" src={url} alt="" loading="lazy" decoding="async" />
  ) : (
    <span className="slide-thumb" aria-hidden="true" />
  );
}
