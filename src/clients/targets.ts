import type { Context } from '../context.js';
import { McpmError, usageError } from '../errors.js';
import { locateClient, type ClientLocation, type Scope } from './locate.js';
import type { PathEnv } from './paths.js';
import { CLIENTS, findClient, type ClientDefinition } from './table.js';
import type { ManagedEntry } from '../state/installed.js';

export function pathEnv(ctx: Context): PathEnv {
  return { platform: ctx.platform, home: ctx.home, env: ctx.env, cwd: ctx.cwd };
}

export function parseScope(value: string | undefined): Scope {
  if (value === undefined || value === 'user' || value === 'project') return value ?? 'user';
  throw usageError(`Unknown scope "${value}"`, 'Use --scope user (the default) or --scope project.');
}

export function requireClient(id: string): ClientDefinition {
  const client = findClient(id);
  if (!client) throw usageError(`Unknown client "${id}"`, `Known clients: ${CLIENTS.map((c) => c.id).join(', ')} (or "all").`);
  return client;
}

/** Every known client's user-scope location, detected or not. */
export function allLocations(ctx: Context): ClientLocation[] {
  return CLIENTS.map((client) => locateClient(client, pathEnv(ctx))!);
}

export function locationOf(ctx: Context, clientId: string, scope: Scope = 'user'): ClientLocation {
  const client = requireClient(clientId);
  const location = locateClient(client, pathEnv(ctx), scope);
  if (!location) {
    throw new McpmError('ECLIENT', `${client.name} has no project-scoped file`, {
      hint: `Clients with one: ${CLIENTS.filter((c) => c.projectFile).map((c) => c.id).join(', ')}. Use --scope user for ${client.id}.`,
    });
  }
  return location;
}

/** The location of an entry mcpm wrote: the file it recorded, whatever the environment says today. */
export function locationOfEntry(entry: ManagedEntry): ClientLocation {
  return { client: requireClient(entry.client), file: entry.file, scope: entry.scope ?? 'user', detected: true };
}

/**
 * The clients a command writes to: those named with --client (created if missing; "all" = every detected one),
 * else every detected client, confirmed on a TTY unless --yes. None detected is an error that names --client.
 * In project scope only clients with a project-scoped file count.
 */
export async function chooseClients(ctx: Context, requested: string[], scope: Scope = 'user'): Promise<ClientLocation[]> {
  if (requested.length > 0 && !requested.includes('all')) {
    return [...new Set(requested)].map((id) => locationOf(ctx, id, scope));
  }
  const detected = CLIENTS.flatMap((client) => locateClient(client, pathEnv(ctx), scope) ?? []).filter((l) => l.detected);
  if (detected.length === 0) {
    throw new McpmError('ENOCLIENT', `No MCP client${scope === 'project' ? ' with a project-scoped file' : ''} was detected on this machine`, {
      hint: `Name one with --client <id> (its file will be created): ${CLIENTS.filter((c) => scope === 'user' || c.projectFile).map((c) => c.id).join(', ')}.`,
    });
  }
  if (requested.length > 0) return detected;
  if (!ctx.prompter.available) {
    // Without a terminal to ask, every detected client is written: say which, and why each counts as detected.
    ctx.out.note(`No --client given: writing every client detected here: ${detected.map((l) => `${l.client.name} (${l.file})`).join(', ')}. Name clients with --client <id> to choose.`);
    return detected;
  }
  const chosen = await ctx.prompter.multiselect(
    'Install into which clients?',
    detected.map((location) => ({ title: `${location.client.name} (${location.file})`, value: location.client.id, selected: true })),
  );
  if (chosen.length === 0) throw new McpmError('ECANCELLED', 'No client chosen', { hint: 'Nothing was changed.' });
  return detected.filter((location) => chosen.includes(location.client.id));
}
