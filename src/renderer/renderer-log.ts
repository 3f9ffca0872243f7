import { rapido } from './bridge/rapido.ts';

/** Renderer errors are forwarded to the main log (Signal's global_errors idea). */
export function installGlobalErrorForwarding(): void {
  window.addEventListener('error', (event) => {
    rapido.log.write({
      level: 'error',
      logger: 'window',
      message: `${event.message} at ${event.filename}:${event.lineno}:${event.colno}`,
      lessonId: null,
      eventType: 'renderer_error',
    });
  });
  window.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
    const reason: unknown = event.reason;
    rapido.log.write({
      level: 'error',
      logger: 'window',
      message: `unhandled rejection: ${reason instanceof Error ? `${reason.message}\n${reason.stack ?? ''}` : String(reason)}`,
      lessonId: null,
      eventType: 'renderer_error',
    });
  });
}
