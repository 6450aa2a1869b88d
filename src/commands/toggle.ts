import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { editorFor } from '../clients/editor.js';
import { locationOfEntry, requireClient } from '../clients/targets.js';
import { readClientFile, removeClientEntry, writeClientEntry } from '../clients/write.js';
import { failpoint } from '../failpoints.js';
import { entriesInReach } from '../install/reach.js';
import { readState, requireInstalled, updateState, type ManagedEntry } from '../state/installed.js';
import { defineCommand } from './spec.js';

/**
 * `mcpm enable|disable <name> [--client <id>]`. Clients with their own switch (`disabled: true`, `enabled: false`)
 * get it flipped in place; for the others the entry is removed and kept in mcpm's state, so enable puts back the
 * same entry. Like install, the change is journaled (`toggling`) before any file is written, so a kill between a
 * client file and the state is completed by running the same command again, and uninstall never leaves an entry.
 */
export async function setEnabled(ctx: Context, name: string, enable: boolean, clientIds: string[]) {
  const server = requireInstalled(readState(ctx), name);
  for (const id of clientIds) requireClient(id);
  const { chosen } = entriesInReach(ctx, server, clientIds);
  if (chosen.length === 0) {
    throw new McpmError('ECLIENT', `${server.name} is not installed in ${clientIds.join(', ') || 'a client this command may touch here'}`, {
      hint: `It is in: ${server.entries.map((e) => `${e.client}${e.scope === 'project' ? ` (project ${e.project})` : ''}`).join(', ') || 'no client'}.`,
    });
  }
  for (const entry of chosen) await readClientFile(locationOfEntry(entry));
  const todo = chosen.filter((entry) => Boolean(entry.disabled) === enable);
  await updateState(ctx, (state) => {
    state.toggling = { ...state.toggling, [server.name]: { enable, entries: todo.map((e) => ({ client: e.client, file: e.file })), startedAt: new Date(ctx.now()).toISOString() } };
  });
  const changed: ManagedEntry[] = [];
  for (const entry of todo) {
    changed.push(enable ? await turnOn(ctx, entry) : await turnOff(ctx, entry));
    failpoint('toggle-after-config-write', entry.client);
  }
  await updateState(ctx, (state) => {
    if (state.toggling) delete state.toggling[server.name];
    const record = state.servers[server.name];
    if (!record) return;
    record.entries = record.entries.map((entry) => changed.find((c) => c.client === entry.client && c.file === entry.file) ?? entry);
  });
  for (const entry of changed) ctx.out.afterwards(locationOfEntry(entry).client.restart);
  return { name: server.name, enabled: enable, clients: changed.map((e) => ({ client: e.client, file: e.file, key: e.key })) };
}

async function turnOff(ctx: Context, entry: ManagedEntry): Promise<ManagedEntry> {
  const location = locationOfEntry(entry);
  const { client } = location;
  const current = await currentValue(entry);
  if (client.disable) {
    // Whether mcpm adds the switch (enable then takes it out again): judged by what mcpm wrote, since an
    // interrupted disable may already have set it in the file.
    const written = entry.written && typeof entry.written === 'object' ? (entry.written as Record<string, unknown>) : current;
    const added = current !== undefined && written !== undefined && !(client.disable.field in written);
    if (current) await writeClientEntry(location, entry.key, { ...current, [client.disable.field]: client.disable.off }, () => true, unreachable);
    return { ...entry, disabled: true, ...(added ? { disabledValue: { addedField: true } } : {}) };
  }
  // Already gone (an interrupted disable removed it): what mcpm wrote is what `enable` puts back.
  if (current === undefined) return { ...entry, disabled: true, disabledValue: entry.disabledValue ?? entry.written };
  const files = readState(ctx).files;
  const outcome = await removeClientEntry(location, entry.key, entry.record, files && Object.hasOwn(files, entry.file) ? files[entry.file] : undefined);
  if (outcome.fileRemoved) {
    await updateState(ctx, (state) => {
      if (state.files) delete state.files[entry.file];
    });
  }
  return { ...entry, disabled: true, disabledValue: current };
}

async function turnOn(ctx: Context, entry: ManagedEntry): Promise<ManagedEntry> {
  const location = locationOfEntry(entry);
  const { client } = location;
  const { disabledValue, disabled: _, ...rest } = entry;
  if (client.disable) {
    const current = await currentValue(entry);
    if (!current) throw new McpmError('ECLIENT', `${location.file} no longer has the entry "${entry.key}"`, { hint: `Reinstall with \`mcpm install ${entry.key}\`.` });
    const { [client.disable.field]: __, ...without } = current;
    const addedByDisable = (disabledValue as { addedField?: boolean } | undefined)?.addedField;
    await writeClientEntry(location, entry.key, addedByDisable ? without : { ...current, [client.disable.field]: !client.disable.off }, () => true, unreachable);
    return rest;
  }
  // The key may already hold this very value (an interrupted enable wrote it): that is mcpm's own, not a conflict.
  const same = (existing: unknown) => JSON.stringify(existing) === JSON.stringify(disabledValue);
  const write = await writeClientEntry(location, entry.key, disabledValue, same, () =>
    new McpmError('ECONFLICT', `${client.name} now has another entry "${entry.key}" (${entry.file})`, { hint: 'Remove or rename it, then enable again.' }),
  );
  if (write.created) {
    const created = write.created;
    await updateState(ctx, (state) => {
      state.files = { ...state.files, [entry.file]: created };
    });
  }
  return { ...rest, record: write.replaced ? entry.record : write.record };
}

async function currentValue(entry: ManagedEntry): Promise<Record<string, unknown> | undefined> {
  const location = locationOfEntry(entry);
  const text = (await readClientFile(location)) ?? '';
  const value = editorFor(location.client.format).get(location.file, text, location.client.serversPath, entry.key);
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
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
