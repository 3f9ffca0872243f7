import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyConfigFile, splitGlobalOptions } from './global-options.ts';

describe('the global options', () => {
  it('takes --config and -v out wherever they stand, and leaves the rest in order', () => {
    expect(
      splitGlobalOptions(['-v', 'render', 'dir', '--config', 'c.json', '--out', 'x.mp4']),
    ).toEqual({
      config: 'c.json',
      verbose: true,
      rest: ['render', 'dir', '--out', 'x.mp4'],
    });
    expect(splitGlobalOptions(['--config=c.json', '--lesson-id', 'L1'])).toEqual({
      config: 'c.json',
      verbose: false,
      rest: ['--lesson-id', 'L1'],
    });
    expect(splitGlobalOptions(['status', '--', '-v'])).toEqual({
      config: null,
      verbose: false,
      rest: ['status', '--', '-v'],
    });
  });

  it('refuses --config without a file', () => {
    expect(splitGlobalOptions(['status', '--config'])).toEqual({ error: '--config needs a FILE' });
    expect(splitGlobalOptions(['--config', '-v'])).toEqual({ error: '--config needs a FILE' });
    expect(splitGlobalOptions(['--config='])).toEqual({ error: '--config needs a FILE' });
  });

  it('puts the file’s settings into the environment over what was there, and warns', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rapido-config-'));
    const file = join(dir, 'config.json');
    await writeFile(
      file,
      JSON.stringify({ synctalk: { server_url: 'http://127.0.0.1:9' }, audio: { channels: 1 } }),
    );
    const env: NodeJS.ProcessEnv = { SYNCTALK_SERVER_URL: 'http://127.0.0.1:1' };
    const warnings: string[] = [];
    const applied = await applyConfigFile(file, env, (line) => warnings.push(line));
    expect(applied.ok).toBe(true);
    expect(env.SYNCTALK_SERVER_URL).toBe('http://127.0.0.1:9');
    expect(warnings).toEqual([
      `${file}:1: audio.channels is not applied: Rapido picks the speech channels itself`,
    ]);
    expect(await applyConfigFile(join(dir, 'absent.json'), env, () => undefined)).toEqual({
      ok: false,
      message: `--config ${join(dir, 'absent.json')}: cannot read it (ENOENT)`,
    });
  });
});
