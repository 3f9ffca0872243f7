import type { RapidoApi } from '../../shared/ipc/rapido-api.ts';
import type { ProgramEngine } from '../engine/program-engine.ts';

export type OutputLog = (
  level: 'info' | 'warn',
  message: string,
  eventType: string,
  performance?: Record<string, number | string | boolean | null>,
) => void;

/** An output's log lines, each naming the lesson on the program (the pipeline's logs need it). */
export function outputLog(api: RapidoApi, engine: ProgramEngine, logger: string): OutputLog {
  return (level, message, eventType, performance) =>
    api.log.write({
      level,
      logger,
      message,
      lessonId: engine.currentLesson?.id ?? null,
      eventType,
      ...(performance ? { performance } : {}),
    });
}
