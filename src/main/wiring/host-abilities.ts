import type {
  AppMetricsInfo,
  DisplayInfo,
  InvokeChannel,
  InvokeRequest,
  LaunchInfo,
  SendChannel,
} from '../../shared/ipc/contract.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import type { EmitToClient } from '../services/avatar/synctalk-avatar-service.ts';
import type { InvokeHandlers, SendHandlers } from '../services/ipc/dispatcher.ts';

/**
 * What a host (Electron IPC or the headless WebSocket) lends the shared services. Host-specific
 * abilities (native dialogs, showing a file) come in as functions so no service needs electron.
 */
export interface HostAbilities {
  host: LaunchInfo['host'];
  chooseFolder: ((title: string) => Promise<string | null>) | null;
  showFile: ((path: string) => Promise<void>) | null;
  /**
   * Asks the user, in main's own UI, whether a path typed into the page may be used (desktop: a
   * native message box the page cannot answer). Without it, typed paths outside the folders the
   * user chose are refused.
   */
  confirmPath?: (path: string, what: string) => Promise<boolean>;
  /** Headless (paths are typed, nobody to ask): folders given in RAPIDO_FOLDERS, granted at start. */
  typedFolders?: readonly string[];
  /** Sends an event to one renderer (the one that asked). */
  emit: EmitToClient;
  /** Called with each progress report of a render job (the CLI prints them). */
  onRenderProgress?: (progress: Parameters<SendHandlers['render:progress']>[0]) => void;
  /** The command line's import job (launch mode 'import'): its source file, and its progress. */
  importJob?: {
    sourcePath: string;
    onProgress: (progress: Parameters<SendHandlers['import:progress']>[0]) => void;
  };
  /**
   * CPU and memory of the app's processes (desktop: Electron's own account). Without it: this
   * process and the Chromium processes it started, from /proc.
   */
  appMetrics?: () => Promise<AppMetricsInfo>;
  /** The displays a program window can go to. Without it: one screen of `screenSize`. */
  displays?: () => DisplayInfo[];
  /** Headless: the size of its one screen, where known (default 1920x1080). */
  screenSize?: { width: number; height: number };
  /** Remembers where the next program window opens (desktop); without it the request is a no-op. */
  placeProgramWindow?: (placement: InvokeRequest<'program-window:place'>) => void;
}

export interface AppPaths {
  resourcesDir: string;
  cacheDir: string;
  /** Where the encrypted API key lives (desktop only). */
  secretsDir: string;
  /** Plain settings that are not part of a lesson (LiveKit server, identity). */
  configDir: string;
  defaultRecordingDir: string;
}

/**
 * The handlers of the channels whose names start with one of `Prefixes` ('lesson' picks every
 * `lesson:*`). Each domain module builds its slice; the root spreads them into the full table,
 * and the full table's type makes a forgotten channel a compile error.
 */
export type InvokeHandlersOf<Prefixes extends string> = Pick<
  InvokeHandlers,
  Extract<InvokeChannel, `${Prefixes}:${string}`>
>;
export type SendHandlersOf<Prefixes extends string> = Pick<
  SendHandlers,
  Extract<SendChannel, `${Prefixes}:${string}`>
>;

/** The answer for an ability this host does not have. */
export function notAvailable(host: LaunchInfo['host'], what: string): Result<never> {
  return err('not-available', `${what} is not available in the ${host} host.`, {
    hint: 'Type the path instead.',
  });
}

/** The host's folder picker, as a channel answer (lesson and recording folders share it). */
export async function chooseFolderWith(
  abilities: HostAbilities,
  title: string,
): Promise<Result<{ dir: string | null }>> {
  if (!abilities.chooseFolder) return notAvailable(abilities.host, 'A folder picker');
  return ok({ dir: await abilities.chooseFolder(title) });
}
