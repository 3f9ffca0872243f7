import { scanJson } from '../../services/lesson/json-locator.ts';

/**
 * The predecessor's `--config FILE`: a JSON file of settings that overrides its environment
 * defaults. Its keys, from `_load_configuration` in rapido/src/rapido_refactored_main.py
 * (alin-anjum/agent_streaming_backend, commit 534b6f6, lines 50-88):
 *   logging.log_dir, security.jwt_secret, audio.sample_rate, audio.channels, video.width,
 *   video.height, video.overlay_position, video.overlay_scale, tts.api_key, tts.voice_id,
 *   synctalk.server_url, synctalk.model_name, livekit.url, livekit.api_key, livekit.api_secret,
 *   paths.slide_frames, paths.input_data, paths.output.
 * Those that name a Rapido setting become its environment variable (the file wins over the
 * environment, as in the predecessor, but key by key: the predecessor's shallow `dict.update`
 * dropped a section's other keys, which nobody could have relied on). The rest are reported,
 * each with why, never dropped silently.
 */

/** A key of the file that is a Rapido environment variable. */
const environmentKeys: Readonly<Record<string, string>> = {
  'logging.log_dir': 'RAPIDO_LOG_DIR',
  'tts.api_key': 'ELEVENLABS_API_KEY',
  'tts.voice_id': 'ELEVENLABS_VOICE_ID',
  'synctalk.server_url': 'SYNCTALK_SERVER_URL',
  'livekit.url': 'LIVEKIT_URL',
  'livekit.api_key': 'LIVEKIT_API_KEY',
  'livekit.api_secret': 'LIVEKIT_API_SECRET',
  'paths.slide_frames': 'SLIDE_FRAMES_PATH',
};

/** The predecessor's keys with no Rapido counterpart, and why. */
const unmappedKeys: Readonly<Record<string, string>> = {
  'security.jwt_secret': 'Rapido issues no JWTs of its own (LiveKit tokens use livekit.api_secret)',
  'audio.sample_rate': 'Rapido picks the speech sample rate itself',
  'audio.channels': 'Rapido picks the speech channels itself',
  'video.overlay_position':
    "the presenter's place comes from each slide's presenterConfig (or the lesson's placement)",
  'video.overlay_scale':
    "the presenter's size comes from each slide's presenterConfig (or the lesson's placement)",
  'synctalk.model_name': "the lesson's avatar settings name the model (avatar.avatarName)",
};

export interface ConfigSettings {
  /** Environment variables to set (the file's values, as strings). */
  environment: Record<string, string>;
  /** paths.input_data: the slide data read when --slide-data is not given. */
  inputData?: string;
  /** paths.output: the folder the predecessor invocation writes its video to. */
  outputDir?: string;
  /** video.width / video.height: the imported lesson's output size. */
  video?: { width?: number; height?: number };
  /** One line per key not applied, with why (printed as warnings). */
  warnings: string[];
}

export type ConfigRead = { ok: true; value: ConfigSettings } | { ok: false; message: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the file's text (already loaded); `name` is how errors name it. */
export function readConfigText(text: string, name: string): ConfigRead {
  const scanned = scanJson(text);
  if (!scanned.ok) {
    return {
      ok: false,
      message: `${name}:${scanned.error.line}:${scanned.error.column}: not JSON: ${scanned.error.message}`,
    };
  }
  const { document } = scanned;
  const root = document.value;
  if (!isRecord(root))
    return { ok: false, message: `${name}:1: the settings must be a JSON object` };
  const at = (path: string[]) => `${name}:${document.locate(path).line}`;
  const settings: ConfigSettings = { environment: {}, warnings: [] };
  const problems: string[] = [];

  for (const [section, members] of Object.entries(root)) {
    if (!isRecord(members)) {
      settings.warnings.push(
        `${at([section])}: "${section}" is not a section of the predecessor's settings (an object expected); not applied`,
      );
      continue;
    }
    for (const [key, value] of Object.entries(members)) {
      const dotted = `${section}.${key}`;
      const where = at([section, key]);
      const variable = environmentKeys[dotted];
      if (value === null) continue; // the predecessor's "not set"
      if (variable !== undefined) {
        if (typeof value !== 'string' || value.trim().length === 0) {
          problems.push(`${where}: ${dotted} must be a non-empty string`);
        } else settings.environment[variable] = value;
      } else if (dotted === 'paths.input_data' || dotted === 'paths.output') {
        if (typeof value !== 'string' || value.length === 0) {
          problems.push(`${where}: ${dotted} must be a non-empty string`);
        } else if (dotted === 'paths.input_data') settings.inputData = value;
        else settings.outputDir = value;
      } else if (dotted === 'video.width' || dotted === 'video.height') {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 16 || value > 7680) {
          problems.push(`${where}: ${dotted} must be a whole number of pixels (16-7680)`);
        } else {
          settings.video = { ...settings.video, [key]: value };
        }
      } else if (unmappedKeys[dotted] !== undefined) {
        settings.warnings.push(`${where}: ${dotted} is not applied: ${unmappedKeys[dotted]}`);
      } else {
        settings.warnings.push(`${where}: ${dotted} is not a setting Rapido knows; not applied`);
      }
    }
  }
  if (problems.length > 0) return { ok: false, message: problems.join('\n') };
  return { ok: true, value: settings };
}
