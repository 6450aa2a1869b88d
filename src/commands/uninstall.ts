import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { readClientFile, removeClientEntry } from '../clients/write.js';
import { serverDir } from '../store/layout.js';
import { findInstalled, readState, updateState } from '../state/installed.js';
import { removeSecretJson } from '../state/secret-json.js';
import { removeAllSecrets } from '../state/secrets.js';
import { forgetSetup } from './project.js';
import { locationOfEntry } from './targets.js';
import { failpoint } from '../failpoints.js';

/** Removes a server's entries from every client file mcpm wrote, its record, its secrets and its store versions. */
export async function uninstall(ctx: Context, name: string) {
  const server = findInstalled(readState(ctx), name);
  if (!server) {
    throw new McpmError('ENOTINSTALLED', `"${name}" is not installed`, { hint: 'Run `mcpm list` to see what is installed.' });
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
  await forgetSetup(ctx.paths.state, server.name);
  await updateState(ctx, (state) => {
    delete state.servers[server.name];
  });
  failpoint('uninstall-after-state-write');
  await removeAllSecrets(ctx, server.name);
  // Tokens are forgotten, not revoked: uninstall works offline (`mcpm logout` first revokes them).
  await removeSecretJson(ctx, server.name, 'oauth');
  if (server.storePath) await rm(serverDir(ctx.paths.store, server.name), { recursive: true, force: true });
  // Images live in the engine's own store, maybe shared with other containers: say so rather than remove them.
  if (server.package?.image) {
    const engine = path.basename(server.package.runtime ?? 'docker').replace(/\.exe$/i, '');
    ctx.out.note(`The image ${server.package.image} stays in ${engine}'s image store (\`${engine} image rm ${server.package.image}\` removes it)`);
  }
  for (const { location } of targets) ctx.out.remind(location.client.restart);
  return { name: server.name, version: server.version, removed };
}
