import { rm } from 'node:fs/promises';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { readClientFile, removeClientEntry } from '../clients/write.js';
import { serverDir } from '../store/layout.js';
import { findInstalled, readState, updateState } from '../state/installed.js';
import { removeSecrets } from '../state/secrets.js';
import { locationOf } from './targets.js';

/** Removes a server's entries from every client file mcpm wrote, its record, its secrets and its store versions. */
export async function uninstall(ctx: Context, name: string) {
  const server = findInstalled(readState(ctx), name);
  if (!server) {
    throw new McpmError('ENOTINSTALLED', `"${name}" is not installed`, { hint: 'Run `mcpm list` to see what is installed.' });
  }
  const locations = server.entries.map((entry) => ({ entry, location: { ...locationOf(ctx, entry.client), file: entry.file } }));
  // Every file must be editable before any is changed.
  for (const { location } of locations) await readClientFile(location);
  const removed: Array<{ client: string; file: string; key: string }> = [];
  for (const { entry, location } of locations) {
    if (await removeClientEntry(location, entry.key, entry.record)) removed.push({ client: entry.client, file: entry.file, key: entry.key });
    else ctx.out.warn(`${entry.file} no longer had the entry "${entry.key}"; nothing to remove there`);
  }
  await updateState(ctx, (state) => {
    delete state.servers[server.name];
  });
  await removeSecrets(ctx, server.name);
  await rm(serverDir(ctx.paths.store, server.name), { recursive: true, force: true });
  for (const { location } of locations) ctx.out.remind(location.client.restart);
  return { name: server.name, version: server.version, removed };
}
