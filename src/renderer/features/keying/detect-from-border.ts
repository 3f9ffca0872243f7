import { detectKeyColor } from '../../../shared/keying/detect-key-color.ts';
import type { ProgramEngine } from '../../engine/program-engine.ts';
import { setKeyColor } from './keying-fields.tsx';

export type KeyingStatus = { kind: 'info' | 'problem'; message: string; hint?: string };

/**
 * Detect from border, on the avatar frame as it arrives (before keying): the SyncTalk image on
 * air, else the local avatar. Shared by the keying panel and the notice that says SyncTalk
 * frames came without the key colour. Sets the key colour (an undoable edit) when one is found.
 */
export function detectKeyFromBorder(
  engine: ProgramEngine,
  fallback: ImageData | null = null,
): KeyingStatus {
  const image = engine.avatarFrameImage() ?? fallback;
  if (!image) return { kind: 'problem', message: 'There is no avatar frame yet.' };
  const result = detectKeyColor(image);
  if (!result.ok) {
    return {
      kind: 'problem',
      message: result.error.message,
      ...(result.error.hint ? { hint: result.error.hint } : {}),
    };
  }
  const { keyColor: detected, coverage } = result.value;
  setKeyColor('Detect key colour', detected);
  return {
    kind: 'info',
    message: `Detected ${detected} (${Math.round(coverage * 100)} % of the border).`,
  };
}
