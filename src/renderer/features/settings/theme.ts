import { useSyncExternalStore } from 'react';

/**
 * Light and dark themes. The preference (System, Light or Dark) is kept in localStorage; the
 * page always carries the resolved theme as `<html data-theme="light|dark">`, which is what
 * styles.css keys its colour variables on. While the preference is System, a change of the
 * operating system's scheme is followed at once.
 */

export type ThemePreference = 'system' | 'light' | 'dark';
export type ResolvedTheme = 'light' | 'dark';

export const themeStorageKey = 'rapido.theme';
export const themePreferences: readonly ThemePreference[] = ['system', 'light', 'dark'];

/** Anything stored that is not a known preference (an old value, a hand edit) means System. */
export function parseThemePreference(value: string | null | undefined): ThemePreference {
  return value === 'light' || value === 'dark' || value === 'system' ? value : 'system';
}

export function resolveTheme(
  preference: ThemePreference,
  systemPrefersDark: boolean,
): ResolvedTheme {
  if (preference === 'system') return systemPrefersDark ? 'dark' : 'light';
  return preference;
}

/** Absent outside a browser (unit tests under Node) or where storage is blocked. */
function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

function darkQuery(): MediaQueryList | null {
  return typeof window === 'undefined' || typeof window.matchMedia !== 'function'
    ? null
    : window.matchMedia('(prefers-color-scheme: dark)');
}

export function readStoredTheme(): ThemePreference {
  try {
    return parseThemePreference(storage()?.getItem(themeStorageKey));
  } catch {
    return 'system';
  }
}

let current: ThemePreference = 'system';
const listeners = new Set<() => void>();
let unfollowSystem: (() => void) | null = null;

function paint(): void {
  if (typeof document === 'undefined') return;
  // Without matchMedia (never in Chromium) dark, the app's historical look, is the safe guess.
  const resolved = resolveTheme(current, darkQuery()?.matches ?? true);
  const root = document.documentElement;
  root.dataset.theme = resolved;
  root.dataset.themePreference = current;
}

function followSystem(follow: boolean): void {
  if (!follow) {
    unfollowSystem?.();
    unfollowSystem = null;
    return;
  }
  if (unfollowSystem) return;
  const query = darkQuery();
  if (!query) return;
  const onChange = () => {
    paint();
    for (const listener of listeners) listener();
  };
  query.addEventListener('change', onChange);
  unfollowSystem = () => query.removeEventListener('change', onChange);
}

/** Sets, remembers and paints a preference. */
export function applyTheme(preference: ThemePreference): void {
  current = preference;
  try {
    storage()?.setItem(themeStorageKey, preference);
  } catch {
    // Storage can be full or blocked: the theme then lasts for this run only.
  }
  followSystem(preference === 'system');
  paint();
  for (const listener of listeners) listener();
}

/** Called once at start, before the first render, so the app never flashes the other theme. */
export function applyStoredTheme(): void {
  current = readStoredTheme();
  followSystem(current === 'system');
  paint();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function preferenceSnapshot(): ThemePreference {
  return current;
}

function resolvedSnapshot(): ResolvedTheme {
  return resolveTheme(current, darkQuery()?.matches ?? true);
}

export interface ThemeState {
  preference: ThemePreference;
  /** What is on screen: the preference, or the system's scheme for System. */
  resolved: ResolvedTheme;
  setPreference: (preference: ThemePreference) => void;
}

export function useTheme(): ThemeState {
  const preference = useSyncExternalStore(subscribe, preferenceSnapshot);
  const resolved = useSyncExternalStore(subscribe, resolvedSnapshot);
  return { preference, resolved, setPreference: applyTheme };
}
