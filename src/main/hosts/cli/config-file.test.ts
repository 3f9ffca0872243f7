import { describe, expect, it } from 'vitest';
import { readConfigText } from './config-file.ts';

describe("the predecessor's --config file", () => {
  it('maps its keys to Rapido settings, key by key', () => {
    const text = JSON.stringify(
      {
        tts: { api_key: 'sk-test', voice_id: 'voice_1' },
        synctalk: { server_url: 'http://127.0.0.1:8000' },
        livekit: { url: 'wss://live.example', api_key: 'k', api_secret: 's' },
        logging: { log_dir: '/tmp/logs' },
        paths: { slide_frames: '/frames', input_data: 'data.json', output: 'out' },
        video: { width: 1920, height: 1080 },
      },
      null,
      2,
    );
    const read = readConfigText(text, 'config.json');
    expect(read).toEqual({
      ok: true,
      value: {
        environment: {
          ELEVENLABS_API_KEY: 'sk-test',
          ELEVENLABS_VOICE_ID: 'voice_1',
          SYNCTALK_SERVER_URL: 'http://127.0.0.1:8000',
          LIVEKIT_URL: 'wss://live.example',
          LIVEKIT_API_KEY: 'k',
          LIVEKIT_API_SECRET: 's',
          RAPIDO_LOG_DIR: '/tmp/logs',
          SLIDE_FRAMES_PATH: '/frames',
        },
        inputData: 'data.json',
        outputDir: 'out',
        video: { width: 1920, height: 1080 },
        warnings: [],
      },
    });
  });

  it('warns, with the line, about each key it does not apply, known or unknown', () => {
    const text = [
      '{',
      '  "security": { "jwt_secret": "x" },',
      '  "video": { "overlay_scale": 0.5 },',
      '  "synctalk": { "model_name": "alin", "colour": "red" },',
      '  "extra": 3',
      '}',
    ].join('\n');
    const read = readConfigText(text, 'c.json');
    if (!read.ok) throw new Error(read.message);
    expect(read.value.environment).toEqual({});
    expect(read.value.warnings).toEqual([
      'c.json:2: security.jwt_secret is not applied: Rapido issues no JWTs of its own (LiveKit tokens use livekit.api_secret)',
      "c.json:3: video.overlay_scale is not applied: the presenter's size comes from each slide's presenterConfig (or the lesson's placement)",
      "c.json:4: synctalk.model_name is not applied: the lesson's avatar settings name the model (avatar.avatarName)",
      'c.json:4: synctalk.colour is not a setting Rapido knows; not applied',
      `c.json:5: "extra" is not a section of the predecessor's settings (an object expected); not applied`,
    ]);
  });

  it('refuses bad JSON and bad values, naming the line', () => {
    expect(readConfigText('{\n  "tts": {\n    "api_key": \n}', 'c.json')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^c\.json:4:1: not JSON/) as unknown,
    });
    expect(readConfigText('[]', 'c.json')).toEqual({
      ok: false,
      message: 'c.json:1: the settings must be a JSON object',
    });
    expect(
      readConfigText('{\n"video": {"width": "wide"},\n"tts": {"api_key": 5}}', 'c.json'),
    ).toEqual({
      ok: false,
      message:
        'c.json:2: video.width must be a whole number of pixels (16-7680)\nc.json:3: tts.api_key must be a non-empty string',
    });
  });

  it('treats null as not set, as the predecessor did', () => {
    const read = readConfigText('{"livekit": {"url": null}}', 'c.json');
    expect(read).toEqual({ ok: true, value: { environment: {}, warnings: [] } });
  });
});
