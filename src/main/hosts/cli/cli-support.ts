/**
 * What every verb of the `rapido` command line shares: the usage text, and the exit codes
 * (0 done, 1 failed while working, 2 bad input: arguments, lesson, environment).
 */
export const usage = `Usage: rapido <verb> ... (also: npm run rapido -- <verb> ...)
  rapido render <lessonDir> --out <file.mp4>        Export a lesson to a video file, frame by frame,
                                                    as fast as the machine allows
    [--realtime]                                    ...recording it in real time instead (as Record does)
    [--no-pre-roll]                                 ...pressing Play as soon as the lesson is open, not
                                                    once the first slide's avatar video is in hand
    [--live [--room <name>]]                        ...in real time, also published live to LIVEKIT_URL
                                                    (room: the lesson id)
    [--parallel N]                                  ...export in N parts side by side (1-8), joined
                                                    into one file without re-encoding (not real time)
  rapido prepare <lessonDir> [--verify]             Make every slide's speech and avatar video into
                                                    the caches (no browser), with progress and ETA
                                                    (--verify: read cached avatar video to its end)
  rapido import <source> --out <lessonDir>          A new lesson from a .pdf, a .pptx (LibreOffice;
                                                    speaker notes become the narration), a folder of
                                                    slide images, or the predecessor's slide data (.json)
    [--title <text>] [--size 1280x720|WxH]          ...its title and output size
    [--script <file.txt>]                           ...images: the narration, a paragraph per slide
    [--images <dir>] [--keep-recorded-narration]    ...slide data: pictures by position or id; keep
                                                    the recorded narration (audioUrl + word timings)
  rapido check <lessonDir>                          Validate a lesson (field and line), its images,
                                                    and whether its voice and avatar can be used now
  rapido status [lessonDir]                         Each service: reachable or not, and why; with a
                                                    lesson, what the caches hold for each slide
  rapido serve [lessonDir] [--port N] [--open]      Serve the app for a browser (--open shows it)
                                                    (npm run headless; --check <lessonDir> validates)
  rapido api [--host 127.0.0.1] [--port 8080]       Serve the render farm's HTTP API (npm run api):
    [--rate-limit N] [--max-archive-mb N]           JWT_SECRET, RAPIDO_LESSON_ROOT, RAPIDO_REDIS_URL
  rapido token --scope jobs:submit,jobs:read,...    Print a bearer token for the API (JWT_SECRET)
    [--expires 1h] [--subject <name>]
  rapido worker [--concurrency N] [--name <name>]   A render-farm worker: takes render jobs from
                                                    RAPIDO_REDIS_URL's queue (npm run worker)

  The predecessor's invocation works too:
  rapido --lesson-id <id> --slide-data <file.json>  Import its slide data and render <id>.mp4 into
                                                    paths.output of --config (default ./output)
  rapido --status-only                              As rapido status

  Any of them: --config <file.json> (the predecessor's settings file; unknown keys are warned
  about), -v / --verbose (debug logging, also on the terminal).
  Exit codes: 0 done, 1 failed while working, 2 bad input (arguments, source, lesson, environment).`;

/** The command line's global options (rapido.ts sets them before a verb runs). */
export const cliSettings = {
  /** -v / --verbose: debug logging, mirrored to the terminal. */
  verbose: false,
};

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
