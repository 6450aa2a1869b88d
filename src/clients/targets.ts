import type { Context } from '../context.js';
import { McpmError, usageError } from '../errors.js';
import { locateClient, type ClientLocation, type Scope } from './locate.js';
import { pathKey, type PathEnv } from './paths.js';
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
  if (!client) throw usageError(`Unknown client "${id}"`, `Known clients: ${CLIENTS.map((c) => c.id).join(', ')} (or "all"); \`mcpm clients\` lists them.`);
  return client;
}

/** Every known client's user-scope location, detected or not, including those mcpm cannot write here. */
export function everyLocation(ctx: Context): ClientLocation[] {
  return CLIENTS.map((client) => locateClient(client, pathEnv(ctx))!);
}

/** The user-scope locations of the clients whose files mcpm can edit on this OS. */
export function allLocations(ctx: Context): ClientLocation[] {
  return everyLocation(ctx).filter((location) => !location.unsupported);
}

/** The refusal for a client whose servers mcpm cannot write on this OS. */
function unsupportedError(location: ClientLocation): McpmError {
  return new McpmError('ECLIENT', `mcpm cannot add servers to ${location.client.name} here: ${location.unsupported}`, {
    hint: `See \`mcpm clients\` for the clients mcpm can write (and ${location.client.source} for ${location.client.name}).`,
  });
}

/** Two clients naming the same file (the Cline CLI and the Cline 4.x extension) are one write: the first one wins. */
function oneWritePerFile(locations: ClientLocation[]): ClientLocation[] {
  const seen = new Set<string>();
  return locations.filter((location) => {
    const file = pathKey(location.file);
    if (seen.has(file)) return false;
    seen.add(file);
    return true;
  });
}

export function locationOf(ctx: Context, clientId: string, scope: Scope = 'user'): ClientLocation {
  const client = requireClient(clientId);
  const location = locateClient(client, pathEnv(ctx), scope);
  if (!location) {
    throw new McpmError('ECLIENT', `${client.name} has no project-scoped file`, {
      hint: `Clients with one: ${CLIENTS.filter((c) => c.projectFile).map((c) => c.id).join(', ')}. Use --scope user for ${client.id}.`,
    });
  }
  if (location.unsupported) throw unsupportedError(location);
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
    return oneWritePerFile([...new Set(requested)].map((id) => locationOf(ctx, id, scope)));
  }
  const detected = oneWritePerFile(
    CLIENTS.flatMap((client) => locateClient(client, pathEnv(ctx), scope) ?? []).filter((l) => l.detected && !l.unsupported),
  );
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
