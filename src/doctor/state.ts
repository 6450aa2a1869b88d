import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { editorFor } from '../clients/editor.js';
import { locationOf } from '../clients/targets.js';
import { readClientFile } from '../clients/write.js';
import { clientKey, findClient } from '../clients/table.js';
import { McpmError } from '../errors.js';
import { writeFileAtomicSafe } from '../fs/files.js';
import { parseData, record } from '../json.js';
import { readForeignEntry } from '../plan/foreign.js';
import { defaultEntryKey } from '../registry/short-name.js';
import { backupOf, parseState, readState, stateFile, STATE_FORMAT, type InstalledServer, type InstalledState, type ManagedEntry } from '../state/installed.js';
import { readLock } from '../state/lockfile.js';
import { manifestPath, type ProjectManifest } from '../state/manifest.js';
import { readSecrets } from '../state/secrets.js';
import { INSTALL_RECORD, versionDir } from '../store/layout.js';

/**
 * mcpm's state (installed.json) when it cannot be read, for `mcpm doctor`: reported as a problem rather than
 * failing doctor too; with --fix, the last good copy kept beside it is restored, or, without one, the state is
 * rebuilt from what else says what is installed: the global lock and manifest, the store and the client files.
 */
export async function recoverState(ctx: Context, fix: boolean): Promise<{ state: InstalledState; problem?: { message: string; fixed?: string } }> {
  try {
    return { state: readState(ctx) };
  } catch (error) {
    if (!(error instanceof McpmError) || error.code !== 'EPARSE') throw error;
    const file = stateFile(ctx);
    if (!fix) return { state: { formatVersion: STATE_FORMAT, servers: record() }, problem: { message: error.message } };
    const backup = backupOf(file);
    const kept = existsSync(backup) ? readFileSync(backup, 'utf8') : undefined;
    if (kept !== undefined && parses(backup, kept)) {
      await writeFileAtomicSafe(file, kept);
      return { state: readState(ctx), problem: { message: error.message, fixed: `restored the last good copy (${backup})` } };
    }
    const rebuilt = await rebuildState(ctx);
    await writeFileAtomicSafe(file, `${JSON.stringify(rebuilt, null, 2)}\n`);
    const count = Object.keys(rebuilt.servers).length;
    return { state: rebuilt, problem: { message: error.message, fixed: `rebuilt from the lock, the store and the client files (${count} server${count === 1 ? '' : 's'}); reinstall each to restore what only the state knew` } };
  }
}

function parses(file: string, text: string): boolean {
  try {
    parseState(file, text);
    return true;
  } catch {
    return false;
  }
}

/** The state as the lock, the manifest, the store and the client files describe it. */
export async function rebuildState(ctx: Context): Promise<InstalledState> {
  const lock = await readLock(ctx.paths.state).catch(() => ({ servers: record<never>() }));
  let manifest: ProjectManifest['servers'] = record();
  try {
    manifest = (parseData(readFileSync(manifestPath(ctx.paths.state), 'utf8')) as ProjectManifest).servers ?? manifest;
  } catch {
    // no manifest: the lock alone says what is installed
  }
  const servers = record<InstalledServer>();
  for (const [name, locked] of Object.entries(lock.servers)) {
    const wanted = Object.hasOwn(manifest, name) ? manifest[name] : undefined;
    const storePath = locked.package ? versionDir(ctx.paths.store, name, locked.version) : undefined;
    const installRecord = storePath ? readInstallRecord(storePath) : undefined;
    const key = wanted?.key ?? defaultEntryKey(name);
    const entries = await findEntries(ctx, name, key, wanted?.clients, storePath);
    servers[name] = {
      name,
      version: locked.version,
      ...(wanted?.range ? { range: wanted.range } : {}),
      registry: locked.registry,
      ...(locked.package ? { package: { registryType: locked.package.registryType, identifier: locked.package.identifier, version: locked.package.version, ...(locked.package.image ? { image: locked.package.image } : {}) } } : {}),
      ...(locked.remote ? { remote: { transport: locked.remote.transport === 'sse' ? 'sse' : 'streamable-http', url: locked.remote.url } } : {}),
      ...(storePath && existsSync(storePath) ? { storePath } : {}),
      ...(storePath && typeof installRecord?.bin === 'string' ? { bin: path.join(storePath, installRecord.bin) } : {}),
      env: wanted?.env ?? {},
      args: wanted?.args ?? {},
      secretEnv: Object.keys(await readSecrets(ctx, name).catch(() => ({}))),
      entries,
      previousVersions: [],
      installedAt: new Date(ctx.now()).toISOString(),
    };
  }
  return { formatVersion: STATE_FORMAT, servers };
}

function readInstallRecord(storePath: string): { bin?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(path.join(storePath, INSTALL_RECORD), 'utf8')) as { bin?: unknown };
  } catch {
    return undefined;
  }
}

/** mcpm's entries for a server in the clients the manifest names: at its key, starting its store version or `mcpm run`. */
async function findEntries(ctx: Context, name: string, key: string, clients: string[] | undefined, storePath: string | undefined): Promise<ManagedEntry[]> {
  const entries: ManagedEntry[] = [];
  for (const id of clients ?? []) {
    const client = findClient(id);
    if (!client) continue;
    const location = locationOf(ctx, id);
    const text = await readClientFile(location, 'read').catch(() => undefined);
    if (text === undefined) continue;
    const at = clientKey(client, key);
    const value = editorFor(client.format).get(location.file, text, client.serversPath, at);
    if (value === undefined) continue;
    const launch = readForeignEntry(value);
    const ours = launch.url !== undefined || [launch.command, ...launch.args].some((part) => part !== undefined && ((storePath && part.startsWith(storePath)) || part === name));
    if (ours) entries.push({ client: id, file: location.file, key: at, scope: 'user' });
  }
  return entries;
}
