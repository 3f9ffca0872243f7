/**
 * `POST /load_model` body validation shaped like FastAPI's (pydantic v2) 422 responses, so a client
 * sees the same `{"detail": [{type, loc, msg, input}]}` it would get from the real server.
 */

export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, string>;
}

export type LoadModelBody =
  { ok: true; modelName: string; configType: string } | { ok: false; issues: ValidationIssue[] };

/** FastAPI reads the body as JSON when there is no content type or it is JSON (`+json` too). */
function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true;
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return mediaType === 'application/json' || /^application\/[^/]*\+json$/.test(mediaType);
}

export function parseLoadModelBody(
  raw: Uint8Array,
  contentType: string | undefined,
): LoadModelBody {
  if (raw.length === 0) {
    return {
      ok: false,
      issues: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }],
    };
  }
  const text = new TextDecoder().decode(raw);
  let value: unknown = text;
  if (isJsonContentType(contentType)) {
    try {
      value = JSON.parse(text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const position = /position (\d+)/.exec(message)?.[1];
      return {
        ok: false,
        issues: [
          {
            type: 'json_invalid',
            loc: ['body', position === undefined ? 0 : Number(position)],
            msg: 'JSON decode error',
            input: {},
            ctx: { error: message },
          },
        ],
      };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      ok: false,
      issues: [
        {
          type: 'model_attributes_type',
          loc: ['body'],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: value,
        },
      ],
    };
  }
  const fields = value as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const modelName = fields['model_name'];
  if (!Object.hasOwn(fields, 'model_name')) {
    issues.push({
      type: 'missing',
      loc: ['body', 'model_name'],
      msg: 'Field required',
      input: fields,
    });
  } else if (typeof modelName !== 'string') {
    issues.push(stringTypeIssue('model_name', modelName));
  }
  const configType = Object.hasOwn(fields, 'config_type') ? fields['config_type'] : 'default';
  if (typeof configType !== 'string') issues.push(stringTypeIssue('config_type', configType));
  if (issues.length > 0 || typeof modelName !== 'string' || typeof configType !== 'string') {
    return { ok: false, issues };
  }
  return { ok: true, modelName, configType };
}

function stringTypeIssue(field: string, input: unknown): ValidationIssue {
  return {
    type: 'string_type',
    loc: ['body', field],
    msg: 'Input should be a valid string',
    input,
  };
}
