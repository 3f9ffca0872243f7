import { useCallback, useEffect, useRef, useState } from 'react';
import { rapido } from '../../bridge/rapido.ts';
import type { SpeechInfo } from '../../../shared/ipc/contract.ts';
import type { VoiceSettings } from '../../../shared/lesson/lesson-schema.ts';
import type { RapidoError } from '../../../shared/result.ts';
import { PreviewPlayer } from './preview-player.ts';

export type PreviewState =
  | { phase: 'idle' }
  | { phase: 'synthesizing' }
  | { phase: 'playing' }
  | { phase: 'failed'; error: RapidoError };

/** Who spoke the last preview: null until one has been heard. */
export type PreviewOutcome = {
  provider: VoiceSettings['provider'];
  fallback: SpeechInfo['fallback'];
  cached: boolean;
} | null;

/**
 * Speaks a sentence with the lesson's voice through the panel's own PreviewPlayer. A new preview
 * or Stop supersedes the one before; answers that arrive late are not played.
 */
export function useVoicePreview(onSpoken: () => void) {
  const [state, setState] = useState<PreviewState>({ phase: 'idle' });
  const [outcome, setOutcome] = useState<PreviewOutcome>(null);
  const player = useRef<PreviewPlayer | null>(null);
  const run = useRef(0);

  useEffect(() => {
    const owned = new PreviewPlayer();
    player.current = owned;
    return () => {
      run.current += 1;
      player.current = null;
      void owned.dispose();
    };
  }, []);

  const stop = useCallback(() => {
    run.current += 1;
    player.current?.stop();
    setState({ phase: 'idle' });
  }, []);

  const speak = useCallback(
    async (request: { lessonId: string; text: string; voice: VoiceSettings }) => {
      run.current += 1;
      const mine = run.current;
      player.current?.stop();
      setState({ phase: 'synthesizing' });
      setOutcome(null);
      const spoken = await rapido.speech.synthesize({
        lessonId: request.lessonId,
        slideId: 'preview',
        text: request.text,
        voice: request.voice,
      });
      if (mine !== run.current) return;
      onSpoken();
      if (!spoken.ok) {
        setState({ phase: 'failed', error: spoken.error });
        return;
      }
      setOutcome({
        provider: request.voice.provider,
        fallback: spoken.value.fallback,
        cached: spoken.value.cached,
      });
      const target = player.current;
      if (!target) return;
      setState({ phase: 'playing' });
      try {
        await target.play(spoken.value.pcm, spoken.value.sampleRateHz, () => {
          if (mine === run.current) setState({ phase: 'idle' });
        });
      } catch (error) {
        if (mine !== run.current) return;
        setState({
          phase: 'failed',
          error: {
            code: 'internal',
            message: `The preview could not be played: ${error instanceof Error ? error.message : String(error)}`,
            hint: 'Check that an audio output device is available.',
          },
        });
      }
    },
    [onSpoken],
  );

  return { state, outcome, speak, stop };
}
