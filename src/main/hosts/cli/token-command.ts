import { parseArgs } from 'node:util';
import { readEnvironment } from '../../services/platform/config/environment.ts';
import {
  apiScopeSchema,
  apiScopes,
  maxTokenLifeSeconds,
  mintToken,
  parseLifetime,
  type ApiScope,
} from '../../service/auth/api-token.ts';
import { argumentsOrExit, describe, fail, usage } from './cli-support.ts';

/**
 * `rapido token --scope jobs:submit,jobs:read [--expires 1h] [--subject name]`: prints a bearer
 * token for the API (HS256 with JWT_SECRET, the same secret `rapido api` checks with). The token
 * goes to stdout alone, so `TOKEN=$(rapido token ...)` works; nothing else is printed there.
 * The scopes are required: a token may do only what it was minted for.
 */
export async function token(argv: string[]): Promise<number> {
  const { values, positionals } = argumentsOrExit(() =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        scope: { type: 'string' },
        expires: { type: 'string' },
        subject: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (positionals.length > 0) fail(2, `token takes no <arguments>\n${usage}`);
  if (values.scope === undefined) {
    fail(2, `token needs --scope (one or more of ${apiScopes.join(', ')}, comma-separated)`);
  }
  const scopes: ApiScope[] = [];
  for (const item of values.scope.split(',').map((text) => text.trim())) {
    const parsed = apiScopeSchema.safeParse(item);
    if (!parsed.success) fail(2, `--scope: "${item}" is not one of ${apiScopes.join(', ')}`);
    scopes.push(parsed.data);
  }
  const lifetime = parseLifetime(values.expires ?? '1h');
  if (lifetime === null || lifetime > maxTokenLifeSeconds) {
    fail(
      2,
      `--expires must be a time like 30m, 1h or 7d (at most ${maxTokenLifeSeconds / 86_400}d)`,
    );
  }
  const env = readEnvironment();
  if (!env.ok) fail(2, env.message);
  const secret = env.value.JWT_SECRET;
  if (secret === undefined) fail(2, 'JWT_SECRET is not set: the token is signed with it');
  try {
    const minted = await mintToken({
      secret,
      subject: values.subject ?? 'rapido-cli',
      scopes,
      lifetimeSeconds: lifetime,
    });
    process.stdout.write(`${minted}\n`);
    return 0;
  } catch (error) {
    fail(2, describe(error));
  }
}
