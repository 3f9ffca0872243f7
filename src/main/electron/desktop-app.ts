import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  safeStorage,
  screen,
  session,
  shell,
  webContents,
} from 'electron';
import { createAppServices, sampleLessonDir, type AppServices } from '../wiring/app-services.ts';
import { readEnvironment, sharedCacheDir } from '../services/platform/config/environment.ts';
import { createDispatcher } from '../services/ipc/dispatcher.ts';
import { createLogger, type Logger } from '../services/logging/logger.ts';
import { appMetricsFromElectron } from '../services/platform/system/process-metrics.ts';
import { emitToRenderer, registerIpc } from './ipc-main-guard.ts';
import { permissionAllowed } from './permission-policy.ts';
import type { SenderPolicy } from '../services/ipc/sender-policy.ts';
import {
  displaysInfo,
  programWindowOpenResponse,
  type ProgramPlacement,
} from './program-window.ts';

/**
 * The desktop host: the thin Electron layer around the shared services. Security follows
 * Electron's checklist: sandboxed, context-isolated renderer; no navigation; no new windows but
 * the blank program window the main window opens for the audience (program-window.ts);
 * permissions denied unless needed; IPC only through the guard.
 */
export function startDesktopApp(): void {
  const env = readEnvironment();
  if (!env.ok) {
    dialog.showErrorBox('Rapido cannot start', env.message);
    app.exit(2);
    return;
  }
  let services: AppServices | null = null;
  let mainWindow: BrowserWindow | null = null;
  // Where the next program window opens; the renderer sets it before opening one.
  let programPlacement: ProgramPlacement = { displayId: null, fullscreen: false };
  const environmentKey = env.value.ELEVENLABS_API_KEY;
  const logger = createLogger({
    directory: env.value.RAPIDO_LOG_DIR ?? app.getPath('logs'),
    level: env.value.LOG_LEVEL ?? 'info',
    console: !app.isPackaged,
    secrets: () =>
      services?.secrets() ??
      [environmentKey, env.value.LIVEKIT_API_SECRET].filter((v): v is string => Boolean(v)),
  });
  process.on('uncaughtException', (error) =>
    logger.error('uncaught exception in main', { event_type: 'crash', error }),
  );
  process.on('unhandledRejection', (error) =>
    logger.error('unhandled rejection in main', { event_type: 'crash', error }),
  );

  const resourcesDir = app.isPackaged
    ? join(process.resourcesPath, 'resources')
    : join(app.getAppPath(), 'resources');
  // argv: [electron, (app path when unpackaged), ...]; flags may come before either.
  const positionals = process.argv.slice(1).filter((a) => !a.startsWith('-'));
  const lessonArgument = (app.isPackaged ? positionals : positionals.slice(1))[0];
  services = createAppServices({
    paths: {
      resourcesDir,
      cacheDir: sharedCacheDir(env.value),
      secretsDir: join(app.getPath('userData'), 'secrets'),
      configDir: app.getPath('userData'),
      defaultRecordingDir: env.value.RAPIDO_RECORDING_DIR ?? join(app.getPath('videos'), 'Rapido'),
    },
    launch: {
      version: app.getVersion(),
      mode: 'interactive',
      lessonDir: lessonArgument ?? sampleLessonDir(resourcesDir),
      render: null,
    },
    slideFramesPath: env.value.SLIDE_FRAMES_PATH,
    syncTalkServerUrl: env.value.SYNCTALK_SERVER_URL,
    elevenLabs: {
      apiKey: environmentKey,
      baseUrl: env.value.ELEVENLABS_BASE_URL,
      voiceId: env.value.ELEVENLABS_VOICE_ID,
      modelId: env.value.ELEVENLABS_MODEL_ID,
    },
    live: {
      url: env.value.LIVEKIT_URL,
      apiKey: env.value.LIVEKIT_API_KEY,
      apiSecret: env.value.LIVEKIT_API_SECRET,
    },
    // The OS keychain (Keychain, DPAPI, libsecret/kwallet) seals the key at rest.
    secretCipher: {
      // On Linux without a keyring Electron falls back to a fixed password: that is not sealed.
      isAvailable: async () =>
        (await safeStorage.isAsyncEncryptionAvailable()) &&
        (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'),
      encrypt: (plain) => safeStorage.encryptStringAsync(plain),
      decrypt: async (sealed) => (await safeStorage.decryptStringAsync(sealed)).result,
    },
    abilities: {
      host: 'desktop',
      emit(clientId, channel, payload) {
        const target = webContents.fromId(Number(clientId));
        if (target && !target.isDestroyed()) emitToRenderer(target, channel, payload);
      },
      async chooseFolder(title) {
        const window = BrowserWindow.getFocusedWindow();
        const options = {
          title,
          properties: ['openDirectory', 'createDirectory'] as (
            'openDirectory' | 'createDirectory'
          )[],
        };
        const picked = window
          ? await dialog.showOpenDialog(window, options)
          : await dialog.showOpenDialog(options);
        return picked.canceled ? null : (picked.filePaths[0] ?? null);
      },
      // A typed path the page names: the user says yes in a box only main can show.
      async confirmPath(path, what) {
        const window = BrowserWindow.getFocusedWindow();
        const options = {
          type: 'question' as const,
          buttons: ['Use it', 'Cancel'],
          defaultId: 1,
          cancelId: 1,
          title: 'Use this path?',
          message: `Use ${path}?`,
          detail: `${what} was typed in, not chosen with Choose…. Rapido reads and writes only where you allow it.`,
        };
        const answer = window
          ? await dialog.showMessageBox(window, options)
          : await dialog.showMessageBox(options);
        return answer.response === 0;
      },
      showFile(path) {
        shell.showItemInFolder(path);
        return Promise.resolve();
      },
      appMetrics: () => Promise.resolve(appMetricsFromElectron(app.getAppMetrics())),
      displays: () => displaysInfo(screen.getAllDisplays(), screen.getPrimaryDisplay().id),
      placeProgramWindow(placement) {
        programPlacement = placement;
      },
    },
    logger,
  });
  const rendererFile = join(import.meta.dirname, '../renderer/index.html');
  const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  const senderPolicy = {
    appFileUrl: pathToFileURL(rendererFile).href,
    devServerOrigin: devServerUrl ?? null,
  };
  registerIpc(
    createDispatcher(services.invokeHandlers, services.sendHandlers, logger.child('ipc')),
    senderPolicy,
    logger.child('ipc'),
  );

  // Every web contents, the program window's included: no navigation, and no windows but the
  // program window from the main window. The permission handler below is the default
  // session's, which the program window shares; it has no preload, so no IPC either.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.setWindowOpenHandler((details) =>
      programWindowOpenResponse(details, {
        fromMainWindow:
          mainWindow !== null &&
          !mainWindow.isDestroyed() &&
          contents.id === mainWindow.webContents.id,
        placement: programPlacement,
        displays: screen.getAllDisplays(),
        primaryDisplayId: screen.getPrimaryDisplay().id,
      }),
    );
    contents.on('did-create-window', (child) => {
      // The title says what the window is, whatever the renderer names the blank document.
      child.on('page-title-updated', (event) => event.preventDefault());
      logger.info('program window opened', {
        event_type: 'program_window_opened',
        fullscreen: programPlacement.fullscreen,
        display_id: programPlacement.displayId,
      });
    });
    contents.on('render-process-gone', (_e, details) =>
      logger.error(`renderer went away: ${details.reason}`, { event_type: 'renderer_gone' }),
    );
  });

  void app.whenReady().then(() => {
    installPermissionHandlers(senderPolicy, logger);
    const window = new BrowserWindow({
      width: 1400,
      height: 880,
      minWidth: 1024,
      minHeight: 700,
      title: 'Rapido',
      backgroundColor: '#111318',
      webPreferences: {
        preload: join(import.meta.dirname, '../preload/index.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        // A middle click must not open a link in a new window (Electronegativity AUXCLICK).
        disableBlinkFeatures: 'Auxclick',
        // The program canvas must keep rendering when the window is behind others.
        backgroundThrottling: false,
      },
    });
    mainWindow = window;
    if (devServerUrl) void window.loadURL(devServerUrl);
    else void window.loadFile(rendererFile);
  });
  app.on('window-all-closed', () => {
    void services.dispose().then(() => app.quit());
  });
}

/** Both permission hooks, one policy (permission-policy.ts): fullscreen for the app's pages only. */
function installPermissionHandlers(senderPolicy: SenderPolicy, logger: Logger): void {
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const allowed = permissionAllowed(
      { permission, requestingUrl: details.requestingUrl, isMainFrame: details.isMainFrame },
      senderPolicy,
    );
    if (!allowed)
      logger.warn(`refused the ${permission} permission`, { event_type: 'permission_refused' });
    callback(allowed);
  });
  session.defaultSession.setPermissionCheckHandler((_contents, permission, _origin, details) =>
    permissionAllowed(
      {
        permission,
        requestingUrl: details.requestingUrl ?? '',
        isMainFrame: details.isMainFrame,
      },
      senderPolicy,
    ),
  );
  session.defaultSession.setDevicePermissionHandler(() => false);
}
