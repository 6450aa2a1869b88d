import { defineCommand } from './spec.js';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { answerError, DEFAULT_PUBLISH_TOKEN_ENV, publishTarget, publishToken, writeRequest } from '../registry/publish-client.js';
import { isValidServerName, OFFICIAL_META_KEY } from '../registry/types.js';

const STATUSES = ['active', 'deprecated', 'deleted'];

export interface StatusOptions {
  tokenEnv?: string;
  message?: string;
  allVersions?: boolean;
}

/**
 * `mcpm status set <name>@<version> active|deprecated|deleted`: the status endpoints of the v0.1 OpenAPI
 * (PATCH .../versions/{version}/status, or .../status for every version with --all-versions), with the publish token.
 * A deleted version stays listed for clients that sync (so they learn of it) but is no longer offered.
 */
export async function statusSet(ctx: Context, spec: string, status: string, options: StatusOptions) {
  const at = spec.lastIndexOf('@');
  const name = at > 0 ? spec.slice(0, at) : spec;
  const version = at > 0 ? spec.slice(at + 1) : undefined;
  if (!isValidServerName(name)) throw new McpmError('EUSAGE', `"${name}" is not a full server name`, { hint: 'Give namespace/name@version, e.g. io.github.acme/weather@1.2.0.' });
  if (!STATUSES.includes(status)) throw new McpmError('EUSAGE', `"${status}" is not a status`, { hint: `Use one of ${STATUSES.join(', ')}.` });
  if (!version && !options.allVersions) throw new McpmError('EUSAGE', `Say which version of ${name}: ${name}@<version>`, { hint: 'Or pass --all-versions to change every version at once.' });
  if (version && options.allVersions) throw new McpmError('EUSAGE', '--all-versions changes every version: give the name without @version', { hint: `mcpm status set ${name} ${status} --all-versions` });
  if (options.message !== undefined && options.message.length > 500) throw new McpmError('EUSAGE', 'The status message is longer than 500 characters', { hint: 'Say it in fewer words.' });
  const ref = publishTarget(ctx, 'change statuses in');
  const token = publishToken(ctx, options.tokenEnv);
  const target = `/v0.1/servers/${encodeURIComponent(name)}${version ? `/versions/${encodeURIComponent(version)}` : ''}/status`;
  const answer = await writeRequest(ctx, ref, 'PATCH', target, { status, ...(options.message !== undefined ? { statusMessage: options.message } : {}) }, token);
  const what = `set the status of ${version ? `${name}@${version}` : `every version of ${name}`} to ${status}`;
  if (answer.status === 404) {
    throw new McpmError('ENOTFOUND', `Registry ${ref.name} (${ref.url}) has no ${version ? `version ${version} of ${name}` : `server ${name}`}`, { hint: `Check the name and version: \`mcpm info ${name} --registry ${ref.url}\`.` });
  }
  if (answer.status === 400) {
    throw new McpmError('EINVALID', `Registry ${ref.name} (${ref.url}) refused to ${what}: ${String(answer.body?.detail ?? answer.body?.error ?? 'HTTP 400').slice(0, 300)}`, {
      hint: `It may have that status already: \`mcpm info ${name} --registry ${ref.url}\` shows each version's status.`,
    });
  }
  if (answer.status !== 200) throw answerError(ref, answer.status, answer.body, what, options.tokenEnv ?? DEFAULT_PUBLISH_TOKEN_ENV);
  const versions: Array<{ server?: { version?: unknown } }> = version ? [answer.body] : Array.isArray(answer.body?.servers) ? answer.body.servers : [];
  return {
    name,
    status,
    registry: ref.url,
    versions: versions.map((e) => String(e?.server?.version ?? '')).filter(Boolean),
    ...(version ? {} : { updatedCount: Number(answer.body?.updatedCount ?? 0) }),
    ...(version && typeof answer.body?._meta?.[OFFICIAL_META_KEY]?.statusChangedAt === 'string' ? { statusChangedAt: answer.body._meta[OFFICIAL_META_KEY].statusChangedAt } : {}),
  };
}

export const group = { name: 'status', description: 'the lifecycle status of published server versions (active, deprecated, deleted)' };

export const commands = [
  defineCommand({
    name: 'status set',
    description: 'set a published version\'s status in a registry that supports it (the token is read from $MCPM_PUBLISH_TOKEN)',
    arguments: [
      ['<name@version>', 'the full server name and version'],
      ['<status>', 'active, deprecated or deleted'],
    ],
    options: [
      { flags: '--message <text>', description: 'why (shown to users, at most 500 characters)' },
      { flags: '--all-versions', description: 'change every version of the server (give the name without @version)' },
      { flags: '--token-env <VAR>', description: `the environment variable holding the publish token (default ${DEFAULT_PUBLISH_TOKEN_ENV})` },
    ],
    run: async (ctx, { args, options }) => ({ result: await statusSet(ctx, args['name@version'], args.status, { tokenEnv: options.tokenEnv, message: options.message, allVersions: Boolean(options.allVersions) }) }),
    render: (result) => `${result.name}${result.versions.length === 1 ? `@${result.versions[0]}` : ` (${result.versions.length} versions)`} is now ${result.status} in ${result.registry}`,
  }),
];
