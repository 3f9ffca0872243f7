import { useEffect, useRef, useState } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import { useAppStore } from '../../store/app-store.ts';
import {
  describeElevenLabsTest,
  describeSyncTalkTest,
  type TestOutcome,
} from './connection-test.ts';

/** A "Test connection" button and what it found; answers after unmount are dropped. */
type TestState = { phase: 'idle' } | { phase: 'testing' } | { phase: 'done'; outcome: TestOutcome };

function ConnectionTest({
  label,
  run,
  disabledReason,
  testId,
}: {
  /** What is tested, for the button's accessible description. */
  label: string;
  run: () => Promise<TestOutcome>;
  disabledReason: string | null;
  testId: string;
}) {
  const [state, setState] = useState<TestState>({ phase: 'idle' });
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  async function test(): Promise<void> {
    setState({ phase: 'testing' });
    const outcome = await run();
    if (alive.current) setState({ phase: 'done', outcome });
  }

  return (
    <div className="settings-test" role="group" aria-label={`${label} connection test`}>
      <div className="field-row">
        <button
          type="button"
          onClick={() => void test()}
          disabled={state.phase === 'testing' || disabledReason !== null}
          title={disabledReason ?? undefined}
        >
          {state.phase === 'testing' ? 'Testing…' : 'Test connection'}
        </button>
      </div>
      {disabledReason ? <p className="hint">{disabledReason}</p> : null}
      <div role="status" data-testid={testId}>
        {state.phase === 'done' ? (
          <div className={state.outcome.ok ? 'settings-test-ok' : 'settings-test-problem'}>
            <p>
              <span aria-hidden="true">{state.outcome.ok ? '✓ ' : '⚠ '}</span>
              {state.outcome.message}
            </p>
            {state.outcome.hint ? <p className="hint">{state.outcome.hint}</p> : null}
          </div>
        ) : null}
      </div>
    </div>
  );
}

/** Asks main for the key's status, then ElevenLabs itself for the quota with that key. */
async function testElevenLabs(): Promise<TestOutcome> {
  const status = await rapido.elevenLabs.status();
  const quota = status.ok && status.value.key.present ? await rapido.elevenLabs.quota() : null;
  return describeElevenLabsTest(status, quota);
}

export function ElevenLabsTest() {
  return (
    <ConnectionTest
      label="ElevenLabs"
      run={testElevenLabs}
      disabledReason={null}
      testId="settings-elevenlabs-test"
    />
  );
}

export function SyncTalkTest() {
  const avatar = useAppStore((s) => s.lesson?.avatar ?? null);
  const syncTalk = avatar?.provider === 'synctalk' ? avatar : null;
  return (
    <ConnectionTest
      label="SyncTalk"
      run={async () => {
        if (!syncTalk) {
          return { ok: false, message: 'This lesson uses the built-in avatar.', hint: null };
        }
        return describeSyncTalkTest(
          await rapido.avatar.checkSyncTalk(syncTalk),
          syncTalk.avatarName,
        );
      }}
      disabledReason={
        avatar === null
          ? 'Open a lesson to test its avatar server.'
          : syncTalk
            ? null
            : 'The lesson uses the built-in avatar: there is no server to test.'
      }
      testId="settings-synctalk-test"
    />
  );
}
