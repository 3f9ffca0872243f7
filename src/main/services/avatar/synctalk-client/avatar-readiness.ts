/**
 * Is an avatar loaded on SyncTalk? `/models` lists avatar names, but `/status` lists the internal
 * folder names of loaded models (an avatar's `folder_name`, which defaults to its name, e.g.
 * `Alin-cc-dataset` for avatar `alin_cc`). The server never says which folder belongs to which
 * avatar, so the match is a rule, documented here:
 *
 * 1. A folder name given in the avatar settings is authoritative: loaded iff it is listed.
 * 2. A folder spelled exactly like the avatar is that avatar's.
 * 3. Otherwise names are compared by key (`avatarNameKey`): lower case, every run of spaces,
 *    `_` and `-` made one `-`, outer separators dropped, then one trailing `-dataset` removed.
 *    So `Alin-cc-dataset`, `alin_cc` and `Alin CC` share the key `alin-cc`.
 * 4. Failing that, a folder whose key is the avatar key's first words (`jason` for avatar
 *    `jason_walley`, as the published avatar_config.json maps it) is that avatar's.
 * 5. If another offered avatar has the same key (or, for rule 4, also starts with the folder's
 *    key), the folder could be either's: that is ambiguous and counts as not loaded (asking the
 *    server to load is harmless: it answers "already loaded" without work when the model is in
 *    memory).
 *
 * A folder with an unrelated name (the public config maps `enrique_torres` to `alin`) cannot be
 * matched; such an avatar reads as not loaded until its folder name is set in the settings.
 */
export type AvatarReadiness = 'not-offered' | 'not-loaded' | 'loaded';

export type FolderMatch =
  | { kind: 'configured' | 'exact' | 'normalised' | 'prefix'; folder: string }
  | { kind: 'none' }
  | { kind: 'ambiguous'; folder: string; rivals: string[] };

export function avatarNameKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/-dataset$/, '');
}

export function matchLoadedFolder(
  loadedFolders: readonly string[],
  offeredAvatars: readonly string[],
  avatarName: string,
  configuredFolder?: string,
): FolderMatch {
  if (configuredFolder !== undefined && configuredFolder !== '') {
    return loadedFolders.includes(configuredFolder)
      ? { kind: 'configured', folder: configuredFolder }
      : { kind: 'none' };
  }
  if (loadedFolders.includes(avatarName)) return { kind: 'exact', folder: avatarName };
  const key = avatarNameKey(avatarName);
  const folder = loadedFolders.find((candidate) => avatarNameKey(candidate) === key);
  if (folder === undefined) return matchByFirstWords(loadedFolders, offeredAvatars, avatarName);
  const rivals = offeredAvatars.filter(
    (other) => other !== avatarName && avatarNameKey(other) === key,
  );
  return rivals.length > 0 ? { kind: 'ambiguous', folder, rivals } : { kind: 'normalised', folder };
}

/** Rule 4: a folder named by the avatar's first words (`jason` for `jason_walley`). */
function matchByFirstWords(
  loadedFolders: readonly string[],
  offeredAvatars: readonly string[],
  avatarName: string,
): FolderMatch {
  const key = avatarNameKey(avatarName);
  const startsWith = (name: string, prefix: string) => {
    const nameKey = avatarNameKey(name);
    return nameKey === prefix || nameKey.startsWith(`${prefix}-`);
  };
  const folder = loadedFolders.find((candidate) => {
    const folderKey = avatarNameKey(candidate);
    return folderKey !== '' && key.startsWith(`${folderKey}-`);
  });
  if (folder === undefined) return { kind: 'none' };
  const folderKey = avatarNameKey(folder);
  const rivals = offeredAvatars.filter(
    (other) => other !== avatarName && startsWith(other, folderKey),
  );
  return rivals.length > 0 ? { kind: 'ambiguous', folder, rivals } : { kind: 'prefix', folder };
}

export interface ReadinessInput {
  loadedFolders: readonly string[];
}

export function avatarReadiness(
  status: ReadinessInput,
  offeredAvatars: readonly string[],
  avatarName: string,
  configuredFolder?: string,
): AvatarReadiness {
  return explainReadiness(status, offeredAvatars, avatarName, configuredFolder).readiness;
}

export interface ReadinessExplanation {
  readiness: AvatarReadiness;
  match: FolderMatch;
  /** One sentence for logs and error messages. */
  note: string;
}

export function explainReadiness(
  status: ReadinessInput,
  offeredAvatars: readonly string[],
  avatarName: string,
  configuredFolder?: string,
): ReadinessExplanation {
  const match = matchLoadedFolder(
    status.loadedFolders,
    offeredAvatars,
    avatarName,
    configuredFolder,
  );
  const loaded = formatList(status.loadedFolders);
  if (!offeredAvatars.includes(avatarName)) {
    const similar = similarAvatars(offeredAvatars, avatarName);
    const suggestion = similar.length > 0 ? ` Did you mean ${formatList(similar)}?` : '';
    return {
      readiness: 'not-offered',
      match,
      note: `The server does not offer avatar "${avatarName}" (it offers ${formatList(offeredAvatars)}).${suggestion}`,
    };
  }
  switch (match.kind) {
    case 'configured':
    case 'exact':
    case 'normalised':
    case 'prefix':
      return {
        readiness: 'loaded',
        match,
        note: `Avatar "${avatarName}" is loaded (folder "${match.folder}").`,
      };
    case 'ambiguous':
      return {
        readiness: 'not-loaded',
        match,
        note: `Loaded folder "${match.folder}" could belong to "${avatarName}" or to ${formatList(match.rivals)}, so "${avatarName}" is treated as not loaded; set its folder name in the avatar settings to decide.`,
      };
    case 'none':
      return {
        readiness: 'not-loaded',
        match,
        note:
          configuredFolder !== undefined && configuredFolder !== ''
            ? `Folder "${configuredFolder}" of avatar "${avatarName}" is not loaded (loaded: ${loaded}).`
            : `No loaded folder matches avatar "${avatarName}" (loaded: ${loaded}).`,
      };
  }
}

/** Offered avatars whose key equals this name's key: likely what a mistyped name meant. */
export function similarAvatars(offeredAvatars: readonly string[], avatarName: string): string[] {
  const key = avatarNameKey(avatarName);
  return offeredAvatars.filter((other) => other !== avatarName && avatarNameKey(other) === key);
}

export function formatList(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.map((name) => `"${name}"`).join(', ');
}
