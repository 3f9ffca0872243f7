import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import {
  speechSampleRateHz,
  type SynthesizedSpeech,
} from '../../src/main/services/speech/speech-types.ts';
import type { Result } from '../../src/shared/result.ts';
import {
  alignmentJson,
  audioTagRanges,
  blankRanges,
  characterTimes,
  planChunks,
  type CharacterRange,
  type CharacterTimes,
  type PlannedChunk,
} from './alignment.ts';
import {
  defaultModelId,
  referenceModels,
  referenceVoices,
  type ReferenceModel,
  type ReferenceVoice,
} from './catalogue.ts';
import { deliver } from './delivery.ts';
import { pcmBytes, sendJson } from './http-io.ts';
import { parseSynthesisBody, type SynthesisBody } from './request-body.ts';
import { defaultFailureBody, detail, voiceNotFound, type SynthesisRoute } from './routes.ts';
import { concurrencyHeaders, type RecordedRequest, type ReferenceState } from './server-state.ts';

/**
 * The two streaming text-to-speech endpoints: the real API's checks in its order, then the
 * offline voice speaks the text and delivery.ts paces the chunks out.
 */

/** Real responses end with audio-only chunks; so do these. */
const tailSilenceMs = 100;
const outputFormat = 'pcm_16000';
const minRateWpm = 80;
const maxRateWpm = 450;

interface Refusal {
  status: number;
  body: unknown;
  headers?: OutgoingHttpHeaders;
}

interface Admitted {
  body: SynthesisBody;
  voice: ReferenceVoice;
  model: ReferenceModel;
}

/** Checks the request before anything is charged: why it is refused, or what it asks for. */
function admit(
  state: ReferenceState,
  record: RecordedRequest,
  route: SynthesisRoute,
  raw: Uint8Array,
): { refused: Refusal } | { admitted: Admitted } {
  // Injected faults stand for an overloaded or broken service: they answer before validation.
  const failure = state.failEvery ?? state.failQueue.shift();
  if (failure) {
    const headers =
      failure.retryAfterSeconds === undefined
        ? {}
        : { 'retry-after': String(failure.retryAfterSeconds) };
    return {
      refused: {
        status: failure.status,
        body: failure.body ?? defaultFailureBody(failure.status),
        headers,
      },
    };
  }
  const format = record.query.output_format;
  if (format !== outputFormat) {
    const got = format === undefined ? 'none, i.e. the mp3_44100_128 default' : `"${format}"`;
    const msg = `The reference server only produces ${outputFormat} (got ${got}).`;
    return {
      refused: {
        status: 422,
        body: { detail: [{ loc: ['query', 'output_format'], msg, type: 'value_error' }] },
      },
    };
  }
  const parsed = parseSynthesisBody(raw);
  if (!parsed.ok) return { refused: { status: 422, body: { detail: parsed.detail } } };
  const refusal = contentRefusal(state, parsed.body, route);
  if ('status' in refusal) return { refused: refusal };
  return { admitted: refusal };
}

/** The checks on what the body asks for: text, voice, model, quota, concurrency. */
function contentRefusal(
  state: ReferenceState,
  body: SynthesisBody,
  route: SynthesisRoute,
): Refusal | Admitted {
  const { config } = state;
  const text = body.text;
  if (text.trim().length === 0) {
    return { status: 422, body: detail('invalid_request', 'Text must not be empty.') };
  }
  if (text.length > config.maxTextLength) {
    const message = `Text is too long: ${text.length} characters, at most ${config.maxTextLength} per request.`;
    return { status: 422, body: detail('invalid_request', message) };
  }
  const voice = referenceVoices.find((candidate) => candidate.voiceId === route.voiceId);
  if (!voice) return { status: 404, body: voiceNotFound(route.voiceId) };
  const modelId = body.model_id ?? defaultModelId;
  const model = referenceModels.find((candidate) => candidate.modelId === modelId);
  if (!model) {
    const message = `A model with model ID ${modelId} does not exist.`;
    return { status: 400, body: detail('model_not_found', message) };
  }
  const remaining = Math.max(0, state.characterLimit - state.characterCount);
  if (text.length > remaining) {
    const message = `This request exceeds your quota of ${state.characterLimit}. You have ${remaining} credits remaining, while ${text.length} credits are required for this request.`;
    return { status: 401, body: detail('quota_exceeded', message) };
  }
  if (state.activeSyntheses >= config.maxConcurrentRequests) {
    const message = `Too many concurrent requests. Your current subscription is associated with a maximum of ${config.maxConcurrentRequests} concurrent requests (running ${state.activeSyntheses}). Please upgrade your subscription or reduce the number of concurrent requests.`;
    return { status: 429, body: detail('too_many_concurrent_requests', message) };
  }
  return { body, voice, model };
}

/**
 * The offline voice speaking `spokenText`. The real service answers in ~75 ms whatever the
 * text; the offline voice needs longer, so a text heard before is remembered and its first byte
 * keeps to the configured delay (benchmarks play a lesson once to prime this, then measure).
 */
async function speak(
  state: ReferenceState,
  spokenText: string,
  voice: ReferenceVoice,
  speed: number,
  signal: AbortSignal,
): Promise<Result<SynthesizedSpeech>> {
  const rateWpm = Math.round(voice.espeak.rateWpm * speed);
  const espeakVoice = {
    ...voice.espeak,
    rateWpm: Math.min(maxRateWpm, Math.max(minRateWpm, rateWpm)),
  };
  const memoKey = JSON.stringify([spokenText, espeakVoice]);
  const remembered = state.rendered.get(memoKey);
  if (remembered) return { ok: true, value: remembered };
  const speech = await state.provider.synthesize(spokenText, espeakVoice, signal);
  if (speech.ok) state.rendered.set(memoKey, speech.value);
  return speech;
}

export async function handleSynthesis(
  state: ReferenceState,
  res: ServerResponse,
  record: RecordedRequest,
  route: SynthesisRoute,
  raw: Uint8Array,
): Promise<void> {
  const admission = admit(state, record, route, raw);
  if ('refused' in admission) {
    const { status, body, headers } = admission.refused;
    sendJson(record, res, status, body, { ...concurrencyHeaders(state), ...headers });
    return;
  }
  const { body, voice, model } = admission.admitted;
  const text = body.text;

  // Admitted: the slot is held and the characters charged until the response is over.
  state.activeSyntheses++;
  state.characterCount += text.length;
  const headers: OutgoingHttpHeaders = {
    ...concurrencyHeaders(state),
    'content-type': route.withTimestamps ? 'application/json' : 'audio/pcm',
    'character-cost': String(text.length),
  };
  const abort = new AbortController();
  let cancelDelivery: () => void = () => undefined;
  res.once('close', () => {
    state.activeSyntheses--;
    abort.abort();
    cancelDelivery();
  });

  const dueAtMs = record.startedAtMs + state.firstByteDelayMs;
  const tags = model.performsAudioTags ? audioTagRanges(text) : [];
  const speed = body.voice_settings?.speed ?? 1;
  const speech = await speak(state, blankRanges(text, tags), voice, speed, abort.signal);
  if (res.destroyed) return;
  if (!speech.ok) {
    state.characterCount -= text.length;
    state.log.warn('offline voice failed', { error: speech.error });
    const message = `Synthesis failed: ${speech.error.message}`;
    sendJson(record, res, 500, detail('internal_server_error', message));
    return;
  }
  const times = characterTimes(text, speech.value.words, speech.value.durationMs, tags);
  const chunks = planChunks({
    pcm: speech.value.pcm,
    sampleRateHz: speechSampleRateHz,
    chunkMs: state.config.chunkMs,
    tailSilenceMs,
    characterStartMs: times.startMs,
  });
  const payloads = chunks.map((chunk) => ({
    bytes: route.withTimestamps
      ? Buffer.from(`${JSON.stringify(timestampedLine(text, times, tags, chunk))}\n`)
      : pcmBytes(chunk.pcm),
    audioStartMs: chunk.audioStartMs,
  }));
  cancelDelivery = deliver(state, res, record, headers, payloads, dueAtMs);
}

/** One NDJSON line: the chunk's audio and the characters that start in it (or null). */
function timestampedLine(
  text: string,
  times: CharacterTimes,
  tags: readonly CharacterRange[],
  chunk: PlannedChunk,
): Record<string, unknown> {
  // The normalized text is what was spoken: performed audio tags are not in it.
  const inTag = (index: number): boolean =>
    tags.some((tag) => index >= tag.start && index < tag.end);
  return {
    audio_base64: pcmBytes(chunk.pcm).toString('base64'),
    alignment: alignmentJson(text, times, chunk.characterStart, chunk.characterEnd),
    normalized_alignment: alignmentJson(
      text,
      times,
      chunk.characterStart,
      chunk.characterEnd,
      inTag,
    ),
  };
}
