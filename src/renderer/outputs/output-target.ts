/**
 * Where a recording or export goes, as the page knows it: at most an opaque id main handed out
 * (the CLI's --out, registered in main). Without one, main writes a new file into its recordings
 * folder. The page never holds or sends a path (main refuses one).
 */
export interface OutputTarget {
  destinationId?: string;
}
