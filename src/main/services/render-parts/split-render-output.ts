import { copyFile, rename, rm } from 'node:fs/promises';
import { err, errorMessage, ok, type Result } from '../../../shared/result.ts';
import { chaptersPathFor, partPathFor } from '../export/export-sink.ts';
import { copyMp4Chapters } from '../export/mp4-chapters.ts';
import { captionsPathFor } from '../recording/recording-sink.ts';
import { joinParts, type JoinResult } from './join-parts.ts';

/**
 * The end of a split render: the parts joined into the hidden part file beside the target (the
 * name the export sink uses, so a killed join is cleaned up like a killed export), the audio
 * part's chapters copied in byte for byte, then renamed into place; the whole lesson's captions
 * and chapter list (written beside the audio part by the export sink) beside it.
 */
export async function assembleSplitRender(request: {
  videoParts: readonly string[];
  audioPart: string;
  outPath: string;
  fps: number;
  title: string;
}): Promise<Result<JoinResult & { captionsPath: string; chaptersPath: string }>> {
  const partPath = partPathFor(request.outPath);
  const joined = await joinParts({ ...request, outPath: partPath });
  if (!joined.ok) {
    await rm(partPath, { force: true });
    return joined;
  }
  const chaptered = await copyMp4Chapters(request.audioPart, partPath);
  if (!chaptered.ok) {
    await rm(partPath, { force: true });
    return chaptered;
  }
  const captionsPath = captionsPathFor(request.outPath);
  const chaptersPath = chaptersPathFor(request.outPath);
  try {
    await rename(partPath, request.outPath);
    await copyFile(captionsPathFor(request.audioPart), captionsPath);
    await copyFile(chaptersPathFor(request.audioPart), chaptersPath);
  } catch (error) {
    await rm(partPath, { force: true });
    return err('export-failed', `Cannot move the joined render into place: ${errorMessage(error)}`);
  }
  return ok({ ...joined.value, captionsPath, chaptersPath });
}
