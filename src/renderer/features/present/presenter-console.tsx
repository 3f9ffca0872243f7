import { useEffect, useRef, useState } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import { useProgram } from '../program/use-program.tsx';
import { isOnAir, useAppStore, type ProgramSnapshot } from '../../store/app-store.ts';
import { formatBytes, formatClock } from '../../../shared/format-units.ts';
import type { DisplayInfo } from '../../../shared/ipc/contract.ts';
import { slideTitle, type Lesson } from '../../../shared/lesson/lesson-schema.ts';
import { PlayPauseButton } from '../program/play-pause-button.tsx';
import { ProgramView } from '../program/program-view.tsx';
import { usePresentStore } from './present-store.ts';
import {
  openProgramWindow,
  placeProgramWindow,
  programWindow,
  type ProgramWindowPlacement,
} from './program-window.ts';
import { useAssetUrl } from './use-asset-url.ts';
import './presenter-console.css';

/**
 * Present mode: what the presenter sees while the audience sees the program. The program itself
 * (the one canvas), what comes next, the notes, the narration with the word being spoken, the
 * clocks, every output's state at a glance, and the controls (all also on the keyboard).
 */
export function PresenterConsole() {
  const lesson = useAppStore((s) => s.lesson);
  const lessonDir = useAppStore((s) => s.lessonDir);
  const playback = useAppStore((s) => s.playback);
  const slideIndex = playback.slideIndex;
  const slide = lesson?.slides[slideIndex] ?? null;
  return (
    <div className="present-console" data-testid="presenter-console">
      <div className="present-program">
        <ProgramView />
      </div>
      <ConsoleControls lesson={lesson} playback={playback} />
      <StatusStrip lesson={lesson} playback={playback} />
      <section className="present-narration" aria-label="Narration">
        <h2>Narration</h2>
        {slide ? (
          <Narration text={slide.narration} index={slideIndex} playback={playback} />
        ) : (
          <p className="present-empty">No lesson open.</p>
        )}
      </section>
      <aside className="present-side" aria-label="Presenter view">
        <Clocks lesson={lesson} playback={playback} />
        <NextSlide lesson={lesson} lessonDir={lessonDir} index={slideIndex + 1} />
        <section className="present-notes" aria-label="Notes">
          <h2>Notes</h2>
          <div className="present-notes-text" data-testid="console-notes" tabIndex={0}>
            {slide?.notes ? slide.notes : <span className="present-empty">No notes.</span>}
          </div>
        </section>
        <ProgramWindowControls />
      </aside>
    </div>
  );
}

function Clocks({ lesson, playback }: { lesson: Lesson | null; playback: ProgramSnapshot }) {
  const count = lesson?.slides.length ?? 0;
  const exact = playback.totalMs !== null;
  const totalMs = playback.totalMs ?? playback.estimatedTotalMs;
  const remainingMs = Math.max(0, totalMs - playback.programMs);
  return (
    <div className="present-clocks" role="group" aria-label="Position and time">
      <div>
        <span className="present-clock-label">Slide</span>
        <span className="present-clock-value" data-testid="console-slide-position">
          Slide {count === 0 ? 0 : playback.slideIndex + 1} / {count}
        </span>
      </div>
      <div>
        <span className="present-clock-label">Elapsed</span>
        <span
          className="present-clock-value"
          data-testid="console-elapsed"
          data-program-ms={Math.round(playback.programMs)}
        >
          {formatClock(playback.programMs)}
        </span>
      </div>
      <div>
        <span className="present-clock-label">Remaining{exact ? '' : ' (estimate)'}</span>
        <span className="present-clock-value" data-testid="console-remaining">
          {exact ? '' : '~'}
          {formatClock(remainingMs)}
        </span>
      </div>
    </div>
  );
}

function NextSlide(props: { lesson: Lesson | null; lessonDir: string | null; index: number }) {
  const { lesson, lessonDir, index } = props;
  const next = lesson?.slides[index] ?? null;
  const url = useAssetUrl(lessonDir, next?.image ?? null);
  return (
    <section className="present-next" aria-label="Next slide">
      <h2>Next{next ? `: ${index + 1}. ${slideTitle(next, index)}` : ''}</h2>
      <div className="present-next-frame" data-testid="console-next">
        {next ? (
          url ? (
            <img src={url} alt={`Next slide: ${slideTitle(next, index)}`} />
          ) : null
        ) : (
          <span className="present-next-end">End of lesson</span>
        )}
      </div>
    </section>
  );
}

/** The slide's narration with the word being heard marked, kept in view as it moves. */
function Narration(props: { text: string; index: number; playback: ProgramSnapshot }) {
  const { text, index, playback } = props;
  const mark = useRef<HTMLElement>(null);
  const word = playback.spokenWord;
  const range =
    word &&
    word.slideIndex === index &&
    word.charEnd <= text.length &&
    word.charStart < word.charEnd
      ? word
      : null;
  useEffect(() => {
    // 'nearest' scrolls only the narration box, and only when the word would leave it.
    mark.current?.scrollIntoView({ block: 'nearest' });
  }, [range?.charStart, index]);
  return (
    <p className="present-narration-text" data-testid="console-narration">
      {range ? (
        <>
          {text.slice(0, range.charStart)}
          <mark ref={mark} data-char-start={range.charStart} data-char-end={range.charEnd}>
            {text.slice(range.charStart, range.charEnd)}
          </mark>
          {text.slice(range.charEnd)}
        </>
      ) : (
        text
      )}
    </p>
  );
}

function ConsoleControls(props: { lesson: Lesson | null; playback: ProgramSnapshot }) {
  const { engine } = useProgram();
  const { lesson, playback } = props;
  const typedSlide = usePresentStore((s) => s.typedSlide);
  const count = lesson?.slides.length ?? 0;
  const { playState, slideIndex } = playback;
  const disabled = lesson === null || playback.exporting !== null;
  const onAir = isOnAir(playState);
  const [jumpTarget, setJumpTarget] = useState(0);
  // The list follows the show until the presenter picks another slide in it.
  useEffect(() => setJumpTarget(slideIndex), [slideIndex]);

  return (
    <div className="present-controls">
      <div className="present-transport" role="toolbar" aria-label="Presenter controls">
        <button
          type="button"
          disabled={disabled || slideIndex === 0}
          onClick={() => void engine.goToSlide(slideIndex - 1)}
          aria-label="Previous slide"
          title="Previous slide (← or Page Up)"
        >
          ◀ Prev
        </button>
        <PlayPauseButton playback={playback} disabled={disabled} pause="sentence-end" />
        <button
          type="button"
          disabled={disabled || slideIndex >= count - 1}
          onClick={() => void engine.goToSlide(slideIndex + 1)}
          aria-label="Next slide"
          title="Next slide (→ or Page Down)"
        >
          Next ▶
        </button>
        <button
          type="button"
          disabled={!onAir}
          onClick={() => void engine.stop()}
          title="Stop (Esc)"
        >
          ■ Stop
        </button>
        <button
          type="button"
          className={playback.blanked ? 'present-blank active' : 'present-blank'}
          aria-pressed={playback.blanked}
          disabled={lesson === null}
          onClick={() => engine.setBlank(!engine.isBlank)}
          title="Blank the program to black (B or .)"
        >
          Blank program
        </button>
        <form
          className="present-jump"
          onSubmit={(event) => {
            event.preventDefault();
            void engine.goToSlide(jumpTarget);
          }}
        >
          <label>
            <span>Jump to</span>
            <select
              value={jumpTarget}
              onChange={(event) => setJumpTarget(Number(event.target.value))}
              disabled={disabled}
              aria-label="Jump to slide"
            >
              {lesson?.slides.map((candidate, index) => (
                <option key={candidate.id} value={index}>
                  {index + 1}. {slideTitle(candidate, index)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={disabled} title="Or type the number, then Enter">
            Go
          </button>
        </form>
      </div>
      <div className="present-messages" aria-live="polite">
        <span data-testid="console-play-state" className={`badge state-${playState}`}>
          {playState}
        </span>
        {playback.pausePending ? (
          <span className="present-pausing" data-testid="console-pausing">
            Pausing after this sentence… (press again to pause now)
          </span>
        ) : null}
        {typedSlide.length > 0 ? (
          <span className="present-typed" data-testid="console-typed-slide">
            Go to slide {typedSlide}: press Enter (Esc cancels)
          </span>
        ) : null}
        {playback.editPending ? (
          <span className="present-edit-pending">Edits apply when the presentation stops.</span>
        ) : null}
      </div>
    </div>
  );
}

type Tone = 'ok' | 'warn' | 'bad' | 'off';

function StatusStrip({ lesson, playback }: { lesson: Lesson | null; playback: ProgramSnapshot }) {
  const windowState = usePresentStore((s) => s.programWindow);
  const items: { name: string; text: string; tone: Tone }[] = [
    {
      name: 'Voice',
      text: lesson
        ? `${lesson.voice.provider === 'elevenlabs' ? 'ElevenLabs' : 'Offline'} ready`
        : 'no lesson',
      tone: lesson ? 'ok' : 'off',
    },
    avatarStatus(playback.avatarSource),
    liveStatus(playback.live.state),
    recordingStatus(playback),
    {
      name: 'Blank',
      text: playback.blanked ? 'on: program is black' : 'off',
      tone: playback.blanked ? 'warn' : 'off',
    },
    {
      name: 'Program window',
      text: windowState ? `open on ${windowState.displayLabel}` : 'closed',
      tone: windowState ? 'ok' : 'off',
    },
  ];
  return (
    <ul className="present-status" aria-label="Output status" data-testid="console-status">
      {items.map((item) => (
        <li
          key={item.name}
          className={`present-status-item tone-${item.tone}`}
          data-testid={`status-${item.name.toLowerCase().replace(/\s+/g, '-')}`}
        >
          <span className="present-status-dot" aria-hidden="true" />
          <span className="present-status-name">{item.name}:</span> {item.text}
        </li>
      ))}
    </ul>
  );
}

function avatarStatus(source: ProgramSnapshot['avatarSource']) {
  switch (source) {
    case 'local':
      return { name: 'Avatar', text: 'local', tone: 'ok' as const };
    case 'synctalk':
      return { name: 'Avatar', text: 'SyncTalk', tone: 'ok' as const };
    case 'local-fallback':
      return { name: 'Avatar', text: 'local standing in', tone: 'warn' as const };
  }
}

function liveStatus(state: ProgramSnapshot['live']['state']) {
  const tone: Tone =
    state === 'live' ? 'ok' : state === 'failed' ? 'bad' : state === 'idle' ? 'off' : 'warn';
  return { name: 'LiveKit', text: state, tone };
}

function recordingStatus(playback: ProgramSnapshot) {
  const state = playback.recorderState;
  if (state === 'idle') return { name: 'Recording', text: 'idle', tone: 'off' as const };
  const size = playback.recording ? ` (${formatBytes(playback.recording.bytesWritten)})` : '';
  return {
    name: 'Recording',
    text: `${state}${size}`,
    tone: state === 'recording' ? ('bad' as const) : ('warn' as const),
  };
}

const thisDisplay = 'this display';

/** Where the audience window goes, and the button that opens it. */
function ProgramWindowControls() {
  const { engine } = useProgram();
  const [displays, setDisplays] = useState<DisplayInfo[]>([]);
  const [placement, setPlacement] = useState<ProgramWindowPlacement>({
    displayId: null,
    fullscreen: false,
  });
  const [problem, setProblem] = useState<string | null>(null);
  const windowState = usePresentStore((s) => s.programWindow);
  const setProgramWindow = usePresentStore((s) => s.setProgramWindow);

  useEffect(() => {
    let live = true;
    void rapido.programWindow.displays().then((answer) => {
      if (!live || !answer.ok) return;
      setDisplays(answer.value.displays);
      // A second screen is where the audience looks: offer it first, full screen.
      const other = answer.value.displays.find((display) => !display.primary);
      if (other) setPlacement({ displayId: other.id, fullscreen: true });
    });
    return () => {
      live = false;
    };
  }, []);

  // Placed ahead of the click: the click must open the window before anything is awaited.
  useEffect(() => {
    let live = true;
    void placeProgramWindow(placement).then((error) => {
      if (live) setProblem(error ? error.message : null);
    });
    return () => {
      live = false;
    };
  }, [placement]);

  // The console may have been away (Edit mode) while the window was closed.
  useEffect(() => {
    if (windowState && !programWindow()) setProgramWindow(null);
  }, [windowState, setProgramWindow]);

  const label =
    displays.find((display) => display.id === placement.displayId)?.label ?? thisDisplay;

  function open() {
    const handle = openProgramWindow(engine, () =>
      usePresentStore.getState().setProgramWindow(null),
    );
    if (!handle) {
      setProblem('The browser did not open the program window (are pop-ups blocked?).');
      return;
    }
    setProblem(null);
    setProgramWindow({ displayLabel: label });
  }

  return (
    <section className="present-window" aria-label="Program window">
      <h2>Program window</h2>
      <div className="present-window-row">
        <label>
          <span>Display</span>
          <select
            aria-label="Program window display"
            value={placement.displayId ?? ''}
            onChange={(event) =>
              setPlacement({
                ...placement,
                displayId: event.target.value === '' ? null : Number(event.target.value),
              })
            }
          >
            <option value="">This display</option>
            {displays.map((display) => (
              <option key={display.id} value={display.id}>
                {display.label} ({display.width}×{display.height}){display.primary ? ', main' : ''}
              </option>
            ))}
          </select>
        </label>
        <label className="present-check">
          <input
            type="checkbox"
            checked={placement.fullscreen}
            onChange={(event) => setPlacement({ ...placement, fullscreen: event.target.checked })}
          />
          <span>Full screen</span>
        </label>
      </div>
      <div className="present-window-row">
        <button type="button" onClick={open}>
          {windowState ? 'Show program window' : 'Open program window'}
        </button>
        {windowState ? (
          <button type="button" onClick={() => programWindow()?.close()}>
            Close it
          </button>
        ) : null}
      </div>
      <p className="present-window-state" data-testid="program-window-state">
        Program window: {windowState ? `open on ${windowState.displayLabel}` : 'closed'}
      </p>
      {problem ? <p className="present-window-problem">{problem}</p> : null}
    </section>
  );
}
