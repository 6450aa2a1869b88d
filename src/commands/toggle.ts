import { defineCommand } from './spec.js';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { editorFor } from '../clients/editor.js';
import { readClientFile, removeClientEntry, writeClientEntry } from '../clients/write.js';
import { readState, requireInstalled, updateState, type ManagedEntry } from '../state/installed.js';
import { locationOfEntry, requireClient } from '../clients/targets.js';

/**
 * `mcpm enable|disable <name> [--client <id>]`. Clients with their own switch (`disabled: true`, `enabled: false`)
 * get it flipped in place; for the others the entry is removed and kept in mcpm's state, so enable puts back the
 * same entry.
 */
export async function setEnabled(ctx: Context, name: string, enable: boolean, clientIds: string[]) {
  const server = requireInstalled(readState(ctx), name);
  for (const id of clientIds) requireClient(id);
  const chosen = server.entries.filter((entry) => clientIds.length === 0 || clientIds.includes(entry.client));
  if (chosen.length === 0) {
    throw new McpmError('ECLIENT', `${server.name} is not installed in ${clientIds.join(', ')}`, {
      hint: `It is in: ${server.entries.map((e) => e.client).join(', ') || 'no client'}.`,
    });
  }
  for (const entry of chosen) await readClientFile(locationOfEntry(entry));
  const changed: ManagedEntry[] = [];
  for (const entry of chosen) {
    if (Boolean(entry.disabled) === !enable) continue;
    changed.push(enable ? await turnOn(entry) : await turnOff(entry));
  }
  await updateState(ctx, (state) => {
    const record = state.servers[server.name];
    if (!record) return;
    record.entries = record.entries.map((entry) => changed.find((c) => c.client === entry.client && c.file === entry.file) ?? entry);
  });
  for (const entry of changed) ctx.out.remind(locationOfEntry(entry).client.restart);
  return { name: server.name, enabled: enable, clients: changed.map((e) => ({ client: e.client, file: e.file, key: e.key })) };
}

async function turnOff(entry: ManagedEntry): Promise<ManagedEntry> {
  const location = locationOfEntry(entry);
  const { client } = location;
  if (client.disable) {
    const current = await currentValue(entry);
    const added = !(client.disable.field in current);
    await writeClientEntry(location, entry.key, { ...current, [client.disable.field]: client.disable.off }, () => true, unreachable);
    return { ...entry, disabled: true, ...(added ? { disabledValue: { addedField: true } } : {}) };
  }
  const value = await currentValue(entry);
  await removeClientEntry(location, entry.key, entry.record);
  return { ...entry, disabled: true, disabledValue: value };
}

async function turnOn(entry: ManagedEntry): Promise<ManagedEntry> {
  const location = locationOfEntry(entry);
  const { client } = location;
  const { disabledValue, disabled: _, ...rest } = entry;
  if (client.disable) {
    const current = await currentValue(entry);
    const { [client.disable.field]: __, ...without } = current;
    const addedByDisable = (disabledValue as { addedField?: boolean } | undefined)?.addedField;
    await writeClientEntry(location, entry.key, addedByDisable ? without : { ...current, [client.disable.field]: !client.disable.off }, () => true, unreachable);
    return rest;
  }
  const write = await writeClientEntry(location, entry.key, disabledValue, () => false, () =>
    new McpmError('ECONFLICT', `${client.name} now has another entry "${entry.key}" (${entry.file})`, { hint: 'Remove or rename it, then enable again.' }),
  );
  return { ...rest, record: write.record };
}

async function currentValue(entry: ManagedEntry): Promise<Record<string, unknown>> {
  const location = locationOfEntry(entry);
  const text = (await readClientFile(location)) ?? '';
  const value = editorFor(location.client.format).get(location.file, text, location.client.serversPath, entry.key);
  if (!value || typeof value !== 'object') {
    throw new McpmError('ECLIENT', `${location.file} no longer has the entry "${entry.key}"`, { hint: `Reinstall with \`mcpm install ${entry.key}\`.` });
  }
  return value as Record<string, unknown>;
}

function unreachable(): Error {
  return new Error('unreachable: mcpm replaces its own entry');
}

export const commands = (['enable', 'disable'] as const).map((verb) =>
  defineCommand({
    name: verb,
    description: `${verb} an installed server in its clients (the client's own switch where it has one)`,
    arguments: [['<name>', 'full name, short name or entry key']],
    options: [{ flags: '--client <id>', description: 'only this client (repeatable)', repeatable: true }],
    run: async (ctx, { args, options }) => ({ result: await setEnabled(ctx, args.name, verb === 'enable', options.client ?? []) }),
    render: (result) => `${result.enabled ? 'Enabled' : 'Disabled'} ${result.name}${result.clients.length ? ` in ${result.clients.map((c) => c.client).join(', ')}` : ' (nothing to change)'}`,
  }),
);
