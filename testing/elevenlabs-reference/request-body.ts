import { z } from 'zod';

/**
 * The JSON body of the two streaming text-to-speech endpoints, and FastAPI's 422 shape for what
 * does not fit it (the real server is FastAPI/pydantic: `{"detail": [{type, loc, msg, input}]}`).
 * Unknown fields are allowed, as the SDK sends some the reference server has no use for.
 */

const unitInterval = z.number().min(0).max(1);

const voiceSettingsSchema = z.object({
  stability: unitInterval.nullish(),
  similarity_boost: unitInterval.nullish(),
  style: unitInterval.nullish(),
  use_speaker_boost: z.boolean().nullish(),
  speed: z.number().min(0.7).max(1.2).nullish(),
});

export const synthesisBodySchema = z.object({
  text: z.string(),
  model_id: z.string().nullish(),
  voice_settings: voiceSettingsSchema.nullish(),
  previous_text: z.string().nullish(),
  next_text: z.string().nullish(),
  seed: z.number().int().min(0).max(4_294_967_295).nullish(),
  language_code: z.string().nullish(),
});

export type SynthesisBody = z.infer<typeof synthesisBodySchema>;

export interface ValidationDetail {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
}

export type ParsedSynthesisBody =
  { ok: true; body: SynthesisBody } | { ok: false; detail: ValidationDetail[] };

/** `raw` is the request body as bytes; an empty or non-JSON body is a 422 like FastAPI's. */
export function parseSynthesisBody(raw: Uint8Array): ParsedSynthesisBody {
  const json = parseJson(raw);
  if (!json.ok) {
    return {
      ok: false,
      detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {} }],
    };
  }
  const parsed = synthesisBodySchema.safeParse(json.value, { reportInput: true });
  if (parsed.success) return { ok: true, body: parsed.data };
  return {
    ok: false,
    detail: parsed.error.issues.map((issue) => {
      const missing = issue.code === 'invalid_type' && issue.input === undefined;
      return {
        type: missing ? 'missing' : issue.code === 'invalid_type' ? 'type_error' : 'value_error',
        loc: ['body', ...issue.path.map((key) => (typeof key === 'number' ? key : String(key)))],
        msg: missing ? 'Field required' : issue.message,
        input: issue.input ?? null,
      };
    }),
  };
}

/** JSON, or not; an empty body is not JSON. */
export function parseJson(raw: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  if (raw.length === 0) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(Buffer.from(raw).toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}
