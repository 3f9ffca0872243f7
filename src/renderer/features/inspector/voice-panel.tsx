import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { isOnAir, useAppStore, type AppStore } from '../../store/app-store.ts';
import type {
  ElevenLabsVoice,
  Lesson,
  VoiceSettings,
} from '../../../shared/lesson/lesson-schema.ts';
import { CostSection } from '../voice/cost-section.tsx';
import { KeySection } from '../voice/key-section.tsx';
import { PreviewSection } from '../voice/preview-section.tsx';
import {
  useElevenLabsAccount,
  useElevenLabsCatalogue,
  type ElevenLabsAccount,
  type ElevenLabsCatalogue,
} from '../voice/use-eleven-labs.ts';
import {
  lockedTitle,
  selectSettingsLocked,
  useLessonSettings,
} from '../voice/use-lesson-settings.ts';
import { useNarrationEstimate } from '../voice/use-narration-estimate.ts';
import { useVoicePreview } from '../voice/use-voice-preview.ts';
import {
  hasVoice,
  offlineVoiceOf,
  switchToElevenLabs,
  type VoiceProvider,
} from '../voice/voice-choice.ts';
import { VoicePicker } from '../voice/voice-picker.tsx';
import { VoiceSettingsEditor } from '../voice/voice-settings-editor.tsx';

/**
 * The lesson's voice: offline or ElevenLabs (key, voice, model, settings), a preview heard only
 * here, what the lesson will cost before it goes live, and burned-in captions. Every change is
 * saved to lesson.json and the lesson reloaded, so what plays is what is on disk; changes wait
 * while the presentation runs.
 */

function selectPlayState(s: AppStore): AppStore['playback']['playState'] {
  return s.playback.playState;
}

function selectSlideIndex(s: AppStore): number {
  return s.playback.slideIndex;
}

function sameVoice(a: VoiceSettings, b: VoiceSettings): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Keys a select or button in the panel needs for itself (Space opens, arrows choose) must not
 * also reach the presenter's shortcuts on window (Space = play, arrows = slides).
 */
function keepKeysInControls(event: KeyboardEvent<HTMLElement>): void {
  const target = event.target;
  if (!(target instanceof HTMLSelectElement || target instanceof HTMLButtonElement)) return;
  if ([' ', 'Enter', 'ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'].includes(event.key)) {
    event.stopPropagation();
  }
}

function ProviderChoice({
  provider,
  locked,
  onChoose,
}: {
  provider: VoiceProvider;
  locked: boolean;
  onChoose: (provider: VoiceProvider) => void;
}) {
  const name = useId();
  const title = locked ? lockedTitle : undefined;
  const choices: { value: VoiceProvider; label: string }[] = [
    { value: 'offline', label: 'Offline voice' },
    { value: 'elevenlabs', label: 'ElevenLabs' },
  ];
  return (
    <div className="segmented" role="radiogroup" aria-label="Voice provider" title={title}>
      {choices.map((choice) => (
        <label key={choice.value} className={provider === choice.value ? 'selected' : undefined}>
          <input
            type="radio"
            name={name}
            value={choice.value}
            checked={provider === choice.value}
            disabled={locked}
            title={title}
            onChange={() => onChoose(choice.value)}
          />
          {choice.label}
        </label>
      ))}
    </div>
  );
}

function LessonVoice({
  lesson,
  account,
  catalogue,
}: {
  lesson: Lesson;
  account: ElevenLabsAccount;
  catalogue: ElevenLabsCatalogue;
}) {
  const locked = useAppStore(selectSettingsLocked);
  const playState = useAppStore(selectPlayState);
  const slideIndex = useAppStore(selectSlideIndex);
  const { state: saveState, save } = useLessonSettings();
  /** What the trainer asked for, shown until it is saved (or while ElevenLabs waits for a voice). */
  const [askedVoice, setAskedVoice] = useState<VoiceSettings | null>(null);
  const [askedBurnIn, setAskedBurnIn] = useState<boolean | null>(null);
  /** The ElevenLabs choice before a switch to offline, restored on switching back. */
  const remembered = useRef<ElevenLabsVoice | null>(null);
  const status = account.status.phase === 'ready' ? account.status.value : null;
  const defaultVoiceId = status?.defaults.voiceId ?? null;
  const voice = askedVoice ?? lesson.voice;
  const burnIn = askedBurnIn ?? lesson.captions.burnIn;
  const title = locked ? lockedTitle : undefined;
  const { estimate, refresh: refreshEstimate } = useNarrationEstimate(lesson);
  const { refresh: refreshAccount, refreshQuota } = account;
  const keyPresent = status?.key.present ?? false;
  const preview = useVoicePreview(refreshAccount);

  // A reloaded lesson starts preparing its first slides: the quota moves with the estimate.
  useEffect(() => {
    if (keyPresent) refreshQuota();
  }, [lesson, keyPresent, refreshQuota]);

  // Sentences are cached as they play: when the show stops, the cost and quota have moved.
  // Any change of state may also have opened or closed ElevenLabs' pause.
  const lastPlayState = useRef(playState);
  useEffect(() => {
    const before = lastPlayState.current;
    lastPlayState.current = playState;
    if (before === playState) return;
    if (isOnAir(before) && !isOnAir(playState)) refreshEstimate();
    refreshAccount();
  }, [playState, refreshEstimate, refreshAccount]);

  const changeVoice = useCallback(
    (next: VoiceSettings) => {
      if (locked) return;
      // Back to what is on disk: nothing to save, unless a save of something else is running.
      if (sameVoice(next, lesson.voice) && saveState.phase !== 'saving') {
        setAskedVoice(null);
        return;
      }
      setAskedVoice(next);
      // ElevenLabs without a voice would only fall back: it is saved once a voice is chosen.
      if (next.provider === 'elevenlabs' && !hasVoice(next, defaultVoiceId)) return;
      void save(lesson.id, { voice: next }).then(() =>
        setAskedVoice((current) => (current === next ? null : current)),
      );
    },
    [locked, lesson, defaultVoiceId, save, saveState.phase],
  );

  function chooseProvider(provider: VoiceProvider): void {
    if (provider === voice.provider) return;
    if (voice.provider === 'elevenlabs') {
      remembered.current = voice;
      changeVoice(offlineVoiceOf(voice));
    } else {
      changeVoice(switchToElevenLabs(voice, remembered.current));
    }
  }

  function changeBurnIn(next: boolean): void {
    if (locked) return;
    setAskedBurnIn(next);
    void save(lesson.id, { burnInCaptions: next }).then(() =>
      setAskedBurnIn((current) => (current === next ? null : current)),
    );
  }

  const offline = offlineVoiceOf(voice);
  return (
    <div className="voice-body" onKeyDown={keepKeysInControls}>
      <ProviderChoice provider={voice.provider} locked={locked} onChoose={chooseProvider} />
      <p className="hint" data-testid="offline-voice">
        {voice.provider === 'offline' ? 'Offline voice' : 'Falls back to the offline voice'}{' '}
        <code>{offline.voice}</code>, {offline.rateWpm} words a minute
      </p>
      {status?.paused ? (
        <div className="voice-warning" role="status" data-testid="elevenlabs-paused">
          <p>{status.paused.message}</p>
          {status.paused.hint ? <p className="hint">{status.paused.hint}</p> : null}
        </div>
      ) : null}
      <KeySection account={account} />
      {voice.provider === 'elevenlabs' ? (
        <>
          <VoicePicker
            voice={voice}
            status={status}
            catalogue={catalogue}
            disabled={locked}
            title={title}
            onChange={changeVoice}
          />
          {hasVoice(voice, defaultVoiceId) ? (
            <VoiceSettingsEditor
              voice={voice}
              disabled={locked}
              title={title}
              onChange={changeVoice}
            />
          ) : null}
        </>
      ) : null}
      <PreviewSection
        narration={lesson.slides[slideIndex]?.narration}
        state={preview.state}
        outcome={preview.outcome}
        onSpeak={(text) => void preview.speak({ lessonId: lesson.id, text, voice: lesson.voice })}
        onStop={preview.stop}
      />
      <CostSection
        estimate={estimate}
        quota={account.quota}
        onRefresh={() => {
          refreshEstimate();
          refreshQuota();
        }}
      />
      <div className="voice-captions" title={title}>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={burnIn}
            disabled={locked}
            title={title}
            onChange={(event) => changeBurnIn(event.target.checked)}
          />
          Burn captions into the program
        </label>
        <p className="hint">A .vtt captions file is always written beside recordings.</p>
      </div>
      {saveState.phase === 'saving' ? (
        <p className="hint" role="status" data-testid="voice-saving">
          Saving…
        </p>
      ) : saveState.phase === 'failed' ? (
        <div className="voice-problem" role="alert" data-testid="voice-save-problem">
          <p>{saveState.error.message}</p>
          {saveState.error.details?.map((detail) => (
            <p key={detail} className="hint">
              {detail}
            </p>
          ))}
          {saveState.error.hint ? <p className="hint">{saveState.error.hint}</p> : null}
        </div>
      ) : null}
    </div>
  );
}

export function VoicePanel() {
  const lesson = useAppStore((s) => s.lesson);
  const lessonDir = useAppStore((s) => s.lessonDir);
  const account = useElevenLabsAccount();
  const keyInfo = account.status.phase === 'ready' ? account.status.value.key : null;
  // The voices and models belong to the key: asked again when it changes.
  const catalogue = useElevenLabsCatalogue(
    keyInfo?.present
      ? `${account.keyRevision} ${keyInfo.source ?? ''} ${keyInfo.hint ?? ''}`
      : null,
  );
  return (
    <section className="panel voice-panel" aria-label="Voice">
      <h2>Voice</h2>
      {lesson === null ? (
        <p className="hint">No lesson open.</p>
      ) : (
        // Another lesson starts from a clean slate: nothing asked for the previous one carries over.
        <LessonVoice
          key={`${lessonDir ?? ''}\n${lesson.id}`}
          lesson={lesson}
          account={account}
          catalogue={catalogue}
        />
      )}
    </section>
  );
}
