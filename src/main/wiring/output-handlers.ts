import { ok } from '../../shared/result.ts';
import type { ExportSink } from '../services/export/export-sink.ts';
import type { RecordingSink } from '../services/recording/recording-sink.ts';
import { chooseFolderWith, type HostAbilities, type InvokeHandlersOf } from './host-abilities.ts';

/** The `recording:*` and `export:*` channels: the files the program's outputs write. */
export function createOutputHandlers(
  recordings: RecordingSink,
  exports: ExportSink,
  abilities: HostAbilities,
): InvokeHandlersOf<'recording' | 'export'> {
  return {
    'recording:start': (request) => recordings.start(request),
    'recording:append': ({ recordingId, chunk }) => recordings.append(recordingId, chunk),
    'recording:finish': ({ recordingId, captionsVtt }) =>
      recordings.finish(recordingId, captionsVtt),
    'recording:choose-folder': () => chooseFolderWith(abilities, 'Choose the recording folder'),
    'export:start': (request) => exports.start(request),
    'export:write': async ({ exportId, position, chunk }) => {
      const written = await exports.write(exportId, position, chunk);
      return written.ok ? ok({ bytesWritten: written.value }) : written;
    },
    'export:finish': ({ exportId, chapters, durationMs, captionsVtt }) =>
      exports.finish(exportId, { chapters, durationMs, captionsVtt }),
    'export:cancel': async ({ exportId }) => {
      await exports.cancel(exportId);
      return ok({});
    },
  };
}
