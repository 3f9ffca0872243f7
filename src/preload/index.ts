import { contextBridge, ipcRenderer } from 'electron';
import { createRapidoApi, type RapidoTransport } from '../shared/ipc/rapido-api.ts';
import { isEventChannel, isInvokeChannel, isSendChannel } from '../shared/ipc/contract.ts';

/**
 * The only place that touches ipcRenderer. It exposes one narrow, domain-shaped window.rapido
 * (never a generic invoke), and only channels that are in the contract.
 */
const transport: RapidoTransport = {
  invoke(channel, payload) {
    if (!isInvokeChannel(channel)) return Promise.reject(new Error(`unknown channel ${channel}`));
    return ipcRenderer.invoke(channel, payload);
  },
  send(channel, payload) {
    if (isSendChannel(channel)) ipcRenderer.send(channel, payload);
  },
  on(channel, listener) {
    if (!isEventChannel(channel)) return () => undefined;
    const wrapped = (_event: Electron.IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => ipcRenderer.removeListener(channel, wrapped);
  },
};

contextBridge.exposeInMainWorld('rapido', createRapidoApi(transport));
