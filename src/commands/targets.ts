import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { locateClient, type ClientLocation } from '../clients/locate.js';
import type { PathEnv } from '../clients/paths.js';
import { CLIENTS, findClient } from '../clients/table.js';

export function pathEnv(ctx: Context): PathEnv {
  return { platform: ctx.platform, home: ctx.home, env: ctx.env, cwd: ctx.cwd };
}

export function allLocations(ctx: Context): ClientLocation[] {
  return CLIENTS.map((client) => locateClient(client, pathEnv(ctx)));
}

export function locationOf(ctx: Context, clientId: string): ClientLocation {
  const client = findClient(clientId);
  if (!client) throw unknownClient(clientId);
  return locateClient(client, pathEnv(ctx));
}

/**
 * The clients a command writes to: those named with --client (created if missing; "all" = every detected one),
 * else every detected client, confirmed on a TTY unless --yes. None detected is an error that names --client.
 */
export async function chooseClients(ctx: Context, requested: string[]): Promise<ClientLocation[]> {
  if (requested.length > 0 && !requested.includes('all')) {
    return [...new Set(requested)].map((id) => locationOf(ctx, id));
  }
  const detected = allLocations(ctx).filter((location) => location.detected);
  if (detected.length === 0) {
    throw new McpmError('ENOCLIENT', 'No MCP client was detected on this machine', {
      hint: `Name one with --client <id> (it will be created): ${CLIENTS.map((c) => c.id).join(', ')}.`,
    });
  }
  if (requested.length > 0 || !ctx.prompter.available) return detected;
  const chosen = await ctx.prompter.multiselect(
    'Install into which clients?',
    detected.map((location) => ({ title: `${location.client.name} (${location.file})`, value: location.client.id, selected: true })),
  );
  if (chosen.length === 0) throw new McpmError('ECANCELLED', 'No client chosen', { hint: 'Nothing was changed.' });
  return detected.filter((location) => chosen.includes(location.client.id));
}

function unknownClient(id: string): McpmError {
  return new McpmError('ECLIENT', `Unknown client "${id}"`, {
    hint: `Known clients: ${CLIENTS.map((c) => c.id).join(', ')} (or "all").`,
  });
}
