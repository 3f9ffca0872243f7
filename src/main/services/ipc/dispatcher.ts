import {
  invokeChannels,
  isInvokeChannel,
  isSendChannel,
  sendChannels,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResponse,
  type SendChannel,
  type SendPayload,
} from '../../../shared/ipc/contract.ts';
import { err } from '../../../shared/result.ts';
import type { Logger } from '../logging/logger.ts';

/** Who called: the transport fills this in after its own checks (sender frame, token). */
export interface CallContext {
  transport: 'electron' | 'websocket';
  /** A stable id of the renderer (webContents id or socket id) for per-client state. */
  clientId: string;
}

export type InvokeHandlers = {
  [C in InvokeChannel]: (
    request: InvokeRequest<C>,
    context: CallContext,
  ) => Promise<InvokeResponse<C>>;
};
export type SendHandlers = {
  [C in SendChannel]: (payload: SendPayload<C>, context: CallContext) => void;
};

export interface Dispatcher {
  /** Validates channel and payload, runs the handler, and always answers with a Result. */
  invoke(channel: string, payload: unknown, context: CallContext): Promise<unknown>;
  /** Validates and runs a fire-and-forget message; invalid ones are logged and dropped. */
  send(channel: string, payload: unknown, context: CallContext): void;
}

function summariseIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string[] {
  return issues.map(
    (issue) => `${issue.path.map(String).join('.') || '(payload)'}: ${issue.message}`,
  );
}

export function createDispatcher(
  invokeHandlers: InvokeHandlers,
  sendHandlers: SendHandlers,
  logger: Logger,
): Dispatcher {
  async function runInvoke(
    channel: InvokeChannel,
    payload: unknown,
    context: CallContext,
  ): Promise<unknown> {
    const parsed = invokeChannels[channel].request.safeParse(payload);
    if (!parsed.success) {
      logger.warn(`rejected ${channel}: invalid payload`, { event_type: 'ipc_rejected' });
      return err('invalid-request', `Invalid request on ${channel}`, {
        details: summariseIssues(parsed.error.issues),
      });
    }
    const handler = invokeHandlers[channel] as (
      request: unknown,
      context: CallContext,
    ) => Promise<unknown>;
    try {
      return await handler(parsed.data, context);
    } catch (error) {
      // A throw here is a bug, not an expected failure: log it whole, answer with a value.
      logger.error(`handler for ${channel} threw`, { event_type: 'ipc_handler_bug', error });
      return err('internal', `Rapido hit an internal error handling ${channel}.`, {
        hint: 'The details are in the log file; please report it.',
      });
    }
  }

  return {
    invoke(channel, payload, context) {
      if (!isInvokeChannel(channel)) {
        logger.warn(`rejected unknown invoke channel ${channel.slice(0, 64)}`, {
          event_type: 'ipc_rejected',
        });
        return Promise.resolve(err('invalid-request', `Unknown channel ${channel.slice(0, 64)}`));
      }
      return runInvoke(channel, payload, context);
    },
    send(channel, payload, context) {
      if (!isSendChannel(channel)) {
        logger.warn(`dropped unknown send channel ${channel.slice(0, 64)}`, {
          event_type: 'ipc_rejected',
        });
        return;
      }
      const parsed = sendChannels[channel].safeParse(payload);
      if (!parsed.success) {
        logger.warn(`dropped ${channel}: invalid payload`, { event_type: 'ipc_rejected' });
        return;
      }
      try {
        (sendHandlers[channel] as (p: unknown, c: CallContext) => void)(parsed.data, context);
      } catch (error) {
        logger.error(`send handler for ${channel} threw`, { event_type: 'ipc_handler_bug', error });
      }
    },
  };
}
