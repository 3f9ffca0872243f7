import { useId, type ReactNode } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import type { ProgramEngine } from '../../engine/program-engine.ts';
import type { LoadedLessonInfo } from '../../../shared/ipc/contract.ts';
import type { RapidoError } from '../../../shared/result.ts';
import { importFps, importOutputSizes } from './lesson-from-pages.ts';
import { useAppStore } from '../../store/app-store.ts';

/** Shows a lesson an importer made: into the engine first, then the store (as openLessonInto). */
export async function openImportedLesson(
  engine: ProgramEngine,
  loaded: LoadedLessonInfo,
  message: string,
): Promise<void> {
  const store = useAppStore.getState();
  store.setLoadingLesson(true);
  try {
    await engine.loadLesson(loaded.dir, loaded.lesson);
    store.setLesson(loaded.dir, loaded.lesson);
    store.pushInfo(message);
  } finally {
    useAppStore.getState().setLoadingLesson(false);
  }
}

/** A labelled path field with Choose… where the desktop app can show a folder picker. */
export function FolderField(props: {
  label: string;
  hint?: string;
  value: string;
  onChange: (value: string) => void;
  pickerTitle: string;
  placeholder: string;
  disabled?: boolean;
  /** A file, not a folder: no picker (the main process only picks folders). */
  file?: boolean;
}) {
  const canPickFolders = useAppStore((s) => s.launch?.canPickFolders ?? false);
  const pushError = useAppStore((s) => s.pushError);
  const id = useId();
  async function pick() {
    const picked = await rapido.lesson.chooseFolder(props.pickerTitle);
    if (!picked.ok) pushError(picked.error);
    else if (picked.value.dir) props.onChange(picked.value.dir);
  }
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <div className="field-row">
        <input
          id={id}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          placeholder={props.placeholder}
          spellCheck={false}
          disabled={props.disabled}
          aria-describedby={props.hint ? `${id}-hint` : undefined}
        />
        {canPickFolders && !props.file ? (
          <button type="button" onClick={() => void pick()} disabled={props.disabled}>
            Choose…
          </button>
        ) : null}
      </div>
      {props.hint ? (
        <span className="import-field-hint" id={`${id}-hint`}>
          {props.hint}
        </span>
      ) : null}
    </div>
  );
}

/** An error where the user is looking (inside the dialog): what went wrong and what to do. */
export function ImportError(props: { error: RapidoError; heading?: string; children?: ReactNode }) {
  const { error } = props;
  return (
    <div className="import-message error" role="alert" data-testid="import-error">
      {props.heading ? <strong className="import-message-heading">{props.heading}</strong> : null}
      <p>{error.message}</p>
      {error.details?.length ? (
        <ul>
          {error.details.map((detail) => (
            <li key={detail}>{detail}</li>
          ))}
        </ul>
      ) : null}
      {error.hint ? <p className="import-message-hint">{error.hint}</p> : null}
      {props.children}
    </div>
  );
}

/** The output size of an imported lesson: one of the import presets, at the import frame rate. */
export function OutputSizeChoice(props: {
  sizeIndex: number;
  onChange: (index: number) => void;
  disabled: boolean;
}) {
  const name = useId();
  return (
    <fieldset className="import-sizes" disabled={props.disabled}>
      <legend>Output size ({importFps} fps)</legend>
      {importOutputSizes.map((size, index) => (
        <label key={size.label} className="import-radio">
          <input
            type="radio"
            name={`${name}-size`}
            checked={props.sizeIndex === index}
            onChange={() => props.onChange(index)}
          />
          {size.label}
        </label>
      ))}
    </fieldset>
  );
}
