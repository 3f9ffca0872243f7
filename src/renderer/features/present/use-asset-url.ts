import { useEffect, useState } from 'react';
import { rapido } from '../../bridge/rapido.ts';

/**
 * A Blob URL for a lesson file (a slide image), read through main; revoked when the file
 * changes or the component goes, so paging through a long lesson holds one image at a time.
 * Null while loading, when there is no file, or when it cannot be read.
 */
export function useAssetUrl(lessonDir: string | null, path: string | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!lessonDir || !path) return;
    let objectUrl: string | null = null;
    let live = true;
    void rapido.lesson.readAsset(lessonDir, path).then((answer) => {
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
  }, [lessonDir, path]);
  return url;
}
