import { defineCommand } from './spec.js';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { readClientFile, removeClientEntry } from '../clients/write.js';
import { serverDir } from '../store/layout.js';
import { findInstalled, findRemoving, readState, updateState } from '../state/installed.js';
import { removeSecretJson } from '../state/secret-json.js';
import { removeAllSecrets } from '../state/secrets.js';
import { forgetSetup } from '../state/manifest.js';
import { locationOfEntry } from '../clients/targets.js';
import { failpoint } from '../failpoints.js';

/**
 * Removes a server's entries from every client file mcpm wrote, its record, its secrets and its store versions.
 * The record goes in the same state write that journals the uninstall (`removing`); the secrets and the store go
 * after it, and the journal last, so a kill at any point leaves either the server installed or an uninstall that
 * running the command again finishes.
 */
export async function uninstall(ctx: Context, name: string) {
  const state = readState(ctx);
  const server = findInstalled(state, name);
  if (!server) {
    const interrupted = findRemoving(state, name);
    if (interrupted) {
      ctx.out.note(`Finishing the interrupted uninstall of ${interrupted}`);
      await removeLeftovers(ctx, interrupted);
      return { name: interrupted, version: state.removing![interrupted]!.version, removed: [] };
    }
    throw new McpmError('ENOTINSTALLED', `"${name}" is not installed`);
  }
  const targets = server.entries.map((entry) => ({ entry, location: locationOfEntry(entry) }));
  // Every file must be editable before any is changed.
  for (const { location } of targets) await readClientFile(location);
  const removed: Array<{ client: string; file: string; key: string }> = [];
  for (const { entry, location } of targets) {
    if (entry.disabled && !location.client.disable) continue; // disabled by removal: nothing in the file
    if (await removeClientEntry(location, entry.key, entry.record)) removed.push({ client: entry.client, file: entry.file, key: entry.key });
    else ctx.out.warn(`${entry.file} no longer had the entry "${entry.key}"; nothing to remove there`);
    failpoint('uninstall-after-config-write', entry.client);
  }
  for (const project of new Set(server.entries.flatMap((entry) => (entry.scope === 'project' && entry.project ? [entry.project] : [])))) {
    await forgetSetup(project, server.name);
  }
  await forgetSetup(ctx.paths.state, server.name, { backup: true });
  await updateState(ctx, (state) => {
    delete state.servers[server.name];
    state.removing = { ...state.removing, [server.name]: { version: server.version, key: server.entries[0]?.key, startedAt: new Date(ctx.now()).toISOString() } };
  });
  failpoint('uninstall-after-state-write');
  await removeLeftovers(ctx, server.name);
  // Images live in the engine's own store, maybe shared with other containers: say so rather than remove them.
  if (server.package?.image) {
    const engine = path.basename(server.package.runtime ?? 'docker').replace(/\.exe$/i, '');
    ctx.out.note(`The image ${server.package.image} stays in ${engine}'s image store (\`${engine} image rm ${server.package.image}\` removes it)`);
  }
  for (const { location } of targets) ctx.out.remind(location.client.restart);
  return { name: server.name, version: server.version, removed };
}

/** The secrets and store folder of a server no longer in the state, then its journal entry. Idempotent. */
async function removeLeftovers(ctx: Context, name: string): Promise<void> {
  await removeAllSecrets(ctx, name);
  // Tokens are forgotten, not revoked: uninstall works offline (`mcpm logout` first revokes them).
  await removeSecretJson(ctx, name, 'oauth');
  await rm(serverDir(ctx.paths.store, name), { recursive: true, force: true });
  failpoint('uninstall-after-cleanup');
  await updateState(ctx, (state) => {
    if (state.removing) delete state.removing[name];
    if (state.removing && Object.keys(state.removing).length === 0) delete state.removing;
  });
}

export const commands = [
  defineCommand({
    name: 'uninstall',
    description: 'remove a server from every client, the state and the store',
    arguments: [['<name>', 'full name, short name or entry key']],
    run: async (ctx, { args }) => ({ result: await uninstall(ctx, args.name) }),
    render: (result) => `Removed ${result.name}@${result.version}${result.removed.length ? ` from ${result.removed.map((r) => r.client).join(', ')}` : ''}`,
  }),
];
