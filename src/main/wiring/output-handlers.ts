import { ok, type Result } from '../../shared/result.ts';
import type { ExportSink } from '../services/export/export-sink.ts';
import type { OutputDestinations } from '../services/outputs/output-destinations.ts';
import type { RecordingSink } from '../services/recording/recording-sink.ts';
import type { HostAbilities, InvokeHandlersOf } from './host-abilities.ts';
import { notAvailable } from './host-abilities.ts';

/**
 * Where an output request goes, decided here: the path behind its destination id (taken, so an
 * id writes one file), else a new file in the recordings folder. The request itself names no
 * path (the contract refuses `outPath` and `directory` keys).
 */
function targetFor(
  destinations: OutputDestinations,
  request: { destinationId?: string | undefined },
): Result<{ outPath: string } | { directory: string }> {
  if (request.destinationId === undefined) return ok({ directory: destinations.folder() });
  const path = destinations.take(request.destinationId);
  return path.ok ? ok({ outPath: path.value }) : path;
}

/** A finished file is one the page may later ask main to show (shell:show-file). */
function noted<T extends { path: string }>(
  destinations: OutputDestinations,
  finished: Result<T>,
): Result<T> {
  if (finished.ok) destinations.noteWritten(finished.value.path);
  return finished;
}

/** The `recording:*` and `export:*` channels: the files the program's outputs write. */
export function createOutputHandlers(options: {
  recordings: RecordingSink;
  exports: ExportSink;
  destinations: OutputDestinations;
  abilities: HostAbilities;
}): InvokeHandlersOf<'recording' | 'export'> {
  const { recordings, exports, destinations, abilities } = options;
  return {
    'recording:start': ({ destinationId, ...request }) => {
      const target = targetFor(destinations, { destinationId });
      if (!target.ok) return Promise.resolve(target);
      return recordings.start({ ...request, ...target.value });
    },
    'recording:append': ({ recordingId, chunk }) => recordings.append(recordingId, chunk),
    'recording:finish': async ({ recordingId, captionsVtt }) =>
      noted(destinations, await recordings.finish(recordingId, captionsVtt)),
    'recording:choose-folder': async () => {
      // The folder is chosen in main's own dialog and kept in main: the page only sees its name.
      if (!abilities.chooseFolder) return notAvailable(abilities.host, 'A folder picker');
      const dir = await abilities.chooseFolder('Choose the recording folder');
      if (dir === null) return ok({ dir: null });
      const chosen = await destinations.setFolder(dir);
      if (!chosen.ok) return chosen;
      await exports.cleanStaleParts(chosen.value);
      return ok({ dir: chosen.value });
    },
    'export:start': ({ destinationId, ...request }) => {
      const target = targetFor(destinations, { destinationId });
      if (!target.ok) return Promise.resolve(target);
      return exports.start({ ...request, ...target.value });
    },
    'export:write': async ({ exportId, position, chunk }) => {
      const written = await exports.write(exportId, position, chunk);
      return written.ok ? ok({ bytesWritten: written.value }) : written;
    },
    'export:finish': async ({ exportId, chapters, durationMs, captionsVtt }) =>
      noted(destinations, await exports.finish(exportId, { chapters, durationMs, captionsVtt })),
    'export:cancel': async ({ exportId }) => {
      await exports.cancel(exportId);
      return ok({});
    },
  };
}
