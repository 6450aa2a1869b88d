import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { renderRemote } from '../plan/remote.js';
import { readState, requireInstalled, type InstalledServer } from '../state/installed.js';
import { readAllSecrets } from '../state/secrets.js';
import type { SessionTarget } from './session.js';

export interface RemoteTarget {
  transport: 'streamable-http' | 'sse';
  url: URL;
  headers: Record<string, string>;
  /** The profile whose inputs, secrets and tokens these are. */
  profile: string;
  /** A pre-registered OAuth client id from the registry entry, if it carries one. */
  registryClientId?: string;
}

/**
 * The profile a command works with for a server: the one named on this command line or in MCPM_PROFILE, else the
 * one the server was installed with. So one remote server can run in two profiles side by side (two tenants),
 * each with its own URL variables, headers and tokens.
 */
export function profileFor(ctx: Context, server: InstalledServer): string {
  return ctx.profileExplicit ? ctx.profile : server.profile ?? 'default';
}

/** An installed remote server, for the commands that only make sense for one (login, logout). */
export function installedRemote(ctx: Context, name: string, verb: string): InstalledServer & { remote: NonNullable<InstalledServer['remote']> } {
  const server = requireInstalled(readState(ctx), name);
  if (!server.remote) {
    throw new McpmError('EUNSUPPORTED', `${server.name} is not a remote server; there is nothing to ${verb}`, {
      hint: 'Servers that run on this machine take their credentials as inputs: reinstall with --env or --arg.',
    });
  }
  return server as InstalledServer & { remote: NonNullable<InstalledServer['remote']> };
}

/**
 * Where and how to reach a remote server: its URL and headers, filled from the inputs given at install, the
 * secret ones read from the secret store only now. Servers installed before mcpm recorded the remote's
 * definition connect to the recorded URL without headers.
 */
export async function remoteTarget(ctx: Context, server: InstalledServer & { remote: NonNullable<InstalledServer['remote']> }): Promise<RemoteTarget> {
  const { transport, url, definition } = server.remote;
  const profile = profileFor(ctx, server);
  const stored = await readAllSecrets(ctx, server.name, profile);
  const single = (values: Record<string, string | string[]>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? v[0] ?? '' : v]));
  const inputs = server.inputsByProfile?.[profile]?.args ?? (profile === (server.profile ?? 'default') ? server.args : {});
  const values = { ...single(inputs), ...single(stored.args), ...stored.env };
  const spec = renderRemote(definition ?? { type: transport, url }, transport, values);
  const unfilled = /\{([A-Za-z0-9_.-]+)\}/.exec(spec.url);
  if (unfilled) {
    throw new McpmError('EINPUT', `The URL of ${server.name} needs a value for {${unfilled[1]}}${profile !== (server.profile ?? 'default') ? ` in profile ${profile}` : ''}`, {
      hint: `Reinstall it with --arg ${unfilled[1]}=VALUE${profile !== 'default' ? ` --profile ${profile}` : ''}.`,
    });
  }
  let parsed: URL;
  try {
    parsed = new URL(spec.url);
    new Headers(spec.headers);
  } catch {
    throw new McpmError('EINPUT', `${server.name} was installed with a URL or header that cannot be used (${spec.url})`, { hint: 'Reinstall it with corrected --arg values.' });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new McpmError('EUNSUPPORTED', `${server.name} has a ${parsed.protocol} URL; mcpm connects over http(s) only`, { hint: 'Check the registry entry.' });
  }
  const clientId = (definition as { oauth?: { clientId?: unknown } } | undefined)?.oauth?.clientId;
  return { transport, url: parsed, headers: spec.headers, profile, ...(typeof clientId === 'string' && clientId ? { registryClientId: clientId } : {}) };
}

/** What RemoteAuth needs to know of an installed remote server. */
export function sessionTarget(server: InstalledServer, target: RemoteTarget): SessionTarget {
  return {
    serverName: server.name,
    profile: target.profile,
    ownsLegacy: target.profile === (server.profile ?? 'default'),
    url: target.url,
    headers: target.headers,
    ...(target.registryClientId ? { registryClientId: target.registryClientId } : {}),
  };
}
