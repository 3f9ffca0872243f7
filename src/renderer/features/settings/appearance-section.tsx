import { useId } from 'react';
import { themePreferences, useTheme, type ThemePreference } from './theme.ts';

const labels: Record<ThemePreference, string> = {
  system: 'System',
  light: 'Light',
  dark: 'Dark',
};

export function AppearanceSection() {
  const { preference, resolved, setPreference } = useTheme();
  const name = useId();
  return (
    <div className="settings-form">
      <fieldset>
        <legend>Theme</legend>
        <div className="segmented" role="radiogroup" aria-label="Theme">
          {themePreferences.map((choice) => (
            <label key={choice} className={choice === preference ? 'selected' : undefined}>
              <input
                type="radio"
                name={name}
                value={choice}
                checked={choice === preference}
                onChange={() => setPreference(choice)}
              />
              {labels[choice]}
            </label>
          ))}
        </div>
      </fieldset>
      <p className="hint" data-testid="settings-theme-resolved">
        {preference === 'system' ? `Following the system: ${resolved} now.` : `Always ${resolved}.`}{' '}
        The program output is the same in every theme.
      </p>
    </div>
  );
}
