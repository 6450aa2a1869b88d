import { readdir, rm } from 'node:fs/promises';
import { keepServerData, keptLines, purgeKeptData, type KeptData } from '../store/server-data.js';
import path from 'node:path';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { editorFor } from '../clients/editor.js';
import { locationOfEntry, requireClient } from '../clients/targets.js';
import { readClientFile, removeClientEntry } from '../clients/write.js';
import { failpoint } from '../failpoints.js';
import { entriesInReach, type ReachableEntries } from '../install/reach.js';
import { findInstalled, findRemoving, readState, updateState, type InstalledServer, type ManagedEntry } from '../state/installed.js';
import { forgetSetup } from '../state/manifest.js';
import { removeAllOAuthStores } from '../state/oauth-store.js';
import { removeAllSecrets } from '../state/secrets.js';
import { serverDir } from '../store/layout.js';
import { defineCommand } from './spec.js';

export interface UninstallResult {
  name: string;
  version: string;
  /** The entries removed, each with its file and scope. */
  removed: Array<{ client: string; file: string; key: string; scope: string }>;
  /** Entries left where they are: in other projects, in clients not chosen, or in a file that could not be edited. */
  kept: Array<{ client: string; file: string; key: string; scope: string; why: string }>;
  /** False when the server keeps entries elsewhere: its record, secrets and store stay. */
  complete: boolean;
  /** What the server wrote in its store versions, kept in mcpm's data folder (not with --purge). */
  data?: KeptData[];
  /** --purge: the kept data folders deleted. */
  purged?: string[];
}

/**
 * Removes a server's entries from the client files mcpm wrote, then, once no entry is left anywhere, its record,
 * secrets and store versions. It touches the user scope and the current project only (--project names another):
 * entries in other projects are left, and said. `--client` chooses clients. A file that cannot be edited is
 * reported and the other files are done (unless it is the only one). The record goes in the same state write that
 * journals the uninstall (`removing`); the secrets and the store go after it, so a kill at any point leaves the
 * server installed or an uninstall that running the command again finishes.
 */
export async function uninstall(ctx: Context, name: string, options: { client?: string[]; purge?: boolean } = {}): Promise<UninstallResult> {
  const clients = [...new Set(options.client ?? [])];
  for (const id of clients) requireClient(id);
  const state = readState(ctx);
  const server = findInstalled(state, name);
  if (!server) {
    const interrupted = findRemoving(state, name);
    if (interrupted) {
      ctx.out.note(`Finishing the interrupted uninstall of ${interrupted}`);
      const data = await removeLeftovers(ctx, interrupted, options.purge);
      return { name: interrupted, version: state.removing![interrupted]!.version, removed: [], kept: [], complete: true, ...data };
    }
    throw new McpmError('ENOTINSTALLED', `"${name}" is not installed`);
  }
  const reach = entriesInReach(ctx, server, clients);
  if (clients.length > 0 && reach.chosen.length === 0) {
    throw new McpmError('ECLIENT', `${server.name} is not installed in ${clients.join(', ')}${ctx.project ? ` (here: your own files and ${ctx.project})` : ''}`, {
      hint: `It is in: ${server.entries.map((e) => e.client).join(', ') || 'no client'}.`,
    });
  }
  const { removed, failed } = await removeEntries(ctx, server, reach);
  const kept = [...reach.elsewhere, ...failed.map((f) => ({ ...f.entry, why: f.why }))].map(({ client, file, key, scope, why }) => ({ client, file, key, scope: scope ?? 'user', why }));
  const complete = kept.length === 0;
  const data = complete ? await removeServer(ctx, server, options.purge) : undefined;
  if (!complete) await forgetEntries(ctx, server.name, removed);
  for (const client of new Set(removed.map((e) => e.client))) ctx.out.afterwards(locationOfEntry(removed.find((e) => e.client === client)!).client.restart);
  const result = { name: server.name, version: server.version, removed: removed.map(({ client, file, key, scope }) => ({ client, file, key, scope: scope ?? 'user' })), kept, complete, ...data };
  if (failed.length > 0) {
    // The other files are done; the one that failed is said, and the command fails so scripts notice.
    const reason = failed.map((f) => `${f.entry.file}: ${f.why}`).join('; ');
    throw new McpmError(failed[0]!.code, `Removed ${server.name} from ${removed.length} file${removed.length === 1 ? '' : 's'}, but not from ${failed.length} (${reason})`, {
      hint: 'Fix that file (mcpm left it untouched) and run the uninstall again; the server stays installed there until then.',
    });
  }
  return result;
}

/** Removes the entries in reach, each file on its own: one that cannot be edited does not stop the others. */
async function removeEntries(ctx: Context, server: InstalledServer, reach: ReachableEntries) {
  const removed: ManagedEntry[] = [];
  const failed: Array<{ entry: ManagedEntry; why: string; code: McpmError['code'] }> = [];
  const files = readState(ctx).files;
  for (const entry of reach.chosen) {
    const location = locationOfEntry(entry);
    try {
      await readClientFile(location);
    } catch (error) {
      if (!(error instanceof McpmError) || reach.chosen.length === 1) throw error;
      failed.push({ entry, why: error.message, code: error.code });
      continue;
    }
    const key = entry.key;
    const created = files && Object.hasOwn(files, entry.file) ? files[entry.file] : undefined;
    // Disabled by removal: the entry waits in the state; the file holds it only if an `enable` was interrupted
    // after writing it (then it is mcpm's own value), otherwise the key is someone else's now and stays.
    if (entry.disabled && !location.client.disable && !(await holdsOwnValue(location, entry))) {
      removed.push(entry);
      continue;
    }
    const outcome = await removeClientEntry(location, key, entry.record, created);
    if (!outcome.removed && !(entry.disabled && !location.client.disable)) ctx.out.warn(`${entry.file} no longer had the entry "${key}"; nothing to remove there`);
    removed.push(entry);
    if (outcome.fileRemoved) await forgetFile(ctx, entry.file);
    failpoint('uninstall-after-config-write', entry.client);
  }
  return { removed, failed };
}

/** The key holds the value mcpm wrote (or kept when disabling): mcpm's, whatever the state says. */
export async function holdsOwnValue(location: ReturnType<typeof locationOfEntry>, entry: ManagedEntry): Promise<boolean> {
  const text = await readClientFile(location, 'read');
  if (text === undefined) return false;
  const value = editorFor(location.client.format).get(location.file, text, location.client.serversPath, entry.key);
  const plain = (v: unknown) => JSON.stringify(v);
  return value !== undefined && (plain(value) === plain(entry.disabledValue) || plain(value) === plain(entry.written));
}

/** The whole server: manifests, record (journaled), then secrets and store. */
async function removeServer(ctx: Context, server: InstalledServer, purge?: boolean) {
  for (const project of new Set(server.entries.flatMap((entry) => (entry.scope === 'project' && entry.project ? [entry.project] : [])))) {
    await forgetSetup(project, server.name);
  }
  await forgetSetup(ctx.paths.state, server.name, { backup: true });
  await updateState(ctx, (state) => {
    delete state.servers[server.name];
    state.removing = { ...state.removing, [server.name]: { version: server.version, key: server.entries[0]?.key, startedAt: new Date(ctx.now()).toISOString() } };
  });
  failpoint('uninstall-after-state-write');
  const data = await removeLeftovers(ctx, server.name, purge);
  // Images live in the engine's own store, maybe shared with other containers: say so rather than remove them.
  if (server.package?.image) {
    const engine = path.basename(server.package.runtime ?? 'docker').replace(/\.exe$/i, '');
    ctx.out.note(`The image ${server.package.image} stays in ${engine}'s image store (\`${engine} image rm ${server.package.image}\` removes it)`);
  }
  return data;
}

/** Some entries removed, others left: the server stays installed, without the removed entries. */
async function forgetEntries(ctx: Context, name: string, removed: ManagedEntry[]): Promise<void> {
  await updateState(ctx, (state) => {
    const record = state.servers[name];
    if (record) record.entries = record.entries.filter((e) => !removed.some((r) => r.client === e.client && r.file === e.file));
  });
  for (const project of new Set(removed.flatMap((e) => (e.scope === 'project' && e.project ? [e.project] : [])))) await forgetSetup(project, name);
}

async function forgetFile(ctx: Context, file: string): Promise<void> {
  await updateState(ctx, (state) => {
    if (state.files) delete state.files[file];
  });
}

/**
 * The secrets and store folder of a server no longer in the state, then its journal entry. Idempotent. What the
 * server wrote in its store versions is kept in mcpm's data folder first; --purge deletes it, and what was kept
 * before.
 */
async function removeLeftovers(ctx: Context, name: string, purge?: boolean): Promise<{ data?: KeptData[]; purged?: string[] }> {
  await removeAllSecrets(ctx, name);
  // Tokens are forgotten, not revoked: uninstall works offline (`mcpm logout` first revokes them).
  await removeAllOAuthStores(ctx, name);
  const data: KeptData[] = [];
  if (!purge) {
    for (const dir of await readdir(serverDir(ctx.paths.store, name)).catch(() => [] as string[])) {
      if (dir.startsWith('.')) continue;
      // A prune running meanwhile may remove (and keep the data of) the version first: gone is fine.
      const kept = await keepServerData(path.join(serverDir(ctx.paths.store, name), dir), { keptRoot: ctx.paths.kept, store: ctx.paths.store, server: name, version: dir, now: ctx.now() }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (kept) data.push(kept);
    }
  }
  const purged = purge ? await purgeKeptData(ctx.paths.kept, name) : [];
  await rm(serverDir(ctx.paths.store, name), { recursive: true, force: true });
  failpoint('uninstall-after-cleanup');
  await updateState(ctx, (state) => {
    if (state.removing) delete state.removing[name];
    if (state.removing && Object.keys(state.removing).length === 0) delete state.removing;
  });
  return { ...(data.length ? { data } : {}), ...(purged.length ? { purged } : {}) };
}

export function renderUninstall(result: UninstallResult): string {
  const lines = [`Removed ${result.name}@${result.version}${result.removed.length ? ' from:' : ''}`];
  for (const r of result.removed) lines.push(`  ${r.client} (${r.scope}): ${r.file}`);
  if (result.kept.length > 0) {
    lines.push(`Still installed (${result.name} stays, with its store version and secrets):`);
    for (const k of result.kept) lines.push(`  ${k.client} (${k.scope}): ${k.file}: ${k.why}`);
  }
  lines.push(...keptLines(result.data));
  for (const folder of result.purged ?? []) lines.push(`Deleted the data kept in ${folder}`);
  return lines.join('\n');
}

export const commands = [
  defineCommand({
    name: 'uninstall',
    description: 'remove a server from its clients (your own files and the current project\'s), then from the state and the store',
    arguments: [['<name>', 'full name, short name or entry key']],
    options: [
      { flags: '--client <id>', description: 'only from this client (repeatable); the server stays installed in the others', repeatable: true },
      { flags: '--purge', description: 'also delete what the server wrote beside itself (kept in mcpm\'s data folder by default)' },
    ],
    run: async (ctx, { args, options }) => ({ result: await uninstall(ctx, args.name, { client: options.client, purge: Boolean(options.purge) }) }),
    render: renderUninstall,
  }),
];
