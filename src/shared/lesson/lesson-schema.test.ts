import { describe, expect, test } from 'vitest';
import { avatarSettingsSchema, lessonSchema } from './lesson-schema.ts';
import type { LessonInput } from './lesson-schema.ts';

function lessonWith(avatar: unknown): unknown {
  return {
    schemaVersion: 1,
    id: 'lesson-1',
    title: 'A lesson',
    slides: [{ id: 's1', image: 'slides/1.png', narration: 'Hello.' }],
    avatar,
  };
}

describe('avatar settings', () => {
  test('a lesson without avatar settings gets the local avatar', () => {
    const input: LessonInput = {
      schemaVersion: 1,
      id: 'lesson-1',
      title: 'A lesson',
      slides: [{ id: 's1', image: 'slides/1.png', narration: 'Hello.' }],
    };
    expect(lessonSchema.parse(input).avatar).toMatchObject({
      provider: 'local',
      keyColor: '#00b140',
    });
  });

  test('a SyncTalk avatar needs only its name; the rest has defaults', () => {
    const avatar = avatarSettingsSchema.parse({ provider: 'synctalk', avatarName: 'alin_cc' });
    expect(avatar).toEqual({
      provider: 'synctalk',
      serverUrl: 'http://127.0.0.1:8000',
      avatarName: 'alin_cc',
      frameSize: { width: 512, height: 512 },
      keyColor: '#089831',
      chromaKey: { similarity: 0.4, smoothness: 0.08, spill: 0.1 },
      placement: { x: 0.68, y: 0.42, width: 0.3, height: 0.55 },
    });
  });

  test('SyncTalk settings keep what the lesson sets', () => {
    const parsed = lessonSchema.parse(
      lessonWith({
        provider: 'synctalk',
        serverUrl: 'https://gpu-box.lan:8443/synctalk',
        avatarName: 'enrique_torres',
        folderName: 'alin',
        frameSize: { width: 640, height: 360 },
        keyColor: '#00FF00',
      }),
    );
    expect(parsed.avatar).toMatchObject({
      provider: 'synctalk',
      serverUrl: 'https://gpu-box.lan:8443/synctalk',
      folderName: 'alin',
      frameSize: { width: 640, height: 360 },
      keyColor: '#00FF00',
    });
  });

  test.each([
    ['a missing avatar name', { provider: 'synctalk' }, 'avatarName'],
    ['an ftp URL', { provider: 'synctalk', avatarName: 'a', serverUrl: 'ftp://x' }, 'serverUrl'],
    [
      'text that is no URL',
      { provider: 'synctalk', avatarName: 'a', serverUrl: 'gpu' },
      'serverUrl',
    ],
    [
      'a fractional frame size',
      { provider: 'synctalk', avatarName: 'a', frameSize: { width: 511.5, height: 512 } },
      'frameSize',
    ],
    ['an unknown field', { provider: 'synctalk', avatarName: 'a', fps: 30 }, ''],
    ['an unknown provider', { provider: 'heygen', avatarName: 'a' }, 'provider'],
    ['a local avatar with SyncTalk fields', { provider: 'local', avatarName: 'a' }, ''],
  ])('rejects %s', (_label, avatar, field) => {
    const result = lessonSchema.safeParse(lessonWith(avatar));
    expect(result.success).toBe(false);
    if (result.success) return;
    const paths = result.error.issues.map((issue) => issue.path.join('.'));
    expect(paths.some((path) => path.startsWith(field === '' ? 'avatar' : `avatar.${field}`))).toBe(
      true,
    );
  });
});
