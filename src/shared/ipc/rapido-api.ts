import {
  eventChannels,
  invokeChannels,
  sendChannels,
  type EventChannel,
  type EventPayload,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResponse,
  type SendChannel,
  type SendPayload,
} from './contract.ts';
import { err } from '../result.ts';

/**
 * How a `window.rapido` reaches the main process: Electron IPC in the preload, a binary
 * WebSocket in the headless host. The API below is the same over both.
 */
export interface RapidoTransport {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  send(channel: string, payload: unknown): void;
  on(channel: string, listener: (payload: unknown) => void): () => void;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createRapidoApi(transport: RapidoTransport) {
  async function call<C extends InvokeChannel>(
    channel: C,
    request: InvokeRequest<C>,
  ): Promise<InvokeResponse<C>> {
    let raw: unknown;
    try {
      raw = await transport.invoke(channel, request);
    } catch (error) {
      return err(
        'internal',
        `Rapido's main process did not answer ${channel}: ${describe(error)}`,
        {
          hint: 'Restart Rapido; if it happens again, send the log file from the logs folder.',
        },
      ) as InvokeResponse<C>;
    }
    const parsed = invokeChannels[channel].response.safeParse(raw);
    if (!parsed.success) {
      return err(
        'internal',
        `Unexpected answer on ${channel}: ${parsed.error.message}`,
      ) as InvokeResponse<C>;
    }
    return parsed.data as InvokeResponse<C>;
  }

  function send<C extends SendChannel>(channel: C, payload: SendPayload<C>): void {
    transport.send(channel, sendChannels[channel].parse(payload));
  }

  function on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void) {
    return transport.on(channel, (raw) => {
      const parsed = eventChannels[channel].safeParse(raw);
      // The schema is the one for `channel`; TypeScript cannot narrow the map's union by key.
      if (parsed.success) listener(parsed.data as EventPayload<C>);
    });
  }

  return {
    app: {
      getLaunch: () => call('app:get-launch', {}),
      metrics: () => call('app:metrics', {}),
      onCommand: (listener: (payload: EventPayload<'app:command'>) => void) =>
        on('app:command', listener),
    },
    programWindow: {
      displays: () => call('program-window:displays', {}),
      place: (request: InvokeRequest<'program-window:place'>) =>
        call('program-window:place', request),
    },
    lesson: {
      open: (dir: string) => call('lesson:open', { dir }),
      openSample: () => call('lesson:open-sample', {}),
      chooseFolder: (title: string) => call('lesson:choose-folder', { title }),
      importImages: (request: InvokeRequest<'lesson:import-images'>) =>
        call('lesson:import-images', request),
      readAsset: (lessonDir: string, path: string) =>
        call('lesson:read-asset', { lessonDir, path }),
      save: (request: InvokeRequest<'lesson:save'>) => call('lesson:save', request),
      writeAsset: (request: InvokeRequest<'lesson:write-asset'>) =>
        call('lesson:write-asset', request),
      recent: () => call('lesson:recent', {}),
      convertPptx: (request: InvokeRequest<'lesson:convert-pptx'>) =>
        call('lesson:convert-pptx', request),
      // The predecessor's data (issue 16): read in main, assets fetched by plan id and key.
      readPredecessor: (request: InvokeRequest<'lesson:read-predecessor'>) =>
        call('lesson:read-predecessor', request),
      fetchPlanAssets: (request: InvokeRequest<'lesson:fetch-plan-assets'>) =>
        call('lesson:fetch-plan-assets', request),
      readPlanAsset: (request: InvokeRequest<'lesson:read-plan-asset'>) =>
        call('lesson:read-plan-asset', request),
      onFetchPlanProgress: (
        listener: (payload: EventPayload<'lesson:fetch-plan-progress'>) => void,
      ) => on('lesson:fetch-plan-progress', listener),
      cancelFetchPlan: (runId: string) => call('lesson:fetch-plan-cancel', { runId }),
    },
    speech: {
      synthesize: (request: InvokeRequest<'speech:synthesize'>) =>
        call('speech:synthesize', request),
      estimate: (request: InvokeRequest<'voice:estimate'>) => call('voice:estimate', request),
      /** The lesson uses ElevenLabs: open its connection now, not at Play. */
      warm: () => send('voice:warm', {}),
    },
    elevenLabs: {
      status: () => call('voice:elevenlabs-status', {}),
      /** The key goes to main once and is never sent back. */
      setKey: (apiKey: string) => call('voice:elevenlabs-set-key', { apiKey }),
      clearKey: () => call('voice:elevenlabs-clear-key', {}),
      voices: () => call('voice:elevenlabs-voices', {}),
      models: () => call('voice:elevenlabs-models', {}),
      quota: () => call('voice:elevenlabs-quota', {}),
    },
    avatar: {
      checkSyncTalk: (avatar: InvokeRequest<'avatar:synctalk-check'>['avatar']) =>
        call('avatar:synctalk-check', { avatar }),
      loadSyncTalk: (request: InvokeRequest<'avatar:synctalk-load'>) =>
        call('avatar:synctalk-load', request),
      onLoadProgress: (listener: (payload: EventPayload<'avatar:load-progress'>) => void) =>
        on('avatar:load-progress', listener),
      segment: (request: InvokeRequest<'avatar:segment'>) => call('avatar:segment', request),
      onSegmentFrame: (listener: (payload: EventPayload<'avatar:segment-frame'>) => void) =>
        on('avatar:segment-frame', listener),
      grantSegmentCredit: (requestId: string, shownIndex: number) =>
        send('avatar:segment-credit', { requestId, shownIndex }),
      cancelSegment: (requestId: string) => send('avatar:segment-cancel', { requestId }),
    },
    live: {
      config: () => call('live:get-config', {}),
      /** The API secret or a pasted token goes to main once and is never sent back. */
      saveConfig: (request: InvokeRequest<'live:save-config'>) => call('live:save-config', request),
      connectInfo: (lessonId: string, room?: string) =>
        call('live:connect-info', room === undefined ? { lessonId } : { lessonId, room }),
    },
    recording: {
      start: (request: InvokeRequest<'recording:start'>) => call('recording:start', request),
      append: (recordingId: string, chunk: Uint8Array<ArrayBuffer>) =>
        call('recording:append', { recordingId, chunk }),
      finish: (recordingId: string, durationMs?: number, captionsVtt?: string) =>
        call('recording:finish', {
          recordingId,
          ...(durationMs === undefined ? {} : { durationMs }),
          ...(captionsVtt === undefined ? {} : { captionsVtt }),
        }),
      chooseFolder: () => call('recording:choose-folder', {}),
    },
    export: {
      start: (request: InvokeRequest<'export:start'>) => call('export:start', request),
      write: (exportId: string, position: number, chunk: Uint8Array<ArrayBuffer>) =>
        call('export:write', { exportId, position, chunk }),
      finish: (request: InvokeRequest<'export:finish'>) => call('export:finish', request),
      cancel: (exportId: string) => call('export:cancel', { exportId }),
    },
    shell: {
      showFile: (path: string) => call('shell:show-file', { path }),
    },
    pipeline: {
      /** Prepares the whole lesson in main; only progress comes back while it runs. */
      prepareLesson: (request: InvokeRequest<'pipeline:prepare-lesson'>) =>
        call('pipeline:prepare-lesson', request),
      onPrepareProgress: (listener: (payload: EventPayload<'pipeline:prepare-progress'>) => void) =>
        on('pipeline:prepare-progress', listener),
      cancelPrepare: (runId: string) => send('pipeline:prepare-cancel', { runId }),
    },
    log: {
      write: (entry: SendPayload<'log:write'>) => send('log:write', entry),
    },
    render: {
      reportProgress: (progress: SendPayload<'render:progress'>) =>
        send('render:progress', progress),
    },
    importJob: {
      readSource: () => call('import:read-source', {}),
      reportProgress: (progress: SendPayload<'import:progress'>) =>
        send('import:progress', progress),
    },
  };
}

export type RapidoApi = ReturnType<typeof createRapidoApi>;
