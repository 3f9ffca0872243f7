import { describe, expect, test } from 'vitest';
import {
  avatarNameKey,
  avatarReadiness,
  explainReadiness,
  matchLoadedFolder,
} from './avatar-readiness.ts';

describe('avatarNameKey', () => {
  test('folds case and separators and drops a dataset suffix', () => {
    expect(avatarNameKey('Alin-cc-dataset')).toBe('alin-cc');
    expect(avatarNameKey('alin_cc')).toBe('alin-cc');
    expect(avatarNameKey('  Alin  CC ')).toBe('alin-cc');
    expect(avatarNameKey('alin__cc_dataset')).toBe('alin-cc');
    expect(avatarNameKey('alin cc Dataset')).toBe('alin-cc');
    expect(avatarNameKey('dataset')).toBe('dataset');
    expect(avatarNameKey('my-dataset-avatar')).toBe('my-dataset-avatar');
  });
});

describe('matchLoadedFolder', () => {
  const offered = ['alin_cc', 'enrique_torres', 'jennifer'];

  test('matches a dataset-style folder to its avatar', () => {
    expect(matchLoadedFolder(['Alin-cc-dataset'], offered, 'alin_cc')).toEqual({
      kind: 'normalised',
      folder: 'Alin-cc-dataset',
    });
  });

  test('prefers an exact folder and honours a configured one', () => {
    expect(matchLoadedFolder(['jennifer'], offered, 'jennifer')).toEqual({
      kind: 'exact',
      folder: 'jennifer',
    });
    expect(matchLoadedFolder(['alin'], offered, 'enrique_torres', 'alin')).toEqual({
      kind: 'configured',
      folder: 'alin',
    });
    expect(matchLoadedFolder(['enrique_torres'], offered, 'enrique_torres', 'alin')).toEqual({
      kind: 'none',
    });
  });

  test('an unrelated folder name does not match', () => {
    expect(matchLoadedFolder(['alin'], offered, 'enrique_torres')).toEqual({ kind: 'none' });
  });

  test('a folder named by the first words of the avatar is its folder (jason for jason_walley)', () => {
    // The published avatar_config.json: avatar "jason_walley", folder_name "jason" (issue 15, 7).
    const published = ['alin_cc', 'jason_walley', 'enrique_torres'];
    expect(matchLoadedFolder(['jason'], published, 'jason_walley')).toEqual({
      kind: 'prefix',
      folder: 'jason',
    });
    expect(avatarReadiness({ loadedFolders: ['jason'] }, published, 'jason_walley')).toBe('loaded');
    // Not the other way round, and not when another offered avatar starts the same way.
    expect(matchLoadedFolder(['jason_walley'], ['jason'], 'jason').kind).toBe('none');
    expect(matchLoadedFolder(['jason'], [...published, 'jason_bourne'], 'jason_walley')).toEqual({
      kind: 'ambiguous',
      folder: 'jason',
      rivals: ['jason_bourne'],
    });
    expect(matchLoadedFolder(['alin'], published, 'enrique_torres').kind).toBe('none');
  });

  test('a folder two offered avatars could own is ambiguous', () => {
    expect(matchLoadedFolder(['Alin-CC'], ['alin_cc', 'alin-cc-dataset'], 'alin_cc')).toEqual({
      kind: 'ambiguous',
      folder: 'Alin-CC',
      rivals: ['alin-cc-dataset'],
    });
  });
});

describe('avatarReadiness', () => {
  const models = ['alin_cc', 'jennifer'];

  test('not-offered, not-loaded and loaded', () => {
    expect(avatarReadiness({ loadedFolders: [] }, models, 'bob')).toBe('not-offered');
    expect(avatarReadiness({ loadedFolders: ['jennifer'] }, models, 'alin_cc')).toBe('not-loaded');
    expect(avatarReadiness({ loadedFolders: ['Alin-cc-dataset'] }, models, 'alin_cc')).toBe(
      'loaded',
    );
  });

  test('ambiguity reads as not loaded and says so', () => {
    const explained = explainReadiness(
      { loadedFolders: ['alin-cc'] },
      ['alin_cc', 'Alin CC'],
      'alin_cc',
    );
    expect(explained.readiness).toBe('not-loaded');
    expect(explained.note).toMatch(/could belong to "alin_cc" or to "Alin CC"/);
    expect(explained.note).toMatch(/treated as not loaded/);
  });

  test('a near-miss name gets a suggestion', () => {
    const explained = explainReadiness({ loadedFolders: [] }, models, 'Alin-CC');
    expect(explained.readiness).toBe('not-offered');
    expect(explained.note).toContain('Did you mean "alin_cc"?');
  });
});
