import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { EditRecord } from '../clients/format-editor.js';
import type { ArgValues } from '../plan/request.js';
import type { Context } from '../context.js';
import { McpmError } from '../errors.js';
import { own, parseData, record } from '../json.js';
import type { Input, ServerJson, Transport } from '../registry/types.js';
import type { SupplyRecord } from '../supply/record.js';
import { matchesShortName } from '../registry/short-name.js';
import { withFileLock, writeFileAtomicSafe, readTextIfExists } from '../fs/files.js';
import type { TrustRecord } from '../trust/types.js';

/** Bump when the shape changes, and migrate older files in `migrate`. */
export const STATE_FORMAT = 1;

/** One client file entry that mcpm wrote and therefore manages. */
export interface ManagedEntry {
  client: string;
  file: string;
  key: string;
  scope?: 'user' | 'project';
  /** For project scope: the project folder (where its mcpm.json is). */
  project?: string;
  /** For clients without their own switch: the entry `mcpm disable` removed, kept so `enable` restores it. */
  disabledValue?: unknown;
  disabled?: boolean;
  /** What the insertion created, so removing the entry restores the file exactly (see clients/json-editor.ts). */
  record?: EditRecord;
  /** The entry as mcpm last rendered it: which fields and keys are mcpm's (see plan/merge-entry.ts). */
  written?: unknown;
}

export interface InstalledServer {
  name: string;
  version: string;
  /** The range the user asked for, when they gave one. */
  range?: string;
  registry: string;
  /**
   * The package (stdio servers): the registry's fields, plus for other types than npm the runtime's absolute path
   * (uvx, docker/podman, dnx, a bundle's command), the pinned image (oci) and the bundle's checksum (mcpb).
   */
  package?: { registryType: string; identifier: string; version: string; registryBaseUrl?: string; runtime?: string; image?: string; fileSha256?: string };
  /**
   * The remote endpoint (remote servers). `definition` is the registry's remote (URL template, headers) that
   * `mcpm run` connects with, its values filled at start from `args` and the secret store.
   */
  remote?: { transport: 'streamable-http' | 'sse'; url: string; definition?: Transport };
  /** The package's arguments as the registry defines them, so `mcpm run` can render them with secret values. */
  packageArguments?: Input[];
  /** The user's own arguments after the server's (kept from an adopted entry), npm servers. */
  extraArgs?: string[];
  /** How `mcpm run` starts the installed version (package servers), secrets as placeholders (see plan/entry-form.ts). */
  launch?: { command: string; args: string[]; env: Record<string, string> };
  /**
   * The version each project installed, when a project's lock pins one (keyed by the project folder): `mcpm run`
   * in that project starts it, so the project's shared entries start what its lock says on every machine.
   */
  projects?: Record<string, { version: string; storePath?: string; launch?: { command: string; args: string[]; env: Record<string, string> } }>;
  /** The installed version's folder in the store (npm, pypi's uv cache, mcpb), and the bin file the entry starts (npm only). */
  storePath?: string;
  bin?: string;
  /** Input values that are not secret (secret ones live in the secrets folder, never here). */
  env: Record<string, string>;
  args: ArgValues;
  secretEnv: string[];
  /** The profile whose secrets the entries use (absent: "default"). */
  profile?: string;
  /** Non-secret inputs per profile, so switching profiles back keeps what was given before. */
  inputsByProfile?: Record<string, { env: Record<string, string>; args: ArgValues }>;
  /** Names of secret arguments and secret remote inputs (values kept in the secrets file, never here). */
  secretArgs?: string[];
  entries: ManagedEntry[];
  /** Older versions kept in the store (newest last). */
  previousVersions: string[];
  /**
   * The installed version's status in its registry when last asked (outdated, update): a version deprecated,
   * deleted or taken down there is flagged by list, outdated and doctor.
   */
  registryStatus?: { status: 'deprecated' | 'deleted'; checkedAt: string };
  /** The server.json of the installed version, as its registry gave it: reinstalls and checks need no registry. */
  server?: ServerJson;
  /** The server.json of each version in previousVersions: rollback needs no registry either. */
  previousServers?: Record<string, ServerJson>;
  /** npm: registry signatures, provenance and publish time of the installed version (src/supply/). */
  supply?: SupplyRecord;
  installedAt: string;
  /** Tool pins, the unpinned note, the last drift seen (see trust/types.ts). */
  trust?: TrustRecord;
}

export interface InstalledState {
  formatVersion: number;
  servers: Record<string, InstalledServer>;
  /**
   * Installs under way: the entries an install is about to write, recorded before it writes them, so that if mcpm
   * is killed in between, rerunning the install recognises those entries as its own and completes.
   */
  pending?: Record<string, { entries: Array<{ client: string; file: string; key: string; record?: EditRecord }>; startedAt: string }>;
  /**
   * Uninstalls under way: written in the same state write that drops the server, cleared once its secrets and store
   * folder are gone, so that if mcpm is killed in between, `mcpm uninstall` run again finishes the job.
   */
  removing?: Record<string, { version: string; key?: string; startedAt: string }>;
  /**
   * Client files mcpm created, with the folders it created for them: removed again once they hold nothing of
   * anyone's (see clients/leftovers.ts), and never backed up (their content was only ever mcpm's).
   */
  files?: Record<string, { dirs: string[] }>;
  /** enable/disable under way (journaled before the files change; running the same command again completes it). */
  toggling?: Record<string, { enable: boolean; entries: Array<{ client: string; file: string }>; startedAt: string }>;
}

/** The last good copy of one of mcpm's own files, kept beside it. */
export function backupOf(file: string): string {
  return `${file}.bak`;
}

export function stateFile(ctx: Context): string {
  return path.join(ctx.paths.state, 'installed.json');
}

export function parseState(file: string, text: string | undefined): InstalledState {
  if (text === undefined) return { formatVersion: STATE_FORMAT, servers: record<InstalledServer>() };
  let value: InstalledState;
  try {
    value = parseData(text) as InstalledState;
  } catch {
    throw new McpmError('EPARSE', `mcpm's state file ${file} is not valid JSON`, {
      hint: 'Run `mcpm doctor --fix`: it restores the last good copy mcpm keeps beside it, or rebuilds the state from the lock, the store and the client files.',
    });
  }
  if (typeof value.formatVersion !== 'number' || value.formatVersion > STATE_FORMAT) {
    throw new McpmError('EUNSUPPORTED', `${file} was written by a newer mcpm (format ${String(value.formatVersion)})`, {
      hint: 'Upgrade mcpm.',
    });
  }
  return {
    formatVersion: STATE_FORMAT,
    servers: value.servers ?? record<InstalledServer>(),
    ...(value.pending ? { pending: value.pending } : {}),
    ...(value.removing ? { removing: value.removing } : {}),
    ...(value.files ? { files: value.files } : {}),
    ...(value.toggling ? { toggling: value.toggling } : {}),
  };
}

/** Synchronous on purpose: `mcpm list` reads only this file, and a sync read is the fastest start. */
export function readState(ctx: Context): InstalledState {
  const file = stateFile(ctx);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') {
      throw new McpmError('EFS', `Cannot read mcpm's state ${file} (${code ?? 'error'})`, {
        hint: code === 'ENOTDIR' ? `A file stands where the folder ${path.dirname(file)} should be; move it away.` : 'Check the permissions of that file and its folder.',
        cause: error,
      });
    }
  }
  return parseState(file, text);
}

/** Read-modify-write of the state under its lock, so concurrent installs of different servers all land. */
export async function updateState<T>(ctx: Context, change: (state: InstalledState) => T): Promise<T> {
  const file = stateFile(ctx);
  return withFileLock(file, async () => {
    const state = parseState(file, await readTextIfExists(file));
    const result = change(state);
    const text = `${JSON.stringify(state, null, 2)}\n`;
    await writeFileAtomicSafe(file, text);
    // The last good copy, kept beside it: what `mcpm doctor --fix` restores if the file is ever damaged.
    await writeFileAtomicSafe(backupOf(file), text);
    return result;
  });
}

/** Journals the record of an insertion an install is about to make (see `pending`), so a resumed install keeps it. */
export function journalEdit(ctx: Context, server: string, at: { client: string; file: string; key: string }, record: EditRecord): Promise<void> {
  return updateState(ctx, (state) => {
    const entry = state.pending?.[server]?.entries.find((e) => e.client === at.client && e.file === at.file && e.key === at.key);
    if (entry) entry.record = record;
  });
}

/** An interrupted uninstall (see `removing`) by registry name, entry key or short name. */
export function findRemoving(state: InstalledState, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.entries(state.removing ?? {}).find(
    ([server, journal]) => server.toLowerCase() === lower || journal.key?.toLowerCase() === lower || (!name.includes('/') && matchesShortName(server, name)),
  )?.[0];
}

/**
 * A server by registry name, by the key of an entry mcpm wrote, or by short name. Several installed servers
 * sharing a short name is an error listing them.
 */
export function findInstalled(state: InstalledState, name: string): InstalledServer | undefined {
  const direct = own(state.servers, name);
  if (direct) return direct;
  const lower = name.toLowerCase();
  const servers = Object.values(state.servers);
  const exact = servers.find((server) => server.name.toLowerCase() === lower || server.entries.some((entry) => entry.key.toLowerCase() === lower));
  if (exact || name.includes('/')) return exact;
  const short = servers.filter((server) => matchesShortName(server.name, name));
  if (short.length > 1) {
    throw new McpmError('EAMBIGUOUS', `"${name}" matches ${short.length} installed servers: ${short.map((s) => s.name).join(', ')}`, {
      hint: 'Use the full name or the entry key.',
    });
  }
  return short[0];
}

/**
 * The order installed servers (list, tools, outdated, audit) and their pinned tools are shown in: by name, code unit
 * by code unit. Not localeCompare: its first call builds ICU's collator, some 8 ms of every `mcpm list`, and the
 * names are ASCII.
 */
export const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** findInstalled, or ENOTINSTALLED naming what was asked for. */
export function requireInstalled(state: InstalledState, name: string): InstalledServer {
  const server = findInstalled(state, name);
  if (!server) throw new McpmError('ENOTINSTALLED', `"${name}" is not installed`);
  return server;
}
