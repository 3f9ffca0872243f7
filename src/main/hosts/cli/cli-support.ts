/**
 * What every verb of the `rapido` command line shares: the usage text, and the exit codes
 * (0 done, 1 failed while working, 2 bad input: arguments, lesson, environment).
 */
export const usage = `Usage:
  npm run render -- <lessonDir> --out <file.mp4>   Export a lesson to a video file, frame by frame,
                                                    as fast as the machine allows
    [--realtime]                                    ...recording it in real time instead (as Record does)
    [--no-pre-roll]                                 ...pressing Play as soon as the lesson is open, not
                                                    once the first slide's avatar video is in hand
    [--live [--room <name>]]                        ...in real time, also published live to LIVEKIT_URL
                                                    (room: the lesson id)
  npm run headless -- [lessonDir] [--port N] [--open] Serve the app for a browser (--open shows it)
  npm run headless -- --check <lessonDir>           Validate a lesson and exit
  npm run rapido -- prepare <lessonDir>             Make every slide's speech and avatar video into
                                                    the caches (no browser), with progress and ETA
    [--verify]                                      ...reading cached avatar video to its end

  (npm run rapido -- <render|serve|prepare> ... is the same command line; and so is the rapido bin.)`;

export function fail(code: number, message: string): never {
  process.stderr.write(`rapido: ${message}\n`);
  process.exit(code);
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** parseArgs throws on an unknown option or a missing value: that is bad input (exit 2), not a crash. */
export function argumentsOrExit<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    fail(2, `${describe(error)}\n${usage}`);
  }
}
