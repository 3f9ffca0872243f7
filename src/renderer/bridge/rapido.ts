import { createRapidoApi, type RapidoApi } from '../../shared/ipc/rapido-api.ts';
import { createHeadlessTransport } from './headless-transport.ts';

declare global {
  interface Window {
    /** Exposed by the preload in the desktop app. */
    rapido?: RapidoApi;
  }
}

/**
 * The renderer's one way to the main process. In Electron the preload exposes window.rapido;
 * in the headless host the same API is built over the host's WebSocket.
 */
export const rapido: RapidoApi =
  window.rapido ?? createRapidoApi(createHeadlessTransport(window.location));
