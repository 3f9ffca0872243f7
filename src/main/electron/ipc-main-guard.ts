import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import {
  eventChannels,
  invokeChannels,
  sendChannels,
  type EventChannel,
  type EventPayload,
} from '../../shared/ipc/contract.ts';
import { err } from '../../shared/result.ts';
import type { Dispatcher } from '../services/ipc/dispatcher.ts';
import { isTrustedSender, type SenderPolicy } from '../services/ipc/sender-policy.ts';
import type { Logger } from '../services/logging/logger.ts';

/**
 * The only ipcMain user. Every call is checked for channel (the contract's keys), sender (the
 * app's own top frame) and payload schema (in the dispatcher) before any handler runs.
 */
function senderInfo(event: IpcMainInvokeEvent | IpcMainEvent) {
  const frame = event.senderFrame;
  if (!frame) return null;
  return { url: frame.url, isTopFrame: frame.parent === null };
}

export function registerIpc(
  dispatcher: Dispatcher,
  policy: SenderPolicy,
  logger: Logger,
): () => void {
  for (const channel of Object.keys(invokeChannels)) {
    ipcMain.handle(channel, (event, payload: unknown) => {
      if (!isTrustedSender(senderInfo(event), policy)) {
        logger.warn(`refused ${channel} from an untrusted frame`, { event_type: 'ipc_rejected' });
        return err('invalid-request', 'Refused: the request did not come from Rapido itself.');
      }
      return dispatcher.invoke(channel, payload, {
        transport: 'electron',
        clientId: String(event.sender.id),
      });
    });
  }
  for (const channel of Object.keys(sendChannels)) {
    ipcMain.on(channel, (event, payload: unknown) => {
      if (!isTrustedSender(senderInfo(event), policy)) return;
      dispatcher.send(channel, payload, {
        transport: 'electron',
        clientId: String(event.sender.id),
      });
    });
  }
  return () => {
    for (const channel of Object.keys(invokeChannels)) ipcMain.removeHandler(channel);
    for (const channel of Object.keys(sendChannels)) ipcMain.removeAllListeners(channel);
  };
}

export function emitToRenderer<C extends EventChannel>(
  target: WebContents,
  channel: C,
  payload: EventPayload<C>,
): void {
  target.send(channel, eventChannels[channel].parse(payload));
}
