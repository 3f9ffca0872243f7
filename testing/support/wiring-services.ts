import { join, resolve } from 'node:path';
import {
  createDispatcher,
  type CallContext,
  type Dispatcher,
} from '../../src/main/services/ipc/dispatcher.ts';
import {
  invokeChannels,
  type InvokeChannel,
  type InvokeResponse,
} from '../../src/shared/ipc/contract.ts';
import { createMemoryLogger } from '../../src/main/services/logging/logger.ts';
import type { LaunchBase } from '../../src/main/wiring/app-handlers.ts';
import {
  createAppServices,
  type AppServices,
  type HostAbilities,
} from '../../src/main/wiring/app-services.ts';

const repoRoot = resolve(import.meta.dirname, '../..');

/**
 * The app's services over a scratch folder `root` (data, caches and recordings inside it), and
 * the real dispatcher the headless socket and Electron IPC both apply: what the wiring tests
 * call as a page would. A headless host without pickers unless `abilities` says otherwise.
 */
export function startWiredServices(
  root: string,
  options: { launch?: Partial<LaunchBase>; abilities?: Partial<HostAbilities> } = {},
): { services: AppServices; dispatcher: Dispatcher } {
  const logger = createMemoryLogger();
  const services = createAppServices({
    paths: {
      resourcesDir: join(repoRoot, 'resources'),
      cacheDir: join(root, 'data', 'cache'),
      secretsDir: join(root, 'data', 'secrets'),
      configDir: join(root, 'data'),
      defaultRecordingDir: join(root, 'recordings'),
    },
    launch: {
      version: 'test',
      mode: 'interactive',
      lessonDir: null,
      render: null,
      ...options.launch,
    },
    abilities: {
      host: 'headless',
      chooseFolder: null,
      showFile: null,
      emit: () => undefined,
      ...options.abilities,
    },
    logger,
    secretCipher: null,
  });
  const dispatcher = createDispatcher(
    services.invokeHandlers,
    services.sendHandlers,
    logger.child('ipc'),
  );
  return { services, dispatcher };
}

/**
 * Calls a channel through the dispatcher as the page `context` names, and checks the answer
 * against the contract (indexing it by a generic channel widens to every channel's answer;
 * parse checks the one asked for).
 */
export function callerFor(context: CallContext) {
  return async function call<C extends InvokeChannel>(
    dispatcher: Dispatcher,
    channel: C,
    payload: unknown,
  ): Promise<InvokeResponse<C>> {
    const answer: unknown = await dispatcher.invoke(channel, payload, context);
    return invokeChannels[channel].response.parse(answer) as InvokeResponse<C>;
  };
}
