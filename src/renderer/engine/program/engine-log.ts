import type { RapidoApi } from '../../../shared/ipc/rapido-api.ts';

export type EngineLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type EngineLog = (
  level: EngineLogLevel,
  message: string,
  eventType: string,
  performance?: Record<string, number | string | boolean | null>,
) => void;

/** The engine's log lines, to main's log with the lesson on air (read when each line is written). */
export function engineLog(api: Pick<RapidoApi, 'log'>, lessonId: () => string | null): EngineLog {
  return (level, message, eventType, performance) => {
    api.log.write({
      level,
      logger: 'engine',
      message,
      lessonId: lessonId(),
      eventType,
      ...(performance ? { performance } : {}),
    });
  };
}
