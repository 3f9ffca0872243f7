import type { RapidoApi } from '../../../shared/ipc/rapido-api.ts';
import { ProgramEngine } from '../../engine/program-engine.ts';
import { ExportOutput } from '../../outputs/export/export-output.ts';
import { LiveOutput } from '../../outputs/live/live-output.ts';
import { RecordingOutput } from '../../outputs/recording/recording-output.ts';
import { useAppStore } from '../../store/app-store.ts';

/** The program and its outputs: made once at the app's root, reached with useProgram(). */
export interface Program {
  engine: ProgramEngine;
  live: LiveOutput;
  recording: RecordingOutput;
  exporter: ExportOutput;
}

/**
 * Builds the program and its outputs and connects each to the store: every owner pushes its
 * own part of the snapshot, errors and warnings become notices.
 */
export function createProgram(api: RapidoApi, output: { width: number; height: number }): Program {
  const store = () => useAppStore.getState();
  const engine = new ProgramEngine(
    api,
    {
      onSnapshot: (snapshot) => store().setPlayback(snapshot),
      onError: (error) => store().pushError(error),
      onWarning: (error, action) => store().pushWarning(error, action),
    },
    output,
  );
  const recording = new RecordingOutput(engine, api, {
    onChange: (status) => store().setPlayback(status),
    onError: (error) => store().pushError(error),
    onSaved: (info) => store().setLastSaved(info),
  });
  const live = new LiveOutput(engine, api, {
    onChange: (status) => store().setPlayback({ live: status }),
    onError: (error) => store().pushError(error),
  });
  const exporter = new ExportOutput(
    engine,
    api,
    { onChange: (progress) => store().setPlayback({ exporting: progress }) },
    () => recording.state !== 'idle',
  );
  return { engine, live, recording, exporter };
}

/** Ends every output, then the program (the page is going away). */
export async function disposeProgram(program: Program): Promise<void> {
  program.exporter.dispose();
  await program.live.dispose();
  await program.recording.dispose();
  await program.engine.dispose();
}
