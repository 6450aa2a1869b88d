import { defineCommand } from './spec.js';
import type { Context } from '../context.js';
import { McpmError, usageError } from '../errors.js';
import { locationOf } from '../clients/targets.js';
import { readClientFile, removeClientEntry, writeClientEntry } from '../clients/write.js';
import { editorFor } from '../clients/editor.js';
import type { ClientLocation } from '../clients/locate.js';
import { machineOf } from '../install/machine.js';
import { renderStdioEntry } from '../plan/entry.js';
import { readState, type InstalledServer } from '../state/installed.js';
import { withFileLock, writeFileAtomicSafe } from '../fs/files.js';
import { GATEWAY_KEY, gatewayClientsFile, readGatewayClients, type GatewayClient } from '../serve/gateway-clients.js';
import { setEnabled } from './toggle.js';

/**
 * `mcpm gateway enable --client <id>`: the client's entries that mcpm manages are disabled (as `mcpm disable`
 * does: the client's own switch, or the entry kept in mcpm's state) and one entry `mcpm` takes their place, running
 * `mcpm serve` by absolute paths like every entry mcpm writes. `disable` removes that entry and enables the
 * servers again. The servers the gateway replaced are recorded first, so a kill midway is finished by rerunning.
 */
async function enable(ctx: Context, clientId: string) {
  const location = locationOf(ctx, clientId);
  const known = readGatewayClients(ctx)[location.client.id];
  const servers = known?.servers ?? (await inFileOrder(location, Object.values(readState(ctx).servers)
    .filter((s) => s.entries.some((e) => e.client === location.client.id && (e.scope ?? 'user') === 'user' && !e.disabled))));
  await updateGatewayClients(ctx, (clients) => {
    clients[location.client.id] = { file: location.file, servers, profile: ctx.profile, enabledAt: new Date(ctx.now()).toISOString(), ...(known?.record ? { record: known.record } : {}) };
  });
  for (const name of servers) {
    const server = readState(ctx).servers[name];
    if (server?.entries.some((e) => e.client === location.client.id && !e.disabled)) await setEnabled(ctx, name, false, [location.client.id]);
  }
  const machine = machineOf(ctx);
  const launch = { command: machine.nodePath, args: [machine.mcpmScript, 'serve', ...(ctx.profileExplicit ? ['--profile', ctx.profile] : [])], env: machine.mcpmEnv };
  const value = renderStdioEntry(location.client.stdio, launch, GATEWAY_KEY);
  const write = await writeClientEntry(location, GATEWAY_KEY, value, (existing) => known !== undefined || JSON.stringify(existing) === JSON.stringify(value), () =>
    new McpmError('ECONFLICT', `${location.client.name} already has an entry "${GATEWAY_KEY}" that mcpm did not write (${location.file})`, { hint: 'Rename or remove it, then enable the gateway again.' }),
  );
  await updateGatewayClients(ctx, (clients) => {
    const entry = clients[location.client.id];
    if (entry && !write.replaced) entry.record = write.record;
  });
  ctx.out.afterwards(location.client.restart);
  return { client: location.client.id, file: location.file, key: GATEWAY_KEY, entry: value, replaced: servers };
}

async function disable(ctx: Context, clientId: string) {
  const location = locationOf(ctx, clientId);
  const known = readGatewayClients(ctx)[location.client.id];
  if (!known) throw new McpmError('ECLIENT', `${location.client.name} does not go through the gateway`, { hint: 'Nothing was changed. `mcpm clients` shows which clients do.' });
  await removeClientEntry(location, GATEWAY_KEY, known.record);
  const restored: string[] = [];
  for (const name of known.servers) {
    const server = readState(ctx).servers[name];
    // Uninstalled meanwhile: nothing to restore.
    if (!server?.entries.some((e) => e.client === location.client.id)) continue;
    await setEnabled(ctx, name, true, [location.client.id]);
    restored.push(name);
  }
  await updateGatewayClients(ctx, (clients) => {
    delete clients[location.client.id];
  });
  ctx.out.afterwards(location.client.restart);
  return { client: location.client.id, file: location.file, restored };
}

/** The servers by where their entries stand in the file: restored in that order, the file reads as it did. */
async function inFileOrder(location: ClientLocation, servers: InstalledServer[]): Promise<string[]> {
  const text = (await readClientFile(location)) ?? '';
  const keys = editorFor(location.client.format).keys(location.file, text, location.client.serversPath);
  const position = (server: InstalledServer) => keys.indexOf(server.entries.find((e) => e.client === location.client.id)!.key);
  return [...servers].sort((a, b) => position(a) - position(b) || a.name.localeCompare(b.name)).map((s) => s.name);
}

function clientOf(options: Record<string, any>): string {
  if (typeof options.client !== 'string') throw usageError('Name the client with --client <id>', '`mcpm clients` lists them.');
  return options.client;
}

export const group = { name: 'gateway', description: 'let a client reach every installed server through one `mcpm serve` entry' };

export const commands = [
  defineCommand({
    name: 'gateway enable',
    description: 'replace mcpm\'s entries in a client with one entry "mcpm" that runs `mcpm serve`',
    options: [{ flags: '--client <id>', description: 'the client' }],
    run: async (ctx, { options }) => ({ result: await enable(ctx, clientOf(options)) }),
    render: (r) => `${r.client} now reaches ${r.replaced.length ? r.replaced.join(', ') : 'installed servers'} through the entry "${r.key}" (mcpm serve) in ${r.file}`,
  }),
  defineCommand({
    name: 'gateway disable',
    description: 'remove the "mcpm" entry from a client and restore the entries it replaced',
    options: [{ flags: '--client <id>', description: 'the client' }],
    run: async (ctx, { options }) => ({ result: await disable(ctx, clientOf(options)) }),
    render: (r) => `${r.client} no longer goes through the gateway${r.restored.length ? `; restored ${r.restored.join(', ')}` : ''} (${r.file})`,
  }),
];

export async function updateGatewayClients(ctx: Context, change: (clients: Record<string, GatewayClient>) => void): Promise<void> {
  const file = gatewayClientsFile(ctx);
  await withFileLock(file, async () => {
    const clients = readGatewayClients(ctx);
    change(clients);
    await writeFileAtomicSafe(file, `${JSON.stringify({ clients }, null, 2)}\n`);
  });
}
