import type { LaunchInfo } from '../../shared/ipc/contract.ts';
import { err, ok } from '../../shared/result.ts';
import type { CallContext, SendHandlers } from '../services/ipc/dispatcher.ts';
import { createLogRateLimiter } from '../services/logging/log-rate-limit.ts';
import type { Logger } from '../services/logging/logger.ts';
import type { OutputDestinations } from '../services/outputs/output-destinations.ts';
import type { ProcessMetricsSampler } from '../services/platform/system/process-metrics.ts';
import {
  notAvailable,
  type AppPaths,
  type HostAbilities,
  type InvokeHandlersOf,
  type SendHandlersOf,
} from './host-abilities.ts';

export type LaunchBase = Omit<
  LaunchInfo,
  'canPickFolders' | 'defaultRecordingDir' | 'host' | 'slideFramesPath' | 'render'
> & {
  /**
   * render mode: `outPath` is the command line's --out, a path main trusts; the page gets only
   * an opaque destination id for it.
   */
  render: (Omit<NonNullable<LaunchInfo['render']>, 'destinationId'> & { outPath: string }) | null;
};

/**
 * The app and window channels: launch info, metrics, the program window's display, showing a
 * file, and the renderer's log lines and render progress.
 */
export function createAppHandlers(options: {
  launch: LaunchBase;
  slideFramesPath: string | undefined;
  paths: AppPaths;
  destinations: OutputDestinations;
  abilities: HostAbilities;
  processMetrics: ProcessMetricsSampler;
  logger: Logger;
  /** Renderer log lines per client: a burst, then a steady rate (defaults suit normal use). */
  rendererLogLimit?: { burst: number; perSecond: number; now?: () => number };
}): {
  invoke: InvokeHandlersOf<'app' | 'program-window' | 'shell'>;
  send: SendHandlersOf<'log' | 'render'>;
} {
  const { abilities, processMetrics, destinations } = options;
  const { render: renderTarget, ...launchBase } = options.launch;
  // Registered once: the render job's page takes the id with its first recording:start.
  const render: LaunchInfo['render'] = renderTarget
    ? {
        destinationId: destinations.register(renderTarget.outPath),
        live: renderTarget.live,
        realtime: renderTarget.realtime,
        preRoll: renderTarget.preRoll,
        part: renderTarget.part ?? null,
      }
    : null;
  const rendererLog = options.logger.child('renderer', { event_source: 'frontend' });
  const rendererLogLimit = createLogRateLimiter(
    options.rendererLogLimit ?? { burst: 500, perSecond: 100 },
  );
  return {
    invoke: {
      'app:get-launch': () =>
        Promise.resolve(
          ok({
            ...launchBase,
            render,
            host: abilities.host,
            // The folder main writes into now (the user's last choice or the default).
            defaultRecordingDir: destinations.folder(),
            canPickFolders: abilities.chooseFolder !== null,
            slideFramesPath: options.slideFramesPath ?? null,
          }),
        ),
      'app:metrics': async () =>
        ok(await (abilities.appMetrics ? abilities.appMetrics() : processMetrics.sample())),
      'program-window:displays': () => {
        const screen = abilities.screenSize ?? { width: 1920, height: 1080 };
        return Promise.resolve(
          ok({
            displays: abilities.displays?.() ?? [
              {
                id: 0,
                label: 'This screen',
                width: screen.width,
                height: screen.height,
                primary: true,
              },
            ],
          }),
        );
      },
      'program-window:place': (placement) => {
        abilities.placeProgramWindow?.(placement);
        return Promise.resolve(ok({}));
      },
      'shell:show-file': async ({ path }) => {
        if (!abilities.showFile) return notAvailable(abilities.host, 'Showing a file');
        // Only a recording or export main wrote: the page may not probe or reveal other files.
        if (!destinations.wasWritten(path)) {
          return err('path-not-chosen', `${path} is not a recording or export Rapido made.`, {
            hint: 'Show files from the recording panel after they are saved.',
          });
        }
        await abilities.showFile(path);
        return ok({});
      },
    },
    send: {
      'log:write': (entry: Parameters<SendHandlers['log:write']>[0], context: CallContext) => {
        const admission = rendererLogLimit.admit(context.clientId);
        if (!admission.admit) {
          if (admission.firstDrop) {
            rendererLog.warn('renderer log lines over the rate limit: dropping them', {
              event_type: 'renderer_log_dropping',
              client: context.clientId,
            });
          }
          return;
        }
        if (admission.droppedBefore > 0) {
          rendererLog.warn(`${admission.droppedBefore} renderer log lines dropped (rate limit)`, {
            event_type: 'renderer_log_dropped',
            client: context.clientId,
            dropped: admission.droppedBefore,
          });
        }
        const fields = {
          event_source: 'frontend' as const,
          client: context.clientId,
          ...(entry.lessonId === null ? {} : { lesson_id: entry.lessonId }),
          ...(entry.eventType === null ? {} : { event_type: entry.eventType }),
          ...(entry.performance === undefined ? {} : { performance_data: entry.performance }),
        };
        const named = rendererLog.child(entry.logger);
        if (entry.performanceLog) named.perf(entry.message, fields);
        else named[entry.level](entry.message, fields);
      },
      'render:progress': (progress) => abilities.onRenderProgress?.(progress),
    },
  };
}
