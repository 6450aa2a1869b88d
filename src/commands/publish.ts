import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { defineCommand } from './spec.js';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { checkOwnership, type OwnershipCheck } from '../registry/ownership.js';
import { answerError, DEFAULT_PUBLISH_TOKEN_ENV, publishTarget, publishToken, writeRequest } from '../registry/publish-client.js';
import { OFFICIAL_META_KEY, readServerResponse, type Package } from '../registry/types.js';
import { describeProblems, serverJsonValidator } from '../registry/validate.js';

export interface PublishOptions {
  tokenEnv?: string;
  dryRun?: boolean;
}

/**
 * `mcpm publish [server.json] --registry <url-or-name>`: validates the server.json against the schema that ships
 * with mcpm, checks its packages' ownership where mcpm can reach them, then POSTs it to the registry's
 * /v0.1/publish with the bearer token from $MCPM_PUBLISH_TOKEN (or --token-env). --dry-run stops before the POST.
 */
export async function publish(ctx: Context, file: string | undefined, options: PublishOptions) {
  const source = path.resolve(ctx.cwd, file ?? 'server.json');
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new McpmError(code === 'ENOENT' ? 'ENOTFOUND' : 'EFS', `Cannot read ${source} (${code ?? 'error'})`, {
      hint: file ? 'Check the path.' : 'Run it where your server.json is, or give its path: `mcpm publish path/to/server.json`.',
    });
  }
  let server: unknown;
  try {
    server = JSON.parse(text) as unknown;
  } catch (error) {
    throw new McpmError('EPARSE', `${source} is not valid JSON (${(error as Error).message})`, { hint: 'Fix the file; a server.json is one JSON object.' });
  }
  const problems = (await serverJsonValidator())(server);
  if (problems.length > 0) {
    throw new McpmError('EINVALID', `${source} does not match the server.json schema: ${describeProblems(problems)}`, {
      hint: 'See https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json; nothing was published.',
      detail: problems.map((p) => `${p.path || '(document)'} ${p.message}`).join('\n'),
    });
  }
  const { name, version } = server as { name: string; version: string };
  const packages = readServerResponse({ server }, '')?.server.packages ?? [];
  const ref = options.dryRun && !ctx.options.registry && !ctx.env.MCPM_REGISTRY ? undefined : publishTarget(ctx, 'publish to');
  const tokenEnv = options.tokenEnv ?? DEFAULT_PUBLISH_TOKEN_ENV;
  const token = options.dryRun ? undefined : publishToken(ctx, options.tokenEnv);
  const ownership: OwnershipCheck[] = await checkOwnership(ctx, name, packages as Package[]);
  if (options.dryRun || !ref || !token) return { dryRun: true, name, version, file: source, registry: ref?.url, ownership };

  const answer = await writeRequest(ctx, ref, 'POST', '/v0.1/publish', server, token);
  if (answer.status !== 200 && answer.status !== 201) throw answerError(ref, answer.status, answer.body, `publish ${name}@${version}`, tokenEnv);
  const official = answer.body?._meta?.[OFFICIAL_META_KEY] ?? {};
  return {
    name,
    version,
    registry: ref.url,
    status: typeof official.status === 'string' ? official.status : 'active',
    ...(typeof official.publishedAt === 'string' ? { publishedAt: official.publishedAt } : {}),
    ownership,
  };
}

export const commands = [
  defineCommand({
    name: 'publish',
    description: 'validate a server.json and publish it to a registry (the token is read from $MCPM_PUBLISH_TOKEN)',
    arguments: [['[server.json]', 'the file to publish (default ./server.json)']],
    options: [
      { flags: '--token-env <VAR>', description: `the environment variable holding the registry's publish token (default ${DEFAULT_PUBLISH_TOKEN_ENV})` },
      { flags: '--dry-run', description: 'validate and check ownership only; publish nothing' },
    ],
    run: async (ctx, { args, options }) => ({ result: await publish(ctx, args['server.json'], { tokenEnv: options.tokenEnv, dryRun: Boolean(options.dryRun) }) }),
    render: (result) => {
      const checked = result.ownership.map((o) => `  ${o.result === 'ok' ? 'owned' : 'not checked'}: ${o.package}${o.detail ? ` (${o.detail})` : ''}`);
      const head = 'dryRun' in result
        ? `${result.name}@${result.version} is valid${result.registry ? ` for ${result.registry}` : ''}; nothing was published (--dry-run)`
        : `Published ${result.name}@${result.version} to ${result.registry}`;
      return [head, ...checked].join('\n');
    },
  }),
];
