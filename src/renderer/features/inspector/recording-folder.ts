/**
 * The folder is main's: chosen in main's own dialog (desktop) or given by RAPIDO_RECORDING_DIR
 * (headless), never typed into the page, which main does not trust with paths.
 */
export function folderTitle(canPick: boolean): string {
  return canPick
    ? 'Choose… to change the folder'
    : 'Set by RAPIDO_RECORDING_DIR where the app was started';
}
